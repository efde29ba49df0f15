/**
 * Rate limiter on Redis using GCRA (the generic cell rate algorithm): one key per limited
 * subject storing its theoretical arrival time, updated atomically by a Lua script that reads
 * Redis's own clock, so every process shares one view of time.
 */
import type { RedisClient } from "./client.ts";

/** A limit: `rate` requests per `periodMs`, with bursts of up to `burst`. */
export interface Limit {
  rate: number;
  burst: number;
  /** Default 1,000 ms. */
  periodMs?: number;
}

/** Outcome of one check. */
export interface LimitResult {
  allowed: boolean;
  /** How many more could be allowed right now. */
  remaining: number;
  /** When denied, how long until this request would be allowed (-1: never, n > burst). */
  retryAfterMs: number;
  /** How long until the limiter is back to a full burst. */
  resetAfterMs: number;
}

/** A rate limiter. */
export interface Limiter {
  /** Takes `n` units for `key` if the limit allows it; takes nothing when it does not. */
  allowN(key: string, n: number, limit: Limit): Promise<LimitResult>;
  /**
   * The same decision made at once from what this process holds, when it can be (a local
   * allowance); undefined when only `allowN` can decide. Optional.
   */
  allowNowN?(key: string, n: number): LimitResult | undefined;
}

// KEYS[1] = key; ARGV = emission interval (ms), burst, n. Times in ms with fractions.
const GCRA = `
local emission = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local burst_offset = emission * burst
local increment = emission * n
local new_tat = tat + increment
local allow_at = new_tat - burst_offset
local diff = now - allow_at
if diff < 0 then
  local retry = -diff
  if increment > burst_offset then retry = -1 end
  local remaining = math.floor((now - (tat - burst_offset)) / emission)
  if remaining < 0 then remaining = 0 end
  return {0, remaining, tostring(retry), tostring(tat - now)}
end
local reset = new_tat - now
if reset > 0 then redis.call('SET', KEYS[1], tostring(new_tat), 'PX', math.ceil(reset)) end
return {1, math.floor(diff / emission), '0', tostring(reset)}
`;

/** Creates a GCRA limiter on Redis; keys get `prefix` (default "rate:"). */
export function createRedisLimiter(redis: RedisClient, options: { prefix?: string } = {}): Limiter {
  const prefix = options.prefix ?? "rate:";
  const gcra = redis.script(GCRA);
  return {
    async allowN(key, n, limit) {
      if (!(limit.rate > 0) || !(limit.burst > 0) || !(n >= 0)) {
        throw new RangeError(`Invalid limit for "${key}": rate and burst must be > 0, n >= 0`);
      }
      const emission = (limit.periodMs ?? 1_000) / limit.rate;
      const [allowed, remaining, retry, reset] = await gcra([prefix + key], [
        emission,
        limit.burst,
        n,
      ]) as [number, number, string, string];
      return {
        allowed: allowed === 1,
        remaining: Number(remaining),
        retryAfterMs: Math.max(-1, Math.ceil(Number(retry))),
        resetAfterMs: Math.max(0, Math.ceil(Number(reset))),
      };
    },
  };
}

/**
 * A limiter that takes units from `inner` in chunks and hands them out locally, so a hot key
 * costs one Redis round trip per chunk instead of per request. Units are taken from the
 * shared limiter before they are used, so the global limit is never exceeded; units a process
 * does not use within `holdMs` are dropped (the limit errs on the strict side). One refill per
 * key is in flight at a time: concurrent callers wait for it rather than each asking Redis.
 */
export function withReservoir(
  inner: Limiter,
  options: { maxChunk?: number; holdMs?: number } = {},
): Limiter {
  const maxChunk = options.maxChunk ?? 200;
  const holdMs = options.holdMs ?? 1_000;
  const pools = new Map<string, { left: number; until: number; chunk: number; limit: Limit }>();
  const refills = new Map<string, Promise<boolean>>();

  const take = (key: string, n: number): LimitResult | undefined => {
    const pool = pools.get(key);
    if (!pool || pool.until <= Date.now() || pool.left < n) return undefined;
    pool.left -= n;
    // A pool running low is topped up in the background, so a steady stream of callers
    // rarely finds it empty and waits for Redis.
    if (pool.left < pool.chunk / 4 && !refills.has(key)) {
      refill(key, pool.chunk, pool.limit).catch(() => {});
    }
    return { allowed: true, remaining: pool.left, retryAfterMs: 0, resetAfterMs: 0 };
  };

  const refill = (key: string, chunk: number, limit: Limit): Promise<boolean> => {
    const running = refills.get(key);
    if (running) return running;
    const p = inner.allowN(key, chunk, limit).then((r) => {
      if (r.allowed) {
        if (pools.size > 10_000) pools.clear();
        // The few units still held (under a quarter of a chunk) are kept with the new expiry.
        const now = Date.now();
        const held = pools.get(key);
        const left = held && held.until > now ? held.left : 0;
        pools.set(key, { left: left + chunk, until: now + holdMs, chunk, limit });
      }
      return r.allowed;
    }).finally(() => refills.delete(key));
    refills.set(key, p);
    return p;
  };

  return {
    allowNowN: take,
    async allowN(key, n, limit) {
      const hit = take(key, n);
      if (hit) return hit;
      // About 1/50 of a second's allowance per chunk: small enough to share fairly.
      const chunk = Math.max(n, Math.min(maxChunk, Math.floor(limit.rate / 50), limit.burst));
      if (chunk > n) {
        // Two rounds: a refill shared with other callers may be used up before our turn.
        for (let round = 0; round < 2; round++) {
          if (!(await refill(key, chunk, limit))) break;
          const got = take(key, n);
          if (got) return got;
        }
      }
      return await inner.allowN(key, n, limit);
    },
  };
}
