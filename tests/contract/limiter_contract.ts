/** Contract suite for `Limiter`: any implementation must pass it. */
import assert from "node:assert/strict";
import type { Limiter } from "../../infra/redis/limiter.ts";
import { sleep, uniqueSuffix } from "../_env.ts";

/** Registers the limiter contract tests for one implementation. */
export function limiterContract(
  impl: string,
  open: () => Promise<{ limiter: Limiter; close(): Promise<void> }>,
): void {
  const test = (name: string, fn: (l: Limiter, key: string) => Promise<void>) =>
    Deno.test({
      name: `limiter contract (${impl}): ${name}`,
      fn: async () => {
        const { limiter, close } = await open();
        try {
          await fn(limiter, `r${uniqueSuffix()}`);
        } finally {
          await close();
        }
      },
    });

  test("allows a burst, then denies with a retry-after", async (l, key) => {
    const limit = { rate: 10, burst: 5, periodMs: 1_000 };
    for (let i = 0; i < 5; i++) {
      const r = await l.allowN(key, 1, limit);
      assert.equal(r.allowed, true, `request ${i} allowed`);
      assert.equal(r.remaining, 4 - i);
    }
    const denied = await l.allowN(key, 1, limit);
    assert.equal(denied.allowed, false);
    assert.equal(denied.remaining, 0);
    assert.ok(
      denied.retryAfterMs > 0 && denied.retryAfterMs <= 100,
      `retry ${denied.retryAfterMs}`,
    );
    await sleep(denied.retryAfterMs + 20);
    assert.equal((await l.allowN(key, 1, limit)).allowed, true, "allowed after retry-after");
  });

  test("n units at once, and more than the burst is never allowed", async (l, key) => {
    const limit = { rate: 100, burst: 10 };
    assert.equal((await l.allowN(key, 7, limit)).allowed, true);
    const denied = await l.allowN(key, 7, limit);
    assert.equal(denied.allowed, false);
    assert.equal(denied.remaining, 3);
    assert.equal((await l.allowN(key, 3, limit)).allowed, true, "a denial took nothing");
    const never = await l.allowN(`${key}:x`, 11, limit);
    assert.equal(never.allowed, false);
    assert.equal(never.retryAfterMs, -1);
  });

  test("keys are independent and refill at the rate", async (l, key) => {
    const limit = { rate: 20, burst: 2, periodMs: 1_000 };
    assert.equal((await l.allowN(key, 2, limit)).allowed, true);
    assert.equal((await l.allowN(key, 1, limit)).allowed, false);
    assert.equal((await l.allowN(`${key}:other`, 2, limit)).allowed, true);
    await sleep(120); // 20/s: one unit every 50 ms
    const r = await l.allowN(key, 2, limit);
    assert.equal(r.allowed, true);
  });

  test("rejects invalid limits", async (l, key) => {
    await assert.rejects(l.allowN(key, 1, { rate: 0, burst: 1 }), RangeError);
    await assert.rejects(l.allowN(key, -1, { rate: 1, burst: 1 }), RangeError);
  });
}
