/**
 * In-process Cache for the single-process mode. Values are kept encoded exactly as the Redis
 * cache stores them (see _cache_values.ts), so they round-trip the same way (bigints
 * included) and a caller mutating an object after `set` or after `get` never changes what is
 * cached.
 */
import type { Cache } from "../redis/cache.ts";
import { createTtlMap } from "./_ttl_map.ts";
import { cachedUntil, encodeCached, readCached } from "./_cache_values.ts";

/** Default bound on entries: past it, the entries written longest ago are evicted. */
export const DEFAULT_CACHE_MAX_ENTRIES = 100_000;

/** A Cache held in this process. */
export interface MemoryCache extends Cache {
  /** Entries held (expired ones not yet swept included). */
  readonly size: number;
}

/** Options of the in-process cache. */
export interface MemoryCacheOptions {
  /** Most entries held (default DEFAULT_CACHE_MAX_ENTRIES); a cache may forget. */
  maxEntries?: number;
  /** Clock in ms (default: monotonic). */
  now?: () => number;
}

/** Creates an in-process cache. */
export function createMemoryCache(options: MemoryCacheOptions = {}): MemoryCache {
  const map = createTtlMap<string>({
    now: options.now,
    maxEntries: options.maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES,
  });
  const expiry = (ttlMs: number | undefined) => cachedUntil(map.now, ttlMs);
  const read = <T>(key: string) => readCached<T>(map, key);

  return {
    get size() {
      return map.size;
    },
    // Promise.try: a failure is a rejected promise as with Redis, never a synchronous throw.
    get: <T>(key: string) => Promise.try(() => read<T>(key)),
    set: (key, value, opts = {}) =>
      Promise.try(() => void map.set(key, encodeCached(key, value), expiry(opts.ttlMs))),
    del: (...keys) =>
      Promise.try(() => {
        let n = 0;
        for (const key of keys) if (map.delete(key)) n++;
        return n;
      }),
    mget: <T>(keys: string[]) => Promise.try(() => keys.map((k) => read<T>(k))),
    mset: (entries, opts = {}) =>
      Promise.try(() => {
        // Encoded first, so a value that cannot be stored leaves the batch unapplied.
        const bodies = entries.map(([key, value]) => encodeCached(key, value));
        const at = expiry(opts.ttlMs);
        entries.forEach(([key], i) => map.set(key, bodies[i], at));
      }),
  };
}
