/**
 * Web sessions: an HMAC-SHA256-signed token carrying user id, session id, created-at and
 * expires-at (as the reference's `session_key` cookie), plus a server-side record in Redis so
 * that logout and password resets end a session before it expires (the reference cannot).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Cache } from "../../infra/redis/cache.ts";

/** Lifetime of a session: 7 days. */
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

/** What a valid session token says. */
export interface SessionClaims {
  userId: bigint;
  sessionId: string;
  createdAt: number;
  expiresAt: number;
}

/** Issues, verifies and revokes sessions. */
export interface SessionService {
  /** A new session for the user: the cookie value and its claims. */
  issue(userId: bigint): Promise<{ token: string; claims: SessionClaims }>;
  /** The claims of a valid, unexpired, unrevoked token; null otherwise. */
  verify(token: string): Promise<SessionClaims | null>;
  /** Ends one session. */
  revoke(claims: SessionClaims): Promise<void>;
  /** Ends every session of a user. */
  revokeAll(userId: bigint): Promise<void>;
}

/** Creates the session service; `secret` signs tokens, `cache` holds the live sessions. */
export function createSessionService(
  options: { secret: string; cache: Cache; now?: () => number },
): SessionService {
  const now = options.now ?? Date.now;
  const key = (sid: string) => `session:${sid}`;
  // Sessions of a user created at or before this time are void (password reset).
  const epochKey = (uid: bigint | string) => `session_epoch:${uid}`;
  const sign = (payload: string) =>
    createHmac("sha256", options.secret).update(payload).digest("base64url");

  return {
    async issue(userId) {
      const claims: SessionClaims = {
        userId,
        sessionId: crypto.randomUUID(),
        createdAt: now(),
        expiresAt: now() + SESSION_TTL_MS,
      };
      const payload = Buffer.from(
        JSON.stringify({
          uid: userId.toString(),
          sid: claims.sessionId,
          iat: claims.createdAt,
          exp: claims.expiresAt,
        }),
      ).toString("base64url");
      await options.cache.set(key(claims.sessionId), userId.toString(), { ttlMs: SESSION_TTL_MS });
      return { token: `${payload}.${sign(payload)}`, claims };
    },
    async verify(token) {
      const [payload, mac, extra] = token.split(".");
      if (!payload || !mac || extra !== undefined || payload.length > 1024) return null;
      const expected = Buffer.from(sign(payload));
      const given = Buffer.from(mac);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
      let raw: { uid?: unknown; sid?: unknown; iat?: unknown; exp?: unknown };
      try {
        raw = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
      } catch {
        return null;
      }
      if (
        typeof raw.uid !== "string" || !/^\d+$/.test(raw.uid) || typeof raw.sid !== "string" ||
        typeof raw.iat !== "number" || typeof raw.exp !== "number" || raw.exp <= now()
      ) return null;
      const [live, epoch] = await options.cache.mget<string | number>([
        key(raw.sid),
        epochKey(raw.uid),
      ]);
      if (live !== raw.uid) return null; // logged out, or never issued
      if (typeof epoch === "number" && raw.iat <= epoch) return null; // password reset since
      return {
        userId: BigInt(raw.uid),
        sessionId: raw.sid,
        createdAt: raw.iat,
        expiresAt: raw.exp,
      };
    },
    async revoke(claims) {
      await options.cache.del(key(claims.sessionId));
    },
    async revokeAll(userId) {
      await options.cache.set(epochKey(userId), now(), { ttlMs: SESSION_TTL_MS });
    },
  };
}
