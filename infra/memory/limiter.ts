/**
 * In-process rate limiter for the single-process mode: the same GCRA as the Redis limiter's
 * script (one theoretical arrival time per key, same rounding, same answers), on this
 * process's monotonic clock. A key's state lives until its arrival time has passed, and a
 * little longer so `allowNowN` can decide for keys in use; then it is swept.
 */
import type { Limit, Limiter, LimitResult } from "../redis/limiter.ts";
import { createTtlMap } from "./_ttl_map.ts";

// How long a key's limit is remembered past its arrival time, for allowNowN.
const REMEMBER_MS = 60_000;

interface State {
  /** Theoretical arrival time (ms on the map's clock); at or before now: a full burst. */
  tat: number;
  emission: number;
  burst: number;
}

/** A Limiter held in this process. */
export interface MemoryLimiter extends Limiter {
  /** Decides at once with the limit last used for `key` (undefined when none is known). */
  allowNowN(key: string, n: number): LimitResult | undefined;
  /** Keys held (expired ones not yet swept included). */
  readonly size: number;
}

/** Creates an in-process GCRA limiter on `now` (default: a monotonic clock, ms). */
export function createMemoryLimiter(options: { now?: () => number } = {}): MemoryLimiter {
  const map = createTtlMap<State>({ now: options.now });

  const decide = (key: string, n: number, emission: number, burst: number): LimitResult => {
    const now = map.now();
    const tat = Math.max(map.get(key)?.tat ?? now, now);
    const burstOffset = emission * burst;
    const increment = emission * n;
    const newTat = tat + increment;
    const diff = now - (newTat - burstOffset);
    if (diff < 0) {
      return {
        allowed: false,
        remaining: Math.max(0, Math.floor((now - (tat - burstOffset)) / emission)),
        retryAfterMs: increment > burstOffset ? -1 : Math.ceil(-diff),
        resetAfterMs: Math.max(0, Math.ceil(tat - now)),
      };
    }
    const reset = newTat - now;
    if (reset > 0) map.set(key, { tat: newTat, emission, burst }, newTat + REMEMBER_MS);
    return {
      allowed: true,
      remaining: Math.floor(diff / emission),
      retryAfterMs: 0,
      resetAfterMs: Math.max(0, Math.ceil(reset)),
    };
  };

  return {
    get size() {
      return map.size;
    },
    allowN: (key: string, n: number, limit: Limit) =>
      Promise.try(() => {
        if (!(limit.rate > 0) || !(limit.burst > 0) || !(n >= 0)) {
          throw new RangeError(`Invalid limit for "${key}": rate and burst must be > 0, n >= 0`);
        }
        return decide(key, n, (limit.periodMs ?? 1_000) / limit.rate, limit.burst);
      }),
    allowNowN(key, n) {
      const known = map.get(key);
      if (!known || !(n >= 0)) return undefined;
      return decide(key, n, known.emission, known.burst);
    },
  };
}
