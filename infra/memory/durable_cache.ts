/**
 * In-process Cache that survives restarts, for the single-process mode: what Redis keeps
 * across a server restart (web sessions above all) must survive one here too, kill -9
 * included.
 *
 * Reads never touch the disk: every live entry is held in memory, exactly as the memory
 * cache holds it (encodeJson bodies, the same TTL rules, the same bound and eviction order).
 * Writes go to memory at once (a read right after sees them) and through to a SQLite file
 * (WAL, synchronous NORMAL): the writes of one event-loop turn are committed in one
 * transaction, and a `set`/`mset`/`del` resolves only once its transaction has committed, so
 * whatever was acknowledged survives kill -9 of the process (a power loss or OS crash may
 * lose the last commits). On open, the unexpired rows are read back in write order.
 *
 * One process per file: another process's writes to the same file are not seen until a
 * restart (the embedded mode runs one server per data directory).
 */
import { clearImmediate, setImmediate } from "node:timers";
import { DEFAULT_CACHE_MAX_ENTRIES, type MemoryCache, type MemoryCacheOptions } from "./cache.ts";
import { createTtlMap, monotonicNow } from "./_ttl_map.ts";
import { CacheFile, type CacheRow } from "./_cache_file.ts";
import { cachedUntil, encodeCached, readCached } from "./_cache_values.ts";
import { describeCause } from "../errors.ts";

/** Options of the durable in-process cache. */
export interface DurableCacheOptions extends MemoryCacheOptions {
  /** The SQLite file (created with its directory when missing). */
  path: string;
  /** How often expired rows are deleted from the file (default 60 s). */
  sweepIntervalMs?: number;
}

/** An in-process cache written through to a file. */
export interface DurableCache extends MemoryCache {
  /** Commits what is pending and closes the file; later writes are refused. */
  close(): Promise<void>;
}

// Expired rows deleted per sweep transaction, so that a sweep never holds the loop long.
const SWEEP_CHUNK = 1_000;

/** The writes of one event-loop turn, and the promise their callers wait on. */
interface Batch {
  ops: Map<string, CacheRow | null>;
  done: PromiseWithResolvers<void>;
}

/**
 * Opens the cache file at `path` and loads its unexpired entries; throws an error naming the
 * path when the file cannot be opened or read (not a database, no permission, ...).
 *
 * The clock (default: monotonic, on the epoch) is also the clock of the expiry times kept in
 * the file, so that a TTL runs on across a restart.
 */
export function createDurableCache(options: DurableCacheOptions): DurableCache {
  const now = options.now ?? monotonicNow;
  const maxEntries = options.maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES;
  const path = options.path;
  const file = new CacheFile(path);
  const map = createTtlMap<string>({ now, maxEntries });
  let seq = 0;
  let batch: Batch | undefined;
  let flushing: ReturnType<typeof setImmediate> | undefined;
  let closed = false;

  const pending = (): Batch => {
    if (batch === undefined) {
      batch = { ops: new Map(), done: Promise.withResolvers() };
      flushing = setImmediate(flush);
    }
    return batch;
  };

  // Stores in memory and queues the row; an entry evicted to make room loses its row too.
  const put = (ops: Batch["ops"], key: string, value: string, expiresAt: number) => {
    for (const evicted of map.set(key, value, expiresAt)) ops.set(evicted, null);
    ops.set(key, { value, expiresAt, seq: ++seq });
  };

  function flush(): void {
    const b = batch;
    batch = undefined;
    flushing = undefined;
    if (b === undefined) return;
    try {
      file.write(b.ops);
      b.done.resolve();
    } catch (err) {
      // Memory keeps the new values (reads see them); the caller learns they are not durable.
      b.done.reject(
        new Error(`Cannot write the cache file ${path}: ${describeCause(err)}`, { cause: err }),
      );
    }
  }

  const write = (fn: (ops: Batch["ops"]) => void): Promise<void> =>
    Promise.try(() => {
      if (closed) throw new Error(`The cache at ${path} is closed`);
      const b = pending();
      fn(b.ops);
      return b.done.promise;
    });

  const expiry = (ttlMs: number | undefined) => cachedUntil(now, ttlMs);
  const read = <T>(key: string) => readCached<T>(map, key);

  try {
    // Rows past a bound lowered since they were written are evicted now, for good.
    const evicted: Batch["ops"] = new Map();
    for (const row of file.load(now())) {
      seq = Math.max(seq, row.seq);
      for (const key of map.set(row.key, row.value, row.expiresAt)) evicted.set(key, null);
    }
    if (evicted.size > 0) file.write(evicted);
  } catch (err) {
    file.close();
    throw err;
  }

  // One chunk per turn, each its own transaction: writes are committed in between.
  let sweepMore: ReturnType<typeof setTimeout> | undefined;
  const sweepFile = () => {
    sweepMore = undefined;
    if (closed) return;
    try {
      if (file.sweep(now(), SWEEP_CHUNK) < SWEEP_CHUNK) return;
    } catch {
      return; // busy or failing disk: the next sweep tries again; loads skip expired rows
    }
    const next = setTimeout(sweepFile, 0);
    Deno.unrefTimer(next);
    sweepMore = next;
  };
  const sweeper = setInterval(() => sweepMore ?? sweepFile(), options.sweepIntervalMs ?? 60_000);
  Deno.unrefTimer(sweeper);

  return {
    get size() {
      return map.size;
    },
    // Promise.try: a failure is a rejected promise as with Redis, never a synchronous throw.
    get: <T>(key: string) => Promise.try(() => read<T>(key)),
    mget: <T>(keys: string[]) => Promise.try(() => keys.map((k) => read<T>(k))),
    set: (key, value, opts = {}) =>
      Promise.try(() => {
        const body = encodeCached(key, value);
        return write((ops) => put(ops, key, body, expiry(opts.ttlMs)));
      }),
    mset: (entries, opts = {}) =>
      Promise.try(() => {
        if (entries.length === 0) return;
        // Encoded first, so a value that cannot be stored leaves the batch unapplied.
        const bodies = entries.map(([key, value]) => encodeCached(key, value));
        const at = expiry(opts.ttlMs);
        return write((ops) => entries.forEach(([key], i) => put(ops, key, bodies[i], at)));
      }),
    del: (...keys) =>
      Promise.try(() => {
        if (keys.length === 0) return 0;
        let n = 0;
        const done = write((ops) => {
          for (const key of keys) {
            if (map.delete(key)) n++;
            ops.set(key, null); // an expired row may still be in the file
          }
        });
        return done.then(() => n);
      }),
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      clearInterval(sweeper);
      clearTimeout(sweepMore);
      if (flushing !== undefined) clearImmediate(flushing);
      flush();
      file.close();
      return Promise.resolve();
    },
  };
}
