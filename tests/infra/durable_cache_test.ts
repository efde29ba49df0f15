/**
 * The durable in-process cache of the embedded mode: the cache contract, plus what only it
 * must show: entries and their TTLs survive reopening the file and kill -9 of the process,
 * expired entries are never loaded, acknowledged writes are committed, the bound of the
 * memory cache holds on disk too, and a bad file fails with its path.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { createMemoryCache } from "../../infra/memory/cache.ts";
import { createDurableCache, type DurableCache } from "../../infra/memory/durable_cache.ts";
import { cacheContract } from "../contract/cache_contract.ts";
import { sleep } from "../_env.ts";

const dir = Deno.makeTempDirSync({ prefix: "durable_cache_test_" });
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(dir, { recursive: true });
  } catch { /* already gone */ }
});

let files = 0;
/** A fresh cache file in the temp directory. */
function tempFile(): string {
  return `${dir}/c${++files}.sqlite`;
}

cacheContract("durable", () => {
  const cache = createDurableCache({ path: tempFile() });
  return Promise.resolve({ cache, close: () => cache.close() });
});

/** A clock the test moves by hand. */
function manualClock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

/** The rows of the file as another connection sees them (committed ones only). */
function rows(path: string): Map<string, { value: string; expires_at: number | null }> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const all = db.prepare("SELECT key, value, expires_at FROM cache_entries").all() as {
      key: string;
      value: string;
      expires_at: number | null;
    }[];
    return new Map(all.map((r) => [r.key, { value: r.value, expires_at: r.expires_at }]));
  } finally {
    db.close();
  }
}

/** Opens `path`, runs `fn`, closes. */
async function withCache(
  options: Parameters<typeof createDurableCache>[0],
  fn: (cache: DurableCache) => Promise<void>,
): Promise<void> {
  const cache = createDurableCache(options);
  try {
    await fn(cache);
  } finally {
    await cache.close();
  }
}

Deno.test("durable cache: values and TTLs survive reopening; deletes too", async () => {
  const path = tempFile();
  const clock = manualClock();
  const value = { id: 7345678901234567890n, list: [1n, "x"], nested: { b: null } };
  await withCache({ path, now: clock.now }, async (c) => {
    await c.set("big", value);
    await c.set("short", "s", { ttlMs: 1_000 });
    await c.mset<unknown>([["a", 1], ["b", { x: 2n }]], { ttlMs: 10_000 });
    await c.set("gone", "g");
    assert.equal(await c.del("gone", "never"), 1);
    await c.set("rewritten", "first", { ttlMs: 500 });
    await c.set("rewritten", "second"); // no TTL any more
  });
  clock.advance(999);
  await withCache({ path, now: clock.now }, async (c) => {
    assert.deepEqual(await c.get("big"), value, "bigints round-trip through the file");
    assert.deepEqual(await c.mget(["short", "a", "b", "gone"]), ["s", 1, { x: 2n }, undefined]);
    assert.equal(await c.get("rewritten"), "second");
    clock.advance(1);
    assert.equal(await c.get("short"), undefined, "the TTL ran on across the restart");
    assert.equal(await c.get("a"), 1);
  });
  clock.advance(9_000);
  await withCache({ path, now: clock.now }, async (c) => {
    assert.deepEqual(await c.mget(["short", "a", "b"]), [undefined, undefined, undefined]);
    assert.equal(c.size, 2, "big and rewritten only");
  });
});

Deno.test("durable cache: expired entries are not loaded, and their rows are deleted", async () => {
  const path = tempFile();
  const clock = manualClock();
  await withCache({ path, now: clock.now }, async (c) => {
    for (let i = 0; i < 50; i++) await c.set(`old${i}`, i, { ttlMs: 100 });
    await c.mset(Array.from({ length: 50 }, (_, i) => [`new${i}`, i]), { ttlMs: 60_000 });
  });
  assert.equal(rows(path).size, 100);
  clock.advance(100);
  await withCache({ path, now: clock.now }, async (c) => {
    assert.equal(c.size, 50, "only the live entries are held");
    assert.equal(await c.get("old1"), undefined);
    assert.equal(await c.get("new1"), 1);
  });
  const left = rows(path);
  assert.equal(left.size, 50);
  assert.ok([...left.keys()].every((k) => k.startsWith("new")));
});

