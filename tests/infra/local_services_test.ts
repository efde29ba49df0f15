/**
 * The in-process services of the single-process mode (cache, locks, limiter, broadcast, id
 * generator) against the same contract suites as the Redis ones, plus what only they have:
 * bounded memory, clock handling and restarts of the id generator.
 */
import assert from "node:assert/strict";
import { createMemoryCache } from "../../infra/memory/cache.ts";
import { createLockTable, createMemoryLocker } from "../../infra/memory/lock.ts";
import { createMemoryLimiter } from "../../infra/memory/limiter.ts";
import { createBroadcastBus, createMemoryBroadcast } from "../../infra/memory/broadcast.ts";
import { createLocalIdGenerator } from "../../infra/idgen/local.ts";
import { decomposeId } from "../../infra/idgen/mod.ts";
import { broadcastContract } from "../contract/broadcast_contract.ts";
import { cacheContract } from "../contract/cache_contract.ts";
import { lockContract } from "../contract/lock_contract.ts";
import { limiterContract } from "../contract/limiter_contract.ts";
import { idgenContract } from "../contract/idgen_contract.ts";
import { sleep } from "../_env.ts";

const noop = () => Promise.resolve();

cacheContract("memory", () => Promise.resolve({ cache: createMemoryCache(), close: noop }));

lockContract("memory", () => {
  // Two lockers on one table: two users of the locks of one process.
  const table = createLockTable();
  return Promise.resolve({
    a: createMemoryLocker({ table }),
    b: createMemoryLocker({ table }),
    close: noop,
  });
});

limiterContract("memory", () => Promise.resolve({ limiter: createMemoryLimiter(), close: noop }));

broadcastContract("memory", () => {
  const bus = createBroadcastBus();
  const a = createMemoryBroadcast({ bus });
  const b = createMemoryBroadcast({ bus });
  return Promise.resolve({
    a,
    b,
    close: async () => {
      await a.close();
      await b.close();
    },
  });
});

const idDir = await Deno.makeTempDir({ prefix: "idgen_contract_" });
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(idDir, { recursive: true });
  } catch { /* already gone */ }
});
idgenContract("local", (serverId) => {
  const ids = createLocalIdGenerator({ serverId, dataDir: idDir });
  return Promise.resolve({ ids, close: () => ids.close() });
});

/** A clock the test moves by hand. */
function manualClock(start = 1_700_000_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => void (t += ms),
    set: (ms: number) => void (t = ms),
  };
}

Deno.test("memory cache: expired entries are swept as writes go on", async () => {
  const clock = manualClock();
  const cache = createMemoryCache({ now: clock.now });
  for (let i = 0; i < 1_000; i++) await cache.set(`old${i}`, i, { ttlMs: 10 });
  assert.equal(cache.size, 1_000);
  clock.advance(11);
  for (let i = 0; i < 1_000; i++) await cache.set(`new${i}`, i, { ttlMs: 60_000 });
  assert.equal(cache.size, 1_000, "every expired entry is gone");
  assert.equal(await cache.get("old1"), undefined);
  assert.equal(await cache.get("new1"), 1);
});

Deno.test("memory cache: bounded entries, copies, and the Redis cache's TTL rules", async () => {
  const clock = manualClock();
  const cache = createMemoryCache({ now: clock.now, maxEntries: 3 });
  await cache.mset([["a", 1], ["b", 2], ["c", 3]]);
  await cache.set("a", 10); // rewritten: now the newest
  await cache.set("d", 4);
  assert.deepEqual(await cache.mget(["a", "b", "c", "d"]), [10, undefined, 3, 4]);

  const value = { list: [1n] };
  await cache.set("obj", value);
  value.list.push(2n);
  const got = await cache.get<{ list: bigint[] }>("obj");
  assert.deepEqual(got, { list: [1n] }, "later changes of the value are not cached");
  got!.list.push(3n);
  assert.deepEqual(await cache.get("obj"), { list: [1n] });

  await cache.set("zero", "kept", { ttlMs: 0 }); // a falsy TTL means none, as with Redis
  await cache.set("tiny", "gone", { ttlMs: 0.2 }); // at least 1 ms
  clock.advance(1);
  assert.equal(await cache.get("zero"), "kept");
  assert.equal(await cache.get("tiny"), undefined);
  await assert.rejects(cache.set("u", undefined), TypeError);
});

/** How many times `fn` (synchronous) starts walking a Map's keys from the front. */
function keyWalks(fn: () => void): number {
  const keys = Map.prototype.keys;
  let walks = 0;
  Map.prototype.keys = function <K, V>(this: Map<K, V>) {
    walks++;
    return keys.call(this) as MapIterator<K>;
  };
  try {
    fn();
  } finally {
    Map.prototype.keys = keys;
  }
  return walks;
}

