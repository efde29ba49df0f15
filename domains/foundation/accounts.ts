/**
 * Accounts: registration (user + personal workspace + owner membership in one transaction,
 * rate-limited per client address), password login (rate-limited per account and per client
 * address; an unknown account costs the same password check as a known one), logout and
 * password reset that end sessions server-side, the current user, and profile updates.
 */
import type { Database } from "../../infra/db/mod.ts";
import { AlreadyExistsError } from "../../infra/errors.ts";
import type { IdGenerator } from "../../infra/idgen/mod.ts";
import type { Limiter } from "../../infra/redis/limiter.ts";
import { AppError, Codes, invalidParam, unauthenticated } from "../errors.ts";
import { dummyHashOf, inProcessHasher, type PasswordHasher } from "./passwords.ts";
import type { SessionClaims, SessionService } from "./sessions.ts";
import { createUsersRepo } from "./users_repo.ts";
import { type Space, SpaceType, type User } from "./types.ts";

/** Login attempts allowed per account and per client address. */
export const LOGIN_LIMITS = {
  perAccount: { rate: 10, burst: 10, periodMs: 60_000 },
  perAddress: { rate: 30, burst: 30, periodMs: 60_000 },
};

/** Registrations allowed per client address and minute, by default. */
export const DEFAULT_REGISTER_PER_MINUTE = 20;

/** A signed-in user and the session that proves it. */
export interface SignedIn {
  user: User;
  token: string;
  claims: SessionClaims;
}

/** The accounts service. */
export interface AccountService {
  /** Rate-limited per `clientAddress` when given (the first account at start-up has none). */
  register(input: { email: string; password: string; clientAddress?: string }): Promise<SignedIn>;
  login(input: { email: string; password: string; clientAddress: string }): Promise<SignedIn>;
  logout(claims: SessionClaims): Promise<void>;
  /** Sets a new password for the signed-in user and ends every session of theirs. */
  resetPassword(claims: SessionClaims, input: { email: string; password: string }): Promise<void>;
  currentUser(claims: SessionClaims): Promise<User>;
  updateProfile(
    callerId: bigint,
    userId: bigint,
    patch: { name?: string; nickName?: string; description?: string; avatarUri?: string },
  ): Promise<User>;
}

