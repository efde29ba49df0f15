/**
 * The reservoir in front of the Redis limiter (what the prompt hub uses): it never lets more
 * through than the shared limit, concurrent callers share one refill, and a denial from Redis
 * is a denial.
 */
import assert from "node:assert/strict";
import { createRedisClient } from "../../infra/redis/client.ts";
import { createRedisLimiter, type Limiter, withReservoir } from "../../infra/redis/limiter.ts";
import { testConfig, uniqueSuffix } from "../_env.ts";

async function withRedisLimiter(fn: (l: Limiter, key: string) => Promise<void>) {
  const r = createRedisClient(testConfig().redis);
  try {
    await fn(createRedisLimiter(r, { prefix: "test:reservoir:" }), `k${uniqueSuffix()}`);
  } finally {
    await r.close();
  }
}

/** Counts the calls that reach the shared limiter. */
function counting(inner: Limiter) {
  const calls: number[] = [];
  const limiter: Limiter = {
    allowN(key, n, limit) {
      calls.push(n);
      return inner.allowN(key, n, limit);
    },
  };
  return { limiter, calls };
}

Deno.test("reservoir: two processes together never exceed the shared limit", async () => {
  await withRedisLimiter(async (shared, key) => {
    const limit = { rate: 500, burst: 40 }; // chunks of 10
    const a = withReservoir(shared);
    const b = withReservoir(shared);
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).allowN(key, 1, limit)),
    );
    const elapsedS = (performance.now() - started) / 1000;
    const allowed = results.filter((r) => r.allowed).length;
    const ceiling = 40 + Math.ceil(500 * elapsedS);
    assert.ok(allowed <= ceiling, `allowed ${allowed} > shared allowance ${ceiling}`);
    // Units a process holds but cannot hand out are at most one chunk per process.
    assert.ok(allowed >= 40 - 2 * 10, `allowed only ${allowed}`);
    assert.ok(results.some((r) => !r.allowed), "the limit was reached");
  });
});

Deno.test("reservoir: concurrent callers share one refill", async () => {
  await withRedisLimiter(async (shared, key) => {
    const { limiter, calls } = counting(shared);
    const reservoir = withReservoir(limiter);
    const limit = { rate: 1_000_000, burst: 2_000_000 }; // chunks of 200
    const results = await Promise.all(
      Array.from({ length: 150 }, () => reservoir.allowN(key, 1, limit)),
    );
    assert.ok(results.every((r) => r.allowed));
    assert.deepEqual(calls, [200], "one refill of 200 served all 150 callers");
  });
});

Deno.test("reservoir: a key exhausted elsewhere is denied with a retry-after", async () => {
  await withRedisLimiter(async (shared, key) => {
    const limit = { rate: 100, burst: 10 };
    assert.equal((await shared.allowN(key, 10, limit)).allowed, true, "another process took all");
    const denied = await withReservoir(shared).allowN(key, 1, limit);
    assert.equal(denied.allowed, false);
    assert.ok(denied.retryAfterMs > 0, `retry ${denied.retryAfterMs}`);
  });
});
