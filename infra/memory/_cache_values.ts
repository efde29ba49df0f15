/**
 * What the in-process caches (memory only and durable) store, and how: values encoded exactly
 * as the Redis cache stores them (encodeJson), with the Redis cache's TTL rules, so that they
 * round-trip the same way (bigints included) and a caller mutating an object after `set` or
 * after `get` never changes what is cached.
 */
import { decodeJson, encodeJson } from "../redis/cache.ts";
import type { TtlMap } from "./_ttl_map.ts";

/** The stored form of `value`; TypeError naming `key` when it has no JSON form. */
export function encodeCached(key: string, value: unknown): string {
  const body = encodeJson(value);
  if (typeof body !== "string") {
    throw new TypeError(`Cannot cache "${key}": the value has no JSON form (${typeof value})`);
  }
  return body;
}

/** The value under `key` in `map`, decoded; undefined when absent or expired. */
export function readCached<T>(map: TtlMap<string>, key: string): T | undefined {
  const raw = map.get(key);
  return raw === undefined ? undefined : decodeJson<T>(raw);
}

/** When a value set now expires: a falsy TTL means none, any other lasts at least 1 ms. */
export function cachedUntil(now: () => number, ttlMs: number | undefined): number {
  return ttlMs ? now() + Math.max(1, Math.ceil(ttlMs)) : Infinity;
}