/** Creates the accounts service. */
export function createAccountService(deps: {
  db: Database;
  ids: IdGenerator;
  sessions: SessionService;
  limiter: Limiter;
  /** Where argon2id runs (default: this thread). */
  hasher?: PasswordHasher;
  /** Registrations per client address and minute (default DEFAULT_REGISTER_PER_MINUTE). */
  registerPerMinute?: number;
  now?: () => Date;
}): AccountService {
  const repo = createUsersRepo(deps.db);
  const now = deps.now ?? (() => new Date());
  const hasher = deps.hasher ?? inProcessHasher;
  const dummyHash = dummyHashOf(hasher);
  const perMinute = deps.registerPerMinute ?? DEFAULT_REGISTER_PER_MINUTE;
  const registerLimit = { rate: perMinute, burst: perMinute, periodMs: 60_000 };

  const signIn = async (user: User): Promise<SignedIn> => {
    const { token, claims } = await deps.sessions.issue(user.id);
    return { user, token, claims };
  };

  const register = async (
    input: { email: string; password: string; clientAddress?: string },
  ): Promise<SignedIn> => {
    const email = normalizeEmail(input.email);
    checkPassword(input.password);
    if (input.clientAddress !== undefined) {
      // Before the hash: a refused attempt costs no argon2id.
      const r = await deps.limiter.allowN(
        `register:address:${input.clientAddress}`,
        1,
        registerLimit,
      );
      if (!r.allowed) throw tooMany("registrations from this address", r.retryAfterMs);
    }
    const passwordHash = await hasher.hash(input.password);
    for (let attempt = 0;; attempt++) {
      const [userId, spaceId] = await deps.ids.genIds(2);
      const at = now();
      const user: User = {
        id: userId,
        name: uniqueNameFor(email),
        nickName: email.split("@")[0].slice(0, 64),
        email,
        description: "",
        avatarUri: "",
        status: "active",
        createdAt: at,
        updatedAt: at,
      };
      const space: Space = {
        id: spaceId,
        name: "Personal Space",
        description: "",
        spaceType: SpaceType.personal,
        ownerUserId: userId,
        createdAt: at,
        updatedAt: at,
      };
      try {
        await deps.db.transaction(async () => {
          await repo.insertUser({ ...user, passwordHash });
          await repo.insertSpace(space);
          await repo.insertMember(spaceId, userId, "owner", at);
        });
        return await signIn(user);
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
        if (err.key?.includes("email")) {
          throw new AppError(
            Codes.userEmailExists,
            `Cannot register ${email}: email already exists`,
          );
        }
        // A generated unique name collided: try another suffix.
        if (attempt >= 3) throw err;
      }
    }
  };

  return {
    register,
    async login(input) {
      const email = normalizeEmail(input.email);
      const [byAccount, byAddress] = await Promise.all([
        deps.limiter.allowN(`login:account:${email}`, 1, LOGIN_LIMITS.perAccount),
        deps.limiter.allowN(`login:address:${input.clientAddress}`, 1, LOGIN_LIMITS.perAddress),
      ]);
      const denied = [byAccount, byAddress].find((r) => !r.allowed);
      if (denied) throw tooMany("login attempts", denied.retryAfterMs);
      const found = await repo.userWithHashByEmail(email);
      // Same answer, and the same argon2id work, for an unknown email and a wrong password:
      // accounts can be probed neither by the answer nor by its time.
      let ok = false;
      if (found) ok = await hasher.verify(input.password, found.passwordHash);
      else await hasher.verify(input.password, await dummyHash());
      if (!found || !ok || found.status !== "active") {
        throw new AppError(Codes.userPasswordWrong, "wrong email or password");
      }
      const { passwordHash: _, ...user } = found;
      return await signIn(user);
    },
    logout: (claims) => deps.sessions.revoke(claims),
    async resetPassword(claims, input) {
      const user = await repo.userById(claims.userId);
      if (!user) throw unauthenticated("the session's user no longer exists");
      if (normalizeEmail(input.email) !== user.email) {
        throw invalidParam("email", "is not the signed-in account's email");
      }
      checkPassword(input.password);
      await repo.updateUser(user.id, { passwordHash: await hasher.hash(input.password) }, now());
      await deps.sessions.revokeAll(user.id);
    },
    async currentUser(claims) {
      const user = await repo.userById(claims.userId);
      if (!user) throw unauthenticated("the session's user no longer exists");
      return user;
    },
    async updateProfile(callerId, userId, patch) {
      if (callerId !== userId) {
        throw new AppError(
          Codes.noPermission,
          "no permission: you can only update your own profile",
        );
      }
      if (patch.name !== undefined && !/^[A-Za-z0-9_.-]{2,64}$/.test(patch.name)) {
        throw invalidParam("name", "2-64 letters, digits, '_', '.' or '-'");
      }
      try {
        await repo.updateUser(userId, patch, now());
      } catch (err) {
        if (err instanceof AlreadyExistsError) {
          throw new AppError(Codes.userUniqueNameExists, `name "${patch.name}" is already taken`);
        }
        throw err;
      }
      const user = await repo.userById(userId);
      if (!user) throw unauthenticated("the session's user no longer exists");
      return user;
    },
  };
}

function tooMany(what: string, retryAfterMs: number): AppError {
  const retry = retryAfterMs < 0 ? "later" : `in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s`;
  return new AppError(Codes.tooManyRequests, `too many ${what}, retry ${retry}`, { status: 429 });
}

function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function checkPassword(password: string): void {
  if (password.length < 8 || password.length > 128) {
    throw invalidParam("password", "must be 8 to 128 characters");
  }
}

function uniqueNameFor(email: string): string {
  const base = email.split("@")[0].toLowerCase().replace(/[^a-z0-9_]/g, "_").slice(0, 40) || "user";
  const suffix = Array.from(
    crypto.getRandomValues(new Uint8Array(3)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  return `${base}_${suffix}`;
}