Deno.test("durable cache: expired rows are swept while it runs", async () => {
  const path = tempFile();
  const clock = manualClock();
  await withCache({ path, now: clock.now, sweepIntervalMs: 20 }, async (c) => {
    await c.mset(Array.from({ length: 2_500 }, (_, i) => [`k${i}`, i]), { ttlMs: 50 });
    await c.set("kept", true);
    clock.advance(50);
    await sleep(200);
    assert.deepEqual([...rows(path).keys()], ["kept"]);
  });
});

Deno.test("durable cache: a write resolves once committed; memory answers first", async () => {
  const path = tempFile();
  await withCache({ path }, async (c) => {
    const first = c.set("k", "v1", { ttlMs: 60_000 });
    const second = c.mset([["k", "v2"], ["other", "o"]]);
    assert.equal(await c.get("k"), "v2", "seen at once in this process");
    assert.equal(rows(path).size, 0, "not committed yet: same turn, one batch");
    await first;
    const committed = rows(path);
    assert.deepEqual(committed.get("k"), { value: '"v2"', expires_at: null });
    assert.equal(committed.get("other")?.value, '"o"');
    await second;
    const removed = c.del("k");
    assert.equal(rows(path).has("k"), true);
    assert.equal(await removed, 1);
    assert.equal(rows(path).has("k"), false, "deleted from the file when del resolves");
    await c.set("pending", 1);
    const unflushed = c.set("at close", 2);
    await c.close();
    await unflushed;
    assert.equal(rows(path).get("at close")?.value, "2", "close commits what is pending");
    await assert.rejects(c.set("late", 1), /closed/);
    await assert.rejects(c.set("u", undefined), TypeError);
  });
});

Deno.test("durable cache: the memory cache's bound; evicted entries leave the file", async () => {
  const path = tempFile();
  await withCache({ path, maxEntries: 3 }, async (c) => {
    await c.mset([["a", 1], ["b", 2], ["c", 3]]);
    await c.set("a", 10); // rewritten: now the newest
    await c.set("d", 4);
    assert.deepEqual(await c.mget(["a", "b", "c", "d"]), [10, undefined, 3, 4]);
  });
  assert.deepEqual([...rows(path).keys()].sort(), ["a", "c", "d"]);
  // The write order is kept across the restart: "c" is the oldest now.
  await withCache({ path, maxEntries: 3 }, async (c) => {
    await c.set("e", 5);
    assert.deepEqual(await c.mget(["a", "c", "d", "e"]), [10, undefined, 4, 5]);
  });
  assert.deepEqual([...rows(path).keys()].sort(), ["a", "d", "e"]);
  // A bound lowered since: the oldest entries go at once, from the file too.
  await withCache({ path, maxEntries: 2 }, async (c) => {
    assert.deepEqual(await c.mget(["a", "d", "e"]), [undefined, 4, 5]);
  });
  assert.deepEqual([...rows(path).keys()].sort(), ["d", "e"]);
});

