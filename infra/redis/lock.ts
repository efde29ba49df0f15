/**
 * Distributed locks on Redis: `SET key token NX PX ttl` to acquire; release and extend run
 * as Lua scripts that act only when the stored token is the caller's, so a process whose
 * lock expired can never release or extend a lock someone else now holds. What a locker does
 * whatever its store (waiting with backoff, renewing, tokens) is exported for the in-process
 * locker (../memory/lock.ts) too.
 */
import type { RedisClient } from "./client.ts";

/** A held lock. */
export interface Lock {
  readonly key: string;
  /** Random token identifying this holder. */
  readonly token: string;
  /** Releases the lock; false when it was no longer ours (expired, taken over). */
  release(): Promise<boolean>;
  /** Resets the TTL; false when it was no longer ours. */
  extend(ttlMs: number): Promise<boolean>;
}

/** A lock that extends itself until released. */
export interface RenewingLock extends Lock {
  /** Aborted when a renewal found the lock no longer ours (or Redis unreachable past the TTL). */
  readonly lost: AbortSignal;
}

/** Options for waiting on a busy lock. */
export interface AcquireOptions {
  /** Give up after this long (default 10 s). */
  waitMs?: number;
  /** First backoff delay (default 20 ms), doubling up to maxDelayMs (default 500 ms), with jitter. */
  minDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
}

/** Factory of distributed locks. */
export interface Locker {
  /** One attempt: the lock, or null when another holder has it. */
  tryAcquire(key: string, ttlMs: number): Promise<Lock | null>;
  /** Retries with exponential backoff until acquired or `waitMs` passes (null). */
  acquire(key: string, ttlMs: number, options?: AcquireOptions): Promise<Lock | null>;
  /** Like acquire, then extends the TTL every ttl/3 until released. */
  acquireRenewing(
    key: string,
    ttlMs: number,
    options?: AcquireOptions,
  ): Promise<RenewingLock | null>;
  /** Releases `key` if `token` holds it. */
  release(key: string, token: string): Promise<boolean>;
  /** Extends `key` to `ttlMs` if `token` holds it. */
  extend(key: string, token: string, ttlMs: number): Promise<boolean>;
}

const RELEASE =
  `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;
const EXTEND =
  `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`;

/** Creates a Redis-backed Locker; keys get `prefix` (default "lock:"). */
export function createRedisLocker(redis: RedisClient, options: { prefix?: string } = {}): Locker {
  const prefix = options.prefix ?? "lock:";
  const k = (key: string) => prefix + key;

  const releaseScript = redis.script(RELEASE);
  const extendScript = redis.script(EXTEND);
  const release = async (key: string, token: string) =>
    Number(await releaseScript([k(key)], [token])) === 1;
  const extend = async (key: string, token: string, ttlMs: number) =>
    Number(await extendScript([k(key)], [token, Math.ceil(ttlMs)])) === 1;
  const handle = (key: string, token: string): Lock => ({
    key,
    token,
    release: () => release(key, token),
    extend: (ttlMs) => extend(key, token, ttlMs),
  });

  const tryAcquire = async (key: string, ttlMs: number) => {
    const token = newLockToken();
    const ok = await redis.call((r) => r.set(k(key), token, "PX", Math.ceil(ttlMs), "NX"));
    return ok === "OK" ? handle(key, token) : null;
  };

  const acquire = (key: string, ttlMs: number, o: AcquireOptions = {}) =>
    acquireWithBackoff(() => tryAcquire(key, ttlMs), { ...o, pause: sleep });

  return {
    tryAcquire,
    acquire,
    release,
    extend,
    async acquireRenewing(key, ttlMs, o = {}) {
      const lock = await acquire(key, ttlMs, o);
      return lock ? keepRenewed(lock, ttlMs) : null;
    },
  };
}

/**
 * Calls `attempt` until it gives a lock, or null once `waitMs` has passed, with exponential
 * backoff and jitter in between; `pause` sleeps between attempts (it may wake up early).
 */
export async function acquireWithBackoff(
  attempt: () => Lock | null | Promise<Lock | null>,
  options: AcquireOptions & { pause: (ms: number, signal?: AbortSignal) => Promise<void> },
): Promise<Lock | null> {
  const o = options;
  const deadline = Date.now() + (o.waitMs ?? 10_000);
  let delay = o.minDelayMs ?? 20;
  for (;;) {
    o.signal?.throwIfAborted();
    const lock = await attempt();
    if (lock) return lock;
    const left = deadline - Date.now();
    if (left <= 0) return null;
    // The backoff matters even to a pause that wakes on release: a lock may also free by
    // expiring, which wakes nobody.
    const jittered = delay / 2 + Math.random() * delay / 2;
    await o.pause(Math.min(jittered, left), o.signal);
    delay = Math.min(delay * 2, o.maxDelayMs ?? 500);
  }
}

/**
 * Extends `lock` every ttl/3 until released; `lost` aborts once an extension is refused, or
 * once extensions have failed (store unreachable) for a whole TTL.
 */
export function keepRenewed(lock: Lock, ttlMs: number): RenewingLock {
  const lost = new AbortController();
  let released = false;
  let lastConfirmed = Date.now();
  const tick = async () => {
    try {
      if (await lock.extend(ttlMs)) lastConfirmed = Date.now();
      else lost.abort(new Error(`Lock "${lock.key}" was lost`));
    } catch (err) {
      // Redis unreachable: the lock may already be gone once the TTL has passed.
      if (Date.now() - lastConfirmed >= ttlMs) lost.abort(err);
    }
  };
  const timer = setInterval(() => {
    if (!released && !lost.signal.aborted) tick();
  }, Math.max(10, Math.floor(ttlMs / 3)));
  const stop = () => {
    released = true;
    clearInterval(timer);
  };
  lost.signal.addEventListener("abort", stop, { once: true });
  return {
    key: lock.key,
    token: lock.token,
    lost: lost.signal,
    extend: (ms) => lock.extend(ms),
    release() {
      stop();
      return lock.release();
    },
  };
}

/** A random token (128 bits, hex) telling one holder of a lock from the next. */
export function newLockToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      reject(signal.reason);
    }, { once: true });
  });
}
