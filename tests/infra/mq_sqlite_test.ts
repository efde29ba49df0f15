/**
 * The embedded SQLite queue: the shared contract (a temp file per test, every "process" of
 * a test on that file) plus what only an embedded queue must show itself: exact bytes,
 * several processes on one file, batches, retention. Durability across kill -9 is in
 * mq_sqlite_durability_test.ts.
 */
import assert from "node:assert/strict";
import { bodyText, type OutgoingMessage, type ReceivedMessage } from "../../infra/mq/mod.ts";
import { ServiceUnavailableError } from "../../infra/errors.ts";
import { createSqliteQueue } from "../../infra/mq/sqlite.ts";
import { queueContract } from "../contract/mq_contract.ts";
import { eventually, sleep } from "../_env.ts";
import { collect, dir, sqliteTest, tempFile } from "./_mq_sqlite.ts";

queueContract(
  "sqlite",
  (scope) => Promise.resolve(createSqliteQueue({ path: `${dir}/${scope ?? "shared"}.db` })),
);

sqliteTest("bodies and headers round trip exactly, through both kinds of consumer", async () => {
  const q = createSqliteQueue({ path: tempFile() });
  try {
    await q.ensureTopics([{ topic: "t", partitions: 1 }]);
    const every = Uint8Array.from({ length: 256 }, (_, i) => i);
    const sent: OutgoingMessage[] = [
      { topic: "t", key: "bytes", body: every },
      { topic: "t", body: new Uint8Array(0) },
      { topic: "t", key: "ключ 🔑", body: "текст ✓ 🚀", headers: { "ключ": "значение ✓" } },
      { topic: "t", key: "", body: "x", headers: { empty: "", json: '{"a":[1,"\\u0000"]}' } },
    ];
    await q.send(sent);
    const { got, worker } = await collect(q, "t");
    const batches: ReceivedMessage[] = [];
    const bw = await q.consumeBatches({
      topic: "t",
      group: "batch",
      maxWaitMs: 50,
      handler: (ms) => (batches.push(...ms), Promise.resolve()),
    });
    await eventually(() => got.length >= 4 && batches.length >= 4, { what: "4 messages twice" });
    for (const list of [got, batches]) {
      assert.deepEqual(list[0].body, every);
      assert.equal(list[0].key, "bytes");
      assert.deepEqual(list[1].body, new Uint8Array(0));
      assert.equal(list[1].key, undefined);
      assert.deepEqual(list[1].headers, {});
      assert.equal(bodyText(list[2]), "текст ✓ 🚀");
      assert.equal(list[2].key, "ключ 🔑");
      assert.deepEqual(list[2].headers, { "ключ": "значение ✓" });
      assert.equal(list[3].key, "");
      assert.deepEqual(list[3].headers, { empty: "", json: '{"a":[1,"\\u0000"]}' });
    }
    await worker.stop();
    await bw.stop();
  } finally {
    await q.close();
  }
});

sqliteTest("two processes on one file share a group's partitions; each message once", async () => {
  const path = tempFile();
  const a = createSqliteQueue({ path, leaseMs: 1_000 });
  const b = createSqliteQueue({ path, leaseMs: 1_000 });
  try {
    await a.ensureTopics([{ topic: "t", partitions: 4 }]);
    const seen = new Map<string, string>();
    const inHand = new Set<number>();
    const overlaps: number[] = [];
    const worker = (name: string) => async (m: ReceivedMessage) => {
      if (inHand.has(m.partition)) overlaps.push(m.partition);
      inHand.add(m.partition);
      await sleep(1);
      inHand.delete(m.partition);
      assert.ok(!seen.has(bodyText(m)), `${bodyText(m)} handled twice`);
      seen.set(bodyText(m), name);
    };
    const wa = await a.consume({ topic: "t", group: "g", concurrency: 4, handler: worker("a") });
    const wb = await b.consume({ topic: "t", group: "g", concurrency: 4, handler: worker("b") });
    await sleep(1_000); // both members heartbeat and split the partitions
    // Sent through one process, consumed in both: the other one is woken by data_version.
    await a.send(
      Array.from({ length: 400 }, (_, i) => ({ topic: "t", key: `k${i}`, body: `${i}` })),
    );
    await eventually(() => seen.size >= 400, { what: "400 messages" });
    assert.deepEqual(overlaps, [], "one worker at a time per partition");
    const byB = [...seen.values()].filter((n) => n === "b").length;
    assert.ok(byB > 0 && byB < 400, `both processes got work (b: ${byB})`);
    // When one leaves, the other takes over its partitions.
    await wb.stop();
    await b.send(
      Array.from({ length: 100 }, (_, i) => ({ topic: "t", key: `j${i}`, body: `j${i}` })),
    );
    await eventually(() => seen.size >= 500, { what: "100 more, all in a" });
    assert.equal([...seen.values()].filter((n) => n === "b").length, byB);
    await wa.stop();
  } finally {
    await a.close();
    await b.close();
  }
});

