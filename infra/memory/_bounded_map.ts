/**
 * The memory side of the durable cache: the TTL map of the memory cache (same incremental
 * sweep, same bound and eviction order: the entries written longest ago go first), which
 * also tells which entries it evicts, so that their rows can leave the file too.
 */

// Entries examined per write: more than one write adds, so the cursor outruns growth.
const SWEEP_PER_WRITE = 3;
// Writes without an eviction after which the evictor is dropped (see below).
const EVICTOR_IDLE_WRITES = 1_024;

/** One value with its expiry (ms on the map's clock; Infinity for never). */
export interface BoundedEntry<V> {
  value: V;
  expiresAt: number;
}

/** A map of entries with expiry times, holding at most `maxEntries`. */
export interface BoundedTtlMap<V> {
  /** The live entry, or undefined (an expired entry is dropped). */
  get(key: string): BoundedEntry<V> | undefined;
  /** Stores `value` until `expiresAt`; returns the keys evicted to make room. */
  set(key: string, value: V, expiresAt: number): string[];
  /** Removes `key`; true when it held a live value. */
  delete(key: string): boolean;
  /** Entries held, expired ones not yet swept included. */
  readonly size: number;
}

/** Creates a bounded TTL map on the clock `now`. */
export function createBoundedTtlMap<V>(
  options: { now: () => number; maxEntries: number },
): BoundedTtlMap<V> {
  const { now, maxEntries } = options;
  const map = new Map<string, BoundedEntry<V>>();
  // Map iterators are live: entries added or deleted meanwhile are handled correctly.
  let cursor = map.entries();
  // Only ever moved past the entries it evicts, so its next key is the oldest one. A fresh
  // `map.keys()` per eviction would walk over every deleted slot at the front of the table
  // each time (past a bound of 100k, a set grew to ~100 µs). It is dropped when idle: an
  // iterator never moved keeps every table the map has outgrown since alive.
  let evictor: MapIterator<string> | undefined;
  let idle = 0;

  const sweep = (t: number) => {
    for (let i = 0; i < SWEEP_PER_WRITE; i++) {
      let step = cursor.next();
      if (step.done) {
        cursor = map.entries();
        step = cursor.next();
        if (step.done) return;
      }
      const [key, e] = step.value;
      if (e.expiresAt <= t) map.delete(key);
    }
  };

  const live = (key: string, t: number): BoundedEntry<V> | undefined => {
    const e = map.get(key);
    if (e === undefined) return undefined;
    if (e.expiresAt > t) return e;
    map.delete(key);
    return undefined;
  };

  return {
    get size() {
      return map.size;
    },
    get: (key) => live(key, now()),
    set(key, value, expiresAt) {
      sweep(now());
      // Re-inserted, so the eviction order is the order of the latest writes.
      map.delete(key);
      const evicted: string[] = [];
      while (map.size >= maxEntries && map.size > 0) {
        evictor ??= map.keys();
        const oldest = evictor.next();
        if (oldest.done) {
          evictor = undefined;
          continue;
        }
        map.delete(oldest.value);
        evicted.push(oldest.value);
      }
      if (evicted.length > 0) idle = 0;
      else if (++idle >= EVICTOR_IDLE_WRITES) evictor = undefined;
      map.set(key, { value, expiresAt });
      return evicted;
    },
    delete(key) {
      const had = live(key, now()) !== undefined;
      map.delete(key);
      return had;
    },
  };
}
