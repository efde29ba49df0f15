/**
 * A Map whose entries may expire, for the in-process caches, locks and limiter. Expired
 * entries are invisible at once and are swept incrementally: every write looks at a few
 * entries further along a cursor that cycles through the map, so memory stays bounded by the
 * live entries plus those that expired within one sweep cycle, without any timer to stop.
 */

/** Milliseconds on a clock that never steps back (fractional), for TTLs. */
export function monotonicNow(): number {
  return performance.timeOrigin + performance.now();
}

// Entries examined per write: more than one write adds, so the cursor outruns growth.
const SWEEP_PER_WRITE = 3;
// Writes without an eviction after which the evictor is dropped (see below).
const EVICTOR_IDLE_WRITES = 1_024;
const NONE: readonly string[] = Object.freeze([]);

interface Entry<V> {
  value: V;
  /** Epoch ms on the map's clock; Infinity for never. */
  expiresAt: number;
}

/** A map of entries with optional expiry times. */
export interface TtlMap<V> {
  /** The live value, or undefined (an expired entry is dropped). */
  get(key: string): V | undefined;
  /** The live value with its expiry time. */
  entry(key: string): { value: V; expiresAt: number } | undefined;
  /**
   * Stores `value` until `expiresAt` (ms on the map's clock; Infinity: never); returns the
   * keys evicted to make room (so that a copy elsewhere can drop them too).
   */
  set(key: string, value: V, expiresAt: number): readonly string[];
  /** Changes the expiry of a live entry; false when absent. */
  expire(key: string, expiresAt: number): boolean;
  /** Removes `key`; true when it held a live value. */
  delete(key: string): boolean;
  /** Entries held, expired ones not yet swept included. */
  readonly size: number;
  /** The map's clock. */
  now(): number;
}

/**
 * Creates a TTL map on `now` (default: a monotonic clock). With `maxEntries`, a write past the
 * limit evicts the entries written longest ago (a cache may forget; locks must not use it).
 */
export function createTtlMap<V>(
  options: { now?: () => number; maxEntries?: number } = {},
): TtlMap<V> {
  const now = options.now ?? monotonicNow;
  const maxEntries = options.maxEntries ?? Infinity;
  const map = new Map<string, Entry<V>>();
  // Map iterators are live: entries added or deleted meanwhile are handled correctly.
  let cursor = map.entries();
  // Only ever moved past the entries it evicts, so its next key is the oldest one. A fresh
  // `map.keys()` per eviction would walk over every deleted slot at the front of the table
  // each time (past a bound of 100k, a set grew from ~5 µs to ~100 µs). It is dropped when
  // idle: an iterator never moved keeps every table the map has outgrown since alive.
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

  // Makes room for one more entry; the keys evicted, oldest first.
  const evict = (): readonly string[] => {
    let evicted: string[] | undefined;
    while (map.size >= maxEntries && map.size > 0) {
      evictor ??= map.keys();
      const oldest = evictor.next();
      if (oldest.done) {
        evictor = undefined;
        continue;
      }
      map.delete(oldest.value);
      (evicted ??= []).push(oldest.value);
    }
    if (evicted) idle = 0;
    else if (++idle >= EVICTOR_IDLE_WRITES) evictor = undefined;
    return evicted ?? NONE;
  };

  const live = (key: string, t: number): Entry<V> | undefined => {
    const e = map.get(key);
    if (e === undefined) return undefined;
    if (e.expiresAt > t) return e;
    map.delete(key);
    return undefined;
  };

  return {
    now,
    get size() {
      return map.size;
    },
    get: (key) => live(key, now())?.value,
    entry(key) {
      const e = live(key, now());
      return e && { value: e.value, expiresAt: e.expiresAt };
    },
    set(key, value, expiresAt) {
      sweep(now());
      let evicted = NONE;
      if (maxEntries !== Infinity) {
        // Re-inserted, so the eviction order is the order of the latest writes.
        map.delete(key);
        evicted = evict();
      }
      map.set(key, { value, expiresAt });
      return evicted;
    },
    expire(key, expiresAt) {
      const e = live(key, now());
      if (!e) return false;
      e.expiresAt = expiresAt;
      return true;
    },
    delete(key) {
      const had = live(key, now()) !== undefined;
      map.delete(key);
      return had;
    },
  };
}