sqliteTest(
  "a new group that does not start from the beginning gets only new messages",
  async () => {
    const q = createSqliteQueue({ path: tempFile() });
    try {
      await q.ensureTopics([{ topic: "t", partitions: 2 }]);
      await q.send([{ topic: "t", body: "old" }, { topic: "t", body: "old" }]);
      const got: string[] = [];
      const w = await q.consume({
        topic: "t",
        group: "late",
        fromBeginning: false,
        handler: (m) => (got.push(bodyText(m)), Promise.resolve()),
      });
      await q.send([{ topic: "t", body: "new" }, { topic: "t", body: "new" }]);
      await eventually(() => got.length >= 2, { what: "the new messages" });
      await sleep(300);
      assert.deepEqual(got, ["new", "new"]);
      await w.stop();
    } finally {
      await q.close();
    }
  },
);

sqliteTest(
  "batches respect maxBytesPerPartition and wait for minBytes up to maxWaitMs",
  async () => {
    const q = createSqliteQueue({ path: tempFile() });
    try {
      await q.ensureTopics([{ topic: "t", partitions: 1 }]);
      await q.send(Array.from({ length: 10 }, () => ({ topic: "t", body: "x".repeat(100) })));
      const sizes: number[] = [];
      const w = await q.consumeBatches({
        topic: "t",
        group: "g",
        maxBytesPerPartition: 350,
        maxWaitMs: 100,
        handler: (ms) => (sizes.push(ms.length), Promise.resolve()),
      });
      await eventually(() => sizes.reduce((a, b) => a + b, 0) >= 10, { what: "10 messages" });
      assert.deepEqual(sizes, [3, 3, 3, 1]);
      await w.stop();

      const waits: { n: number; at: number }[] = [];
      const w2 = await q.consumeBatches({
        topic: "t",
        group: "g2",
        minBytes: 10_000,
        maxWaitMs: 700,
        handler: (ms) => (waits.push({ n: ms.length, at: Date.now() }), Promise.resolve()),
      });
      await eventually(() => waits.length >= 1, { what: "the first batch" });
      const start = Date.now();
      await q.send({ topic: "t", body: "y".repeat(100) });
      await sleep(200);
      await q.send({ topic: "t", body: "y".repeat(100) });
      await eventually(() => waits.length >= 2, { what: "a batch after maxWaitMs" });
      assert.equal(waits[1].n, 2, "the two messages sent apart came as one batch");
      assert.ok(waits[1].at - start >= 650, "held back for maxWaitMs");
      await w2.stop();
    } finally {
      await q.close();
    }
  },
);

sqliteTest("retention deletes what every group committed, and anything too old", async () => {
  const path = tempFile();
  const q = createSqliteQueue({
    path,
    committedRetentionMs: 0,
    retentionMs: 2_000,
    retentionIntervalMs: 100,
  });
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(path);
  const count = (topic: string) =>
    Number(
      (db.prepare(
        `SELECT count(*) AS n FROM mq_messages m JOIN mq_topics t ON t.id = m.topic_id
         WHERE t.name = ?`,
      ).get(topic) as { n: number }).n,
    );
  try {
    await q.ensureTopics([{ topic: "read", partitions: 2 }, { topic: "unread", partitions: 2 }]);
    const one = await collect(q, "read", "one");
    const { promise: gate, resolve: release } = Promise.withResolvers<void>();
    const two = { got: [] as ReceivedMessage[] };
    const twoWorker = await q.consume({
      topic: "read",
      group: "two",
      handler: async (m) => {
        await gate;
        two.got.push(m);
      },
    });
    await q.send(Array.from({ length: 500 }, (_, i) => ({ topic: "read", body: `${i}` })));
    await q.send(Array.from({ length: 50 }, (_, i) => ({ topic: "unread", body: `${i}` })));
    await eventually(() => one.got.length >= 500, { what: "group one done" });
    await one.worker.stop();
    await sleep(500);
    assert.ok(count("read") > 0, "kept while group two has not committed everything");
    release();
    await eventually(() => two.got.length >= 500, { what: "group two done" });
    await eventually(() => count("read") === 0, { what: "committed messages deleted" });
    assert.equal(count("unread"), 50, "no group: kept until too old");
    await eventually(() => count("unread") === 0, { what: "old messages deleted" });
    await twoWorker.stop();
  } finally {
    db.close();
    await q.close();
  }
});

sqliteTest("ping reports an unusable file as unavailable; close stops consumers", async () => {
  const bad = createSqliteQueue({ path: `${dir}/missing/dir/q.db` });
  await assert.rejects(() => bad.ping(), ServiceUnavailableError);
  await assert.rejects(() => bad.send({ topic: "t", body: "x" }), ServiceUnavailableError);
  await bad.close();

  const path = tempFile();
  const q = createSqliteQueue({ path });
  await q.ping();
  const got: string[] = [];
  await q.consume({
    topic: "t",
    group: "g",
    handler: (m) => (got.push(bodyText(m)), Promise.resolve()),
  });
  await q.send({ topic: "t", body: "before" });
  await eventually(() => got.length === 1, { what: "the first message" });
  await q.close();
  const other = createSqliteQueue({ path });
  await other.send({ topic: "t", body: "after close" });
  await sleep(500);
  assert.deepEqual(got, ["before"], "the closed queue's consumer is gone");
  const { got: again, worker } = await collect(other, "t", "g");
  await eventually(() => again.length === 1, { what: "the message, in the reopened group" });
  assert.equal(bodyText(again[0]), "after close");
  await worker.stop();
  await other.close();
});
