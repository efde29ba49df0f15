/**
 * Personal access tokens: random values shown once, stored as SHA-256 hashes (the reference
 * derives them from row ids), with an expiry, a status and a last-used time. Verification
 * is on the hot path of every SDK call, so a token's record is cached in Redis and the
 * last-used time is written at most once a minute per token.
 */
import { createHash } from "node:crypto";
import type { Database } from "../../infra/db/mod.ts";
import type { IdGenerator } from "../../infra/idgen/mod.ts";
import type { Cache } from "../../infra/redis/cache.ts";
import type { Broadcast } from "../../infra/redis/broadcast.ts";
import type { Logger } from "../../infra/log.ts";
import { invalidParam, notFound } from "../errors.ts";
import { type AccessToken, createTokensRepo } from "./tokens_repo.ts";

export type { AccessToken } from "./tokens_repo.ts";

/** Lifetimes a token can be created with (days), as in the IDL. */
export const DURATION_DAYS = ["1", "30", "60", "90", "180", "365", "permanent"] as const;

const PREFIX = "pat_";
const CACHE_TTL_MS = 5 * 60_000;
// In-process cache of verified tokens; revocations reach other processes by broadcast, and
// this bound caps staleness if a broadcast is missed.
const LOCAL_TTL_MS = 5_000;
const LOCAL_MAX = 10_000;
const REVOKED_CHANNEL = "pat_revoked";
const TOUCH_EVERY_MS = 60_000;

/** The access token service. */
export interface TokenService {
  create(userId: bigint, input: {
    name: string;
    expireAt?: number;
    durationDay?: (typeof DURATION_DAYS)[number];
  }): Promise<{ token: string; record: AccessToken }>;
  list(userId: bigint, page: { pageSize?: number; pageNumber?: number }): Promise<AccessToken[]>;
  get(userId: bigint, id: bigint): Promise<AccessToken>;
  rename(userId: bigint, id: bigint, name: string): Promise<void>;
  /** Revokes the token (it stops working at once). */
  remove(userId: bigint, id: bigint): Promise<void>;
  /** The user a token authenticates, or null when unknown, expired or revoked. */
  verify(token: string): Promise<bigint | null>;
  /**
   * The user of a token verified in the last seconds, without waiting for anything; undefined
   * when it must be verified (`verify`). The hot path of every SDK call.
   */
  peek(token: string): bigint | undefined;
}

interface CachedToken {
  id: string;
  userId: string;
  status: string;
  expireAt: number;
}

/** Creates the token service. */
export function createTokenService(deps: {
  db: Database;
  ids: IdGenerator;
  cache: Cache;
  broadcast?: Broadcast;
  logger?: Logger;
  nowSeconds?: () => number;
}): TokenService {
  const repo = createTokensRepo(deps.db);
  const now = deps.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const cacheKey = (hash: string) => `pat:${hash}`;
  const local = new Map<string, { token: CachedToken; until: number }>();
  // By token value, in memory only, for as long as the verified record above.
  const recent = new Map<
    string,
    { token: CachedToken; hash: string; userId: bigint; until: number }
  >();
  deps.broadcast?.subscribe(REVOKED_CHANNEL, (hash) => local.delete(hash));

  const lookup = async (hash: string): Promise<CachedToken | null> => {
    const hit = local.get(hash);
    if (hit && hit.until > Date.now()) return hit.token;
    let t = await deps.cache.get<CachedToken>(cacheKey(hash));
    if (!t) {
      const row = await repo.byHash(hash);
      if (!row) return null;
      t = {
        id: row.id.toString(),
        userId: row.userId.toString(),
        status: row.status,
        expireAt: row.expireAt,
      };
      await deps.cache.set(cacheKey(hash), t, { ttlMs: CACHE_TTL_MS });
    }
    if (local.size >= LOCAL_MAX) local.clear();
    local.set(hash, { token: t, until: Date.now() + LOCAL_TTL_MS });
    return t;
  };

  const get = async (userId: bigint, id: bigint) => {
    const t = await repo.byId(userId, id);
    if (!t) throw notFound(`personal access token ${id}`);
    return t;
  };

  // Last-used times are written at most once a minute per token and process: the hot path
  // stays one Redis read.
  const touched = new Map<string, number>();
  // Synchronous when gated: no promise per request on the hot path.
  const touch = (t: CachedToken) => {
    const at = Date.now();
    if ((touched.get(t.id) ?? 0) > at - TOUCH_EVERY_MS) return;
    touched.set(t.id, at);
    if (touched.size > 10_000) touched.clear();
    repo.touch(BigInt(t.id), now()).catch((err) =>
      deps.logger?.warn("could not record token use", { error: (err as Error).message })
    );
  };

  return {
    async create(userId, input) {
      const name = input.name.trim();
      if (!name || name.length > 128) throw invalidParam("name", "must be 1 to 128 characters");
      const at = now();
      let expireAt: number;
      if (input.expireAt !== undefined) {
        if (input.expireAt <= at) throw invalidParam("expire_at", "must be in the future");
        expireAt = input.expireAt;
      } else {
        const d = input.durationDay ?? "30";
        expireAt = d === "permanent" ? 0 : at + Number(d) * 86_400;
      }
      const token = PREFIX + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString(
        "base64url",
      );
      const record: AccessToken = {
        id: await deps.ids.genId(),
        userId,
        name,
        tokenHash: hashToken(token),
        status: "active",
        expireAt,
        lastUsedAt: -1,
        createdAt: at,
        updatedAt: at,
      };
      await repo.insert(record);
      return { token, record };
    },
    async list(userId, page) {
      const size = page.pageSize ?? 20;
      return await repo.listActive(userId, size, ((page.pageNumber ?? 1) - 1) * size);
    },
    get,
    async rename(userId, id, name) {
      const trimmed = name.trim();
      if (!trimmed || trimmed.length > 128) {
        throw invalidParam("name", "must be 1 to 128 characters");
      }
      if (!(await repo.rename(userId, id, trimmed, now()))) {
        throw notFound(`personal access token ${id}`);
      }
    },
    async remove(userId, id) {
      const t = await get(userId, id);
      await repo.revoke(userId, id, now());
      local.delete(t.tokenHash);
      await deps.cache.del(cacheKey(t.tokenHash));
      await deps.broadcast?.publish(REVOKED_CHANNEL, t.tokenHash);
    },
    peek(token) {
      const seen = recent.get(token);
      if (!seen || seen.until <= Date.now() || !local.has(seen.hash)) return undefined;
      const t = seen.token;
      if (t.status !== "active" || (t.expireAt !== 0 && t.expireAt <= now())) return undefined;
      touch(t);
      return seen.userId;
    },
    async verify(token) {
      if (!token.startsWith(PREFIX) || token.length > 128) return null;
      // The hot path: a token seen in the last seconds skips hashing and Redis.
      const seen = recent.get(token);
      const t = seen && seen.until > Date.now() && local.has(seen.hash)
        ? seen.token
        : await lookup(hashToken(token));
      if (!t) return null;
      if (!seen || seen.until <= Date.now()) {
        if (recent.size >= LOCAL_MAX) recent.clear();
        recent.set(token, {
          token: t,
          hash: hashToken(token),
          userId: BigInt(t.userId),
          until: Date.now() + LOCAL_TTL_MS,
        });
      }
      if (t.status !== "active" || (t.expireAt !== 0 && t.expireAt <= now())) return null;
      touch(t);
      return BigInt(t.userId);
    },
  };
}

/** SHA-256 of a token (tokens are 256-bit random, so a fast hash suffices). */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