Deno.test("durable cache: answers as the memory cache does, and still after reopening", async () => {
  const path = tempFile();
  const clock = manualClock();
  const memory = createMemoryCache({ now: clock.now, maxEntries: 40 });
  const keys = Array.from({ length: 60 }, (_, i) => `k${i}`);
  // A fixed pseudo-random walk: rewrites, new keys past the bound, deletes, TTLs running out.
  let x = 12345;
  const rand = (n: number) => (x = (x * 1103515245 + 12345) % 2 ** 31) % n;
  await withCache({ path, now: clock.now, maxEntries: 40 }, async (c) => {
    for (let step = 0; step < 3_000; step++) {
      const key = keys[rand(keys.length)];
      const op = rand(10);
      const ttl = rand(3) === 0 ? { ttlMs: 1 + rand(50) } : {};
      if (op < 6) await Promise.all([c.set(key, step, ttl), memory.set(key, step, ttl)]);
      else if (op < 8) {
        const batch: [string, number][] = [[key, step], [keys[rand(keys.length)], -step]];
        await Promise.all([c.mset(batch, ttl), memory.mset(batch, ttl)]);
      } else assert.equal(await c.del(key), await memory.del(key), `del at step ${step}`);
      clock.advance(rand(5));
      if (step % 100 === 0) assert.deepEqual(await c.mget(keys), await memory.mget(keys));
    }
    assert.deepEqual(await c.mget(keys), await memory.mget(keys));
  });
  await withCache({ path, now: clock.now, maxEntries: 40 }, async (c) => {
    assert.deepEqual(await c.mget(keys), await memory.mget(keys), "the same after reopening");
    for (let i = 0; i < 30; i++) {
      await Promise.all([c.set(`new${i}`, i), memory.set(`new${i}`, i)]);
    }
    // Expired entries were not loaded, so it may evict later than the memory cache (which
    // counts expired entries not yet swept), never earlier, and in the same order.
    const [durable, inMemory] = [await c.mget(keys), await memory.mget(keys)];
    inMemory.forEach((v, i) => {
      if (v !== undefined) assert.equal(durable[i], v, `${keys[i]} is kept`);
    });
  });
});

const MODULE = new URL("../../infra/memory/durable_cache.ts", import.meta.url).href;

Deno.test({
  name: "durable cache: nothing acknowledged is lost when the process is killed (-9)",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const path = tempFile();
    // Acknowledged writes of every kind, then "done"; then writes on and on until killed.
    const proc = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { createDurableCache } from ${JSON.stringify(MODULE)};
const c = createDurableCache({ path: ${JSON.stringify(path)} });
await c.set("session:1", "42", { ttlMs: 7 * 24 * 3600 * 1000 });
await c.mset([["big", { id: 7345678901234567890n }], ["drop", 1], ["x", "old"]]);
await Promise.all([c.set("x", "new"), c.del("drop"), c.set("same turn", true)]);
console.log("done");
for (let i = 0; ; i++) {
  await Promise.all([c.set("n" + i, i), c.set("last", i)]);
  console.log("acked " + i);
}`,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    let out = "";
    const decoder = new TextDecoder();
    const reader = proc.stdout.getReader();
    while (!/acked 200\n/.test(out)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`The writer ended early: ${out}`);
      out += decoder.decode(value, { stream: true });
    }
    proc.kill("SIGKILL"); // while it keeps writing: most likely mid-transaction
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      out += decoder.decode(r.value, { stream: true });
    }
    assert.equal((await proc.status).signal, "SIGKILL");
    const acked = Math.max(...[...out.matchAll(/^acked (\d+)$/gm)].map((m) => Number(m[1])));
    assert.ok(out.startsWith("done\n") && acked >= 200);

    await withCache({ path }, async (c) => {
      assert.equal(await c.get("session:1"), "42");
      assert.deepEqual(await c.get("big"), { id: 7345678901234567890n });
      assert.deepEqual(await c.mget(["x", "drop", "same turn"]), ["new", undefined, true]);
      const keys = Array.from({ length: acked + 1 }, (_, i) => `n${i}`);
      const got = await c.mget<number>(keys);
      got.forEach((v, i) => assert.equal(v, i, `acknowledged n${i} is there`));
      const last = await c.get<number>("last");
      assert.ok(last !== undefined && last >= acked, `last ${last} >= ${acked}`);
    });
  },
});

Deno.test("durable cache: a file that is no database fails with its path", () => {
  const path = tempFile();
  Deno.writeTextFileSync(path, "this is not a SQLite database, but long enough to look at it");
  assert.throws(
    () => createDurableCache({ path }),
    (err: Error) => err.message.startsWith(`Cannot open the cache file ${path}: `),
  );
  const asDir = `${dir}/a_directory.sqlite`;
  Deno.mkdirSync(asDir);
  assert.throws(
    () => createDurableCache({ path: asDir }),
    (err: Error) => err.message.includes(asDir),
  );
});
