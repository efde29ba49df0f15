/** Contract suite for `Cache`: any implementation must pass it. */
import assert from "node:assert/strict";
import type { Cache } from "../../infra/redis/cache.ts";
import { sleep, uniqueSuffix } from "../_env.ts";

/** Registers the cache contract tests for one implementation. */
export function cacheContract(
  impl: string,
  open: () => Promise<{ cache: Cache; close(): Promise<void> }>,
): void {
  const test = (name: string, fn: (cache: Cache, ns: string) => Promise<void>) =>
    Deno.test({
      name: `cache contract (${impl}): ${name}`,
      fn: async () => {
        const { cache, close } = await open();
        try {
          await fn(cache, `t${uniqueSuffix()}:`);
        } finally {
          await close();
        }
      },
    });

  test("set, get and delete JSON values, bigints included", async (c, ns) => {
    const value = { id: 7345678901234567890n, name: "p", tags: ["a"], nested: { n: 1.5, b: null } };
    await c.set(ns + "k", value);
    assert.deepEqual(await c.get(ns + "k"), value);
    assert.equal(await c.get(ns + "missing"), undefined);
    assert.equal(await c.del(ns + "k", ns + "missing"), 1);
    assert.equal(await c.get(ns + "k"), undefined);
  });

  test("values expire after their TTL", async (c, ns) => {
    await c.set(ns + "short", "v", { ttlMs: 150 });
    await c.set(ns + "long", "v", { ttlMs: 60_000 });
    assert.equal(await c.get(ns + "short"), "v");
    await sleep(300);
    assert.equal(await c.get(ns + "short"), undefined);
    assert.equal(await c.get(ns + "long"), "v");
  });

  test("batch get answers in the order asked, with gaps", async (c, ns) => {
    await c.mset<unknown>([[ns + "a", 1], [ns + "c", { x: 3 }]], { ttlMs: 60_000 });
    assert.deepEqual(await c.mget([ns + "c", ns + "b", ns + "a"]), [{ x: 3 }, undefined, 1]);
    assert.deepEqual(await c.mget([]), []);
  });

  test("a later set replaces the value and its TTL; empty batches are fine", async (c, ns) => {
    await c.set(ns + "k", "first", { ttlMs: 150 });
    await c.set(ns + "k", "second");
    await sleep(300);
    assert.equal(await c.get(ns + "k"), "second", "a set without TTL keeps the value");
    await c.set(ns + "k", "third", { ttlMs: 150 });
    await sleep(300);
    assert.equal(await c.get(ns + "k"), undefined, "a set with TTL makes it expire again");
    assert.equal(await c.del(), 0);
    await c.mset([]);
  });

  test("strings that look like tags stay strings", async (c, ns) => {
    const tricky = { s: '{"$bigint":"1"}', arr: ["$bigint"], falsy: [0, "", false] };
    await c.set(ns + "t", tricky);
    assert.deepEqual(await c.get(ns + "t"), tricky);
  });
}
