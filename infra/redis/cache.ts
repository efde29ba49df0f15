/**
 * Cache: JSON values with optional TTL, on Redis. Values may hold bigints (our ids); they
 * round-trip as bigints.
 */
import type { RedisClient } from "./client.ts";

/** A key-value cache with TTLs. */
export interface Cache {
  /** The value under `key`, or undefined when absent or expired. */
  get<T>(key: string): Promise<T | undefined>;
  /** Stores `value` (JSON-encodable, bigints allowed), expiring after `ttlMs` when given. */
  set<T>(key: string, value: T, options?: { ttlMs?: number }): Promise<void>;
  /** Removes keys; returns how many existed. */
  del(...keys: string[]): Promise<number>;
  /** Values of many keys in one round trip, in the order asked. */
  mget<T>(keys: string[]): Promise<(T | undefined)[]>;
  /** Stores many values in one round trip, all with the same TTL. */
  mset<T>(entries: [string, T][], options?: { ttlMs?: number }): Promise<void>;
}

/** Creates a Redis-backed cache; every key gets `prefix` (default "cache:"). */
export function createRedisCache(redis: RedisClient, options: { prefix?: string } = {}): Cache {
  const prefix = options.prefix ?? "cache:";
  const k = (key: string) => prefix + key;
  return {
    async get<T>(key: string) {
      const raw = await redis.call((r) => r.get(k(key)));
      return raw === null ? undefined : decodeJson<T>(raw);
    },
    async set<T>(key: string, value: T, opts: { ttlMs?: number } = {}) {
      const body = encodeJson(value);
      await redis.call((r) =>
        opts.ttlMs
          ? r.set(k(key), body, "PX", Math.max(1, Math.ceil(opts.ttlMs)))
          : r.set(k(key), body)
      );
    },
    async del(...keys: string[]) {
      if (keys.length === 0) return 0;
      return await redis.call((r) => r.del(...keys.map(k)));
    },
    async mget<T>(keys: string[]) {
      if (keys.length === 0) return [];
      const raws = await redis.call((r) => r.mget(...keys.map(k)));
      return raws.map((raw) => (raw === null ? undefined : decodeJson<T>(raw)));
    },
    async mset<T>(entries: [string, T][], opts: { ttlMs?: number } = {}) {
      if (entries.length === 0) return;
      await redis.call((r) => {
        const m = r.multi();
        for (const [key, value] of entries) {
          if (opts.ttlMs) {
            m.set(k(key), encodeJson(value), "PX", Math.max(1, Math.ceil(opts.ttlMs)));
          } else m.set(k(key), encodeJson(value));
        }
        return m.exec();
      });
    },
  };
}

const BIGINT_TAG = "$bigint";

/** JSON encoding that keeps bigints as tagged objects. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v) => (typeof v === "bigint" ? { [BIGINT_TAG]: v.toString() } : v),
  );
}

/** Inverse of encodeJson. */
export function decodeJson<T>(raw: string): T {
  return JSON.parse(raw, (_k, v) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === BIGINT_TAG && typeof v[BIGINT_TAG] === "string") {
        return BigInt(v[BIGINT_TAG]);
      }
    }
    return v;
  }) as T;
}