Deno.test("memory cache: past its bound, sets evict without walking the map again", async () => {
  const bound = 2_000;
  const cache = createMemoryCache({ maxEntries: bound });
  for (let i = 0; i < bound; i++) await cache.set(`k${i}`, i);
  // Each of these sets evicts. A walk from the front per eviction passes every slot deleted
  // since the table was last compacted: past a bound of 100k a set took ~20x longer.
  const writes: Promise<void>[] = [];
  const walks = keyWalks(() => {
    for (let i = bound; i < 11 * bound; i++) writes.push(cache.set(`k${i}`, i));
  });
  await Promise.all(writes);
  assert.ok(walks <= 1, `${walks} walks from the front for ${10 * bound} evictions`);
  assert.equal(cache.size, bound);
  const edge = 10 * bound; // the oldest key kept
  assert.deepEqual(
    await cache.mget(["k0", `k${edge - 1}`, `k${edge}`, `k${11 * bound - 1}`]),
    [undefined, undefined, edge, 11 * bound - 1],
    "the entries written longest ago went first",
  );
  // An evictor left idle is dropped (it would keep outgrown tables alive); one walk restarts.
  for (let i = 0; i < 2_000; i++) await cache.set(`k${edge}`, i);
  const restarted = keyWalks(() => void cache.set("one more", 1));
  assert.equal(restarted, 1);
  assert.equal(await cache.get(`k${edge}`), 1_999, "rewritten, so it was not the oldest");
  assert.equal(await cache.get(`k${edge + 1}`), undefined);
});

Deno.test("memory locks: a waiter gets the lock as soon as it is released", async () => {
  const table = createLockTable();
  const a = createMemoryLocker({ table });
  const b = createMemoryLocker({ table });
  const la = await a.tryAcquire("k", 10_000);
  assert.ok(la);
  const started = Date.now();
  const waiting = b.acquire("k", 1_000, { waitMs: 60_000, minDelayMs: 30_000, maxDelayMs: 30_000 });
  await sleep(50);
  assert.equal(await la.release(), true);
  const lb = await waiting;
  assert.ok(lb);
  assert.ok(Date.now() - started < 10_000, "woken by the release, not by its 30 s backoff");
  assert.equal(await lb.release(), true);
  assert.equal(table.size, 0, "released locks take no room");
  await assert.rejects(a.tryAcquire("k", 0), RangeError);
});

Deno.test("memory locks: expiry and holder-only extend on the table's clock", async () => {
  const clock = manualClock();
  const locker = createMemoryLocker({ table: createLockTable({ now: clock.now }) });
  const first = await locker.tryAcquire("k", 100);
  assert.ok(first);
  clock.advance(99);
  assert.equal(await locker.tryAcquire("k", 100), null);
  assert.equal(await first.extend(100), true);
  clock.advance(99);
  assert.equal(await locker.tryAcquire("k", 100), null, "extended from the time of extend");
  clock.advance(1);
  const second = await locker.tryAcquire("k", 100);
  assert.ok(second, "free once the TTL has passed");
  assert.equal(await first.extend(1_000), false);
  assert.equal(await first.release(), false);
  assert.equal(await locker.release("k", second.token), true);
});

Deno.test("memory limiter: GCRA figures, allowNowN, and keys dropped when idle", async () => {
  const clock = manualClock();
  const limiter = createMemoryLimiter({ now: clock.now });
  const limit = { rate: 10, burst: 3 }; // one unit per 100 ms
  assert.equal(limiter.allowNowN("k", 1), undefined, "no limit known yet");
  assert.deepEqual(await limiter.allowN("k", 2, limit), {
    allowed: true,
    remaining: 1,
    retryAfterMs: 0,
    resetAfterMs: 200,
  });
  assert.deepEqual(limiter.allowNowN("k", 1), {
    allowed: true,
    remaining: 0,
    retryAfterMs: 0,
    resetAfterMs: 300,
  });
  assert.deepEqual(limiter.allowNowN("k", 1), {
    allowed: false,
    remaining: 0,
    retryAfterMs: 100,
    resetAfterMs: 300,
  });
  clock.advance(150);
  const r = await limiter.allowN("k", 1, limit);
  assert.equal(r.allowed, true);
  assert.equal(r.remaining, 0);
  assert.equal(r.resetAfterMs, 250);
  clock.advance(120_000);
  for (let i = 0; i < 10; i++) await limiter.allowN(`other${i}`, 1, limit);
  assert.equal(limiter.allowNowN("k", 1), undefined, "an idle key is forgotten");
  assert.ok(limiter.size <= 10, `size ${limiter.size}`);
});

Deno.test("memory broadcast: delivery after publish returns; a failing handler spares others", async () => {
  const errors: unknown[] = [];
  const bc = createMemoryBroadcast({ onError: (err) => errors.push(err) });
  const got: string[] = [];
  bc.subscribe("c", () => {
    throw new Error("boom");
  });
  bc.subscribe("c", (m) => got.push(m));
  const late = bc.subscribe("c", (m) => got.push(`late ${m}`));
  const published = bc.publish("c", "one");
  assert.deepEqual(got, [], "not delivered inside publish");
  late(); // unsubscribed before delivery: hears nothing
  await published;
  await sleep(0);
  assert.deepEqual(got, ["one"]);
  assert.equal(errors.length, 1);
  await bc.close();
  await bc.publish("c", "two");
  await sleep(0);
  assert.deepEqual(got, ["one"], "closed: its handlers are gone");
});

