/** Contract suite for `Locker`: any implementation must pass it. */
import assert from "node:assert/strict";
import type { Locker } from "../../infra/redis/lock.ts";
import { sleep, uniqueSuffix } from "../_env.ts";

/** Registers the lock contract tests; `open` gives two independent lockers (two "processes"). */
export function lockContract(
  impl: string,
  open: () => Promise<{ a: Locker; b: Locker; close(): Promise<void> }>,
): void {
  const test = (name: string, fn: (a: Locker, b: Locker, key: string) => Promise<void>) =>
    Deno.test({
      name: `lock contract (${impl}): ${name}`,
      fn: async () => {
        const { a, b, close } = await open();
        try {
          await fn(a, b, `k${uniqueSuffix()}`);
        } finally {
          await close();
        }
      },
    });

  test("only one holder at a time; free again after release", async (a, b, key) => {
    const la = await a.tryAcquire(key, 5_000);
    assert.ok(la);
    assert.equal(await b.tryAcquire(key, 5_000), null);
    assert.equal(await la.release(), true);
    const lb = await b.tryAcquire(key, 5_000);
    assert.ok(lb);
    await lb.release();
  });

  test("a non-holder can neither release nor extend", async (a, b, key) => {
    const la = await a.tryAcquire(key, 5_000);
    assert.ok(la);
    assert.equal(await b.release(key, "not-the-token"), false);
    assert.equal(await b.extend(key, "not-the-token", 60_000), false);
    assert.equal(await b.tryAcquire(key, 5_000), null, "still held by a");
    assert.equal(await la.release(), true);
  });

  test("an expired holder cannot release or extend the next holder's lock", async (a, b, key) => {
    const la = await a.tryAcquire(key, 100);
    assert.ok(la);
    await sleep(200);
    const lb = await b.tryAcquire(key, 5_000);
    assert.ok(lb, "expired lock can be taken");
    assert.equal(await la.release(), false);
    assert.equal(await la.extend(60_000), false);
    assert.equal(await a.tryAcquire(key, 5_000), null, "b still holds it");
    assert.equal(await lb.release(), true);
  });

  test("extend by the holder keeps the lock past its first TTL", async (a, b, key) => {
    const la = await a.tryAcquire(key, 200);
    assert.ok(la);
    assert.equal(await la.extend(2_000), true);
    await sleep(350);
    assert.equal(await b.tryAcquire(key, 1_000), null);
    await la.release();
  });

  test("acquire with backoff waits for the holder to release", async (a, b, key) => {
    const la = await a.tryAcquire(key, 10_000);
    assert.ok(la);
    setTimeout(() => la.release(), 150);
    const started = Date.now();
    const lb = await b.acquire(key, 5_000, { waitMs: 3_000, minDelayMs: 10 });
    assert.ok(lb, "acquired after release");
    assert.ok(Date.now() - started >= 100);
    assert.equal(await a.acquire(key, 5_000, { waitMs: 100 }), null, "now b holds it");
    await lb.release();
  });

  test("acquire with backoff gives up after waitMs", async (a, b, key) => {
    const la = await a.tryAcquire(key, 10_000);
    assert.ok(la);
    assert.equal(await b.acquire(key, 1_000, { waitMs: 120, minDelayMs: 10 }), null);
    await la.release();
  });

  test("a renewing lock outlives its TTL until released, then frees", async (a, b, key) => {
    const la = await a.acquireRenewing(key, 150, { waitMs: 0 });
    assert.ok(la);
    await sleep(500);
    assert.equal(la.lost.aborted, false);
    assert.equal(await b.tryAcquire(key, 1_000), null, "renewals kept it");
    assert.equal(await la.release(), true);
    const lb = await b.tryAcquire(key, 1_000);
    assert.ok(lb);
    await lb.release();
  });

  test("a renewing lock reports loss when taken over", async (a, b, key) => {
    const la = await a.acquireRenewing(key, 300, { waitMs: 0 });
    assert.ok(la);
    // Simulate a takeover: force-release with the holder's token, then b takes it.
    assert.equal(await b.release(key, la.token), true);
    const lb = await b.tryAcquire(key, 10_000);
    assert.ok(lb);
    await sleep(250);
    assert.equal(la.lost.aborted, true);
    assert.equal(await la.release(), false, "release by the old holder does nothing");
    assert.equal(await a.tryAcquire(key, 1_000), null, "b still holds it");
    await lb.release();
  });
}
