/**
 * In-process Locker for the single-process mode, with the Redis locker's semantics: a lock
 * is a token with a TTL, and only the holder of the current token can release or extend it,
 * so a holder whose lock expired can never touch the next holder's lock. Lockers sharing one
 * LockTable see the same locks; a waiter is woken as soon as the lock is released.
 */
import {
  type AcquireOptions,
  acquireWithBackoff,
  keepRenewed,
  type Lock,
  type Locker,
  newLockToken,
} from "../redis/lock.ts";
import { createTtlMap, type TtlMap } from "./_ttl_map.ts";

/** The locks of a process, shared by every in-process locker built on it. */
export interface LockTable {
  /** Locks held (expired ones not yet swept included). */
  readonly size: number;
}

interface Table extends LockTable {
  map: TtlMap<string>;
  /** Waiters of a key, woken when it is released. */
  waiters: Map<string, Set<() => void>>;
}

/** Creates an empty lock table on `now` (default: a monotonic clock). */
export function createLockTable(options: { now?: () => number } = {}): LockTable {
  const map = createTtlMap<string>({ now: options.now });
  const table: Table = {
    map,
    waiters: new Map(),
    get size() {
      return map.size;
    },
  };
  return table;
}

/** Creates an in-process locker on `table` (default: a table of its own). */
export function createMemoryLocker(options: { table?: LockTable } = {}): Locker {
  const { map, waiters } = (options.table ?? createLockTable()) as Table;

  const wake = (key: string) => {
    const set = waiters.get(key);
    if (!set) return;
    waiters.delete(key);
    for (const w of set) w();
  };
  const release = (key: string, token: string) => {
    if (map.get(key) !== token) return false;
    map.delete(key);
    wake(key);
    return true;
  };
  const extend = (key: string, token: string, ttlMs: number) =>
    map.get(key) === token && map.expire(key, map.now() + ttlOf(ttlMs));
  const handle = (key: string, token: string): Lock => ({
    key,
    token,
    release: () => Promise.resolve(release(key, token)),
    extend: (ttlMs) => Promise.try(() => extend(key, token, ttlMs)),
  });
  const take = (key: string, ttlMs: number): Lock | null => {
    const ttl = ttlOf(ttlMs);
    if (map.get(key) !== undefined) return null;
    const token = newLockToken();
    map.set(key, token, map.now() + ttl);
    return handle(key, token);
  };

  // Sleeps up to `ms`, or until `key` is released.
  const pause = (key: string, ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      let set = waiters.get(key);
      if (!set) waiters.set(key, set = new Set());
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && waiters.get(key) === set) waiters.delete(key);
        signal?.removeEventListener("abort", aborted);
        resolve();
      };
      const aborted = () => {
        done();
        reject(signal?.reason);
      };
      const timer = setTimeout(done, ms);
      set.add(done);
      signal?.addEventListener("abort", aborted, { once: true });
    });

  const acquire = (key: string, ttlMs: number, o: AcquireOptions = {}) =>
    acquireWithBackoff(() => take(key, ttlMs), {
      ...o,
      pause: (ms, signal) => pause(key, ms, signal),
    });

  return {
    tryAcquire: (key, ttlMs) => Promise.try(() => take(key, ttlMs)),
    acquire,
    release: (key, token) => Promise.resolve(release(key, token)),
    extend: (key, token, ttlMs) => Promise.try(() => extend(key, token, ttlMs)),
    async acquireRenewing(key, ttlMs, o = {}) {
      const lock = await acquire(key, ttlMs, o);
      return lock ? keepRenewed(lock, ttlMs) : null;
    },
  };
}

function ttlOf(ttlMs: number): number {
  if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) {
    throw new RangeError(`Lock TTL must be a positive number of ms, got ${ttlMs}`);
  }
  return Math.ceil(ttlMs);
}
