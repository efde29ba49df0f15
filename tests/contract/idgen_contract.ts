/** Contract suite for `IdGenerator`: any implementation must pass it. */
import assert from "node:assert/strict";
import { decomposeId, type IdGenerator, IDS_PER_MS } from "../../infra/idgen/mod.ts";

type Open = (serverId: number) => Promise<{ ids: IdGenerator; close(): Promise<void> }>;

/** Registers the id generator contract tests; `open(serverId)` builds a generator. */
export function idgenContract(impl: string, open: Open): void {
  const test = (name: string, fn: (open: Open) => Promise<void>) =>
    Deno.test({ name: `idgen contract (${impl}): ${name}`, fn: () => fn(open) });

  test("ids carry the layout: time, counter, server id", async (open) => {
    const { ids, close } = await open(4242);
    try {
      const before = Date.now();
      const id = await ids.genId();
      const parts = decomposeId(id);
      assert.equal(parts.serverId, 4242);
      assert.ok(parts.ms >= before - 1 && parts.ms <= Date.now() + 1, "time part is now");
      assert.ok(parts.counter < IDS_PER_MS);
      assert.equal(typeof id, "bigint");
      assert.ok(id < 2n ** 63n, "fits a signed int64");
    } finally {
      await close();
    }
  });

  test("increasing within a process, across single and batch calls", async (open) => {
    const { ids, close } = await open(11);
    try {
      const calls: Promise<bigint[]>[] = [];
      for (let i = 0; i < 200; i++) {
        calls.push(
          i % 3 === 0 ? ids.genIds(1 + (i % 7) * 50) : ids.genId().then((x: bigint) => [x]),
        );
      }
      const all = (await Promise.all(calls)).flat();
      for (let i = 1; i < all.length; i++) {
        assert.ok(all[i] > all[i - 1], `id ${i} increases (${all[i - 1]} -> ${all[i]})`);
      }
      assert.equal(new Set(all).size, all.length);
    } finally {
      await close();
    }
  });

  test("never more than 256 ids in one millisecond per server", async (open) => {
    const { ids, close } = await open(12);
    try {
      const all = await ids.genIds(3_000);
      assert.equal(all.length, 3_000);
      const perMs = new Map<number, number>();
      for (const id of all) {
        const { ms } = decomposeId(id);
        perMs.set(ms, (perMs.get(ms) ?? 0) + 1);
      }
      assert.ok(Math.max(...perMs.values()) <= IDS_PER_MS);
      assert.ok(perMs.size >= Math.ceil(3_000 / IDS_PER_MS));
    } finally {
      await close();
    }
  });

  test("two generators with the same server id never collide", async (open) => {
    const a = await open(13);
    const b = await open(13);
    try {
      const [x, y] = await Promise.all([a.ids.genIds(2_000), b.ids.genIds(2_000)]);
      assert.equal(new Set([...x, ...y]).size, 4_000);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("a call made as the previous one resolves is served too", async (open) => {
    const { ids, close } = await open(15);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // Each call comes from the continuation of the previous one, which runs as the
      // generator finishes its round: it must start or join a round, never wait for nothing.
      const chain = async () => {
        const got: bigint[] = [];
        for (let i = 0; i < 100; i++) got.push(await ids.genId());
        return got;
      };
      const stuck = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("a call was never served")), 10_000);
      });
      const all = (await Promise.race([Promise.all([chain(), chain(), chain()]), stuck])).flat();
      assert.equal(new Set(all).size, 300);
    } finally {
      clearTimeout(timer);
      await close();
    }
  });

  test("rejects invalid counts", async (open) => {
    const { ids, close } = await open(14);
    try {
      assert.deepEqual(await ids.genIds(0), []);
      assert.throws(() => ids.genIds(-1), RangeError);
      assert.throws(() => ids.genIds(1.5), RangeError);
    } finally {
      await close();
    }
  });
}