Deno.test("local ids: a clock stepping back never makes ids go back or repeat", async () => {
  const clock = manualClock(Date.now());
  const behind: number[] = [];
  const ids = createLocalIdGenerator({
    serverId: 301,
    now: clock.now,
    maxWaitMs: 200,
    onClockBehind: (ms) => behind.push(ms),
  });
  try {
    clock.advance(5); // past the ms a previous run may have borrowed
    const first = await ids.genIds(300); // two ms: one borrowed ahead of the clock
    clock.advance(10_000);
    const second = await ids.genIds(10);
    clock.set(clock.now() - 60_000); // a large step back: no stall, ids go on ahead
    const third = await ids.genIds(600);
    assert.equal(behind.length, 1, "told once");
    assert.ok(behind[0] > 59_000);
    const all = [...first, ...second, ...third];
    for (let i = 1; i < all.length; i++) assert.ok(all[i] > all[i - 1], `id ${i} increases`);
    assert.ok(decomposeId(third[0]).ms >= decomposeId(second.at(-1)!).ms);
    // A small step back: it waits for the real clock instead of running ahead.
    let skew = 0;
    const real = createLocalIdGenerator({ serverId: 302, now: () => Date.now() - skew });
    const before = await real.genIds(10);
    skew = 150;
    const started = Date.now();
    const after = await real.genIds(10);
    assert.ok(after[0] > before.at(-1)!);
    assert.ok(Date.now() - started >= 100, "waited for the clock to catch up");
    await real.close();
  } finally {
    await ids.close();
  }
});

Deno.test("local ids: generators of one server id share a sequence; one data dir each", async () => {
  const dir = await Deno.makeTempDir({ prefix: "idgen_" });
  const a = createLocalIdGenerator({ serverId: 303, dataDir: dir });
  assert.throws(
    () => createLocalIdGenerator({ serverId: 303, dataDir: `${dir}/other` }),
    /already generates ids/,
  );
  assert.throws(() => createLocalIdGenerator({ serverId: 16_384 }), RangeError);
  const b = createLocalIdGenerator({ serverId: 303, dataDir: dir });
  const [x, y] = await Promise.all([a.genIds(1_000), b.genIds(1_000)]);
  assert.equal(new Set([...x, ...y]).size, 2_000);
  await a.close();
  await b.close();
  await assert.rejects(a.genId(), /closed/);
  const mark = JSON.parse(await Deno.readTextFile(`${dir}/idgen-303.json`));
  const last = Math.max(...[...x, ...y].map((id) => decomposeId(id).ms));
  assert.ok(mark.reserved_until_ms >= last, "the mark covers every id handed out");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("local ids: a damaged high-water mark stops the generator with a clear error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "idgen_" });
  await Deno.writeTextFile(`${dir}/idgen-304.json`, "{not json");
  const ids = createLocalIdGenerator({ serverId: 304, dataDir: dir });
  await assert.rejects(ids.genId(), /Cannot read the id generator's high-water mark/);
  await ids.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("local ids: restarts never repeat ids, even with the clock set back", async () => {
  const dir = await Deno.makeTempDir({ prefix: "idgen_restart_" });
  const script = `${dir}/gen.ts`;
  const local = new URL("../../infra/idgen/local.ts", import.meta.url).href;
  await Deno.writeTextFile(
    script,
    `import { createLocalIdGenerator } from "${local}";
const [dir, offset, count] = Deno.args;
const ids = createLocalIdGenerator({
  serverId: 305, dataDir: dir, now: () => Date.now() + Number(offset),
});
console.log((await ids.genIds(Number(count))).join("\\n"));
await ids.close();
`,
  );
  // Each run is a fresh process allowed to touch the data dir only.
  const run = async (offsetMs: number) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        `--allow-read=${dir}`,
        `--allow-write=${dir}`,
        script,
        dir,
        `${offsetMs}`,
        "2000",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    return new TextDecoder().decode(out.stdout).trim().split("\n").map(BigInt);
  };
  const first = await run(0);
  const second = await run(-60_000); // restarted with the clock a minute back
  const third = await run(0); // and again, right away, with the clock right
  const all = [...first, ...second, ...third];
  assert.equal(all.length, 6_000);
  for (let i = 1; i < all.length; i++) assert.ok(all[i] > all[i - 1], `id ${i} increases`);
  const ms = decomposeId(third.at(-1)!).ms;
  assert.ok(Math.abs(ms - Date.now()) < 2_000, "back on real time after the last restart");
  await Deno.remove(dir, { recursive: true });
});
