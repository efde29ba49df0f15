/**
 * The embedded SQLite queue: the shared contract (a temp file per test, every "process" of
 * a test on that file) plus what only an embedded queue must show itself: durability across
 * kill -9, several processes on one file, exact bytes, retention.
 */
import assert from "node:assert/strict";
import {
  bodyText,
  deadLetterTopic,
  HEADERS,
  type MessageQueue,
  type OutgoingMessage,
  type ReceivedMessage,
} from "../../infra/mq/mod.ts";
import { ServiceUnavailableError } from "../../infra/errors.ts";
import { createSqliteQueue } from "../../infra/mq/sqlite.ts";
import { queueContract } from "../contract/mq_contract.ts";
import { eventually, sleep } from "../_env.ts";

const dir = Deno.makeTempDirSync({ prefix: "mq_sqlite_test_" });
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(dir, { recursive: true });
  } catch { /* already gone */ }
});

queueContract(
  "sqlite",
  (scope) => Promise.resolve(createSqliteQueue({ path: `${dir}/${scope ?? "shared"}.db` })),
);

const MODULE = new URL("../../infra/mq/sqlite.ts", import.meta.url).href;
let files = 0;

/** A fresh queue file in the temp directory. */
function tempFile(): string {
  return `${dir}/t${++files}.db`;
}

/** Runs `code` (JavaScript, with `createSqliteQueue` in scope) in another Deno process. */
function spawnProcess(code: string): { proc: Deno.ChildProcess; lines: AsyncGenerator<string> } {
  const proc = new Deno.Command(Deno.execPath(), {
    args: ["eval", `import { createSqliteQueue } from ${JSON.stringify(MODULE)};\n${code}`],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  return { proc, lines: readLines(proc.stdout) };
}

async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buf = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
      yield buf.slice(0, i);
      buf = buf.slice(i + 1);
    }
  }
  if (buf) yield buf;
}

/** Reads lines until one matches; returns it (the rest stays readable, unlike for-await). */
async function until(lines: AsyncGenerator<string>, re: RegExp): Promise<string> {
  for (let r = await lines.next(); !r.done; r = await lines.next()) {
    if (re.test(r.value)) return r.value;
  }
  throw new Error(`The process ended before printing ${re}`);
}

function sqliteTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name: `mq sqlite: ${name}`, sanitizeOps: false, sanitizeResources: false, fn });
}

/** Collects what a group receives (from the beginning) until stopped. */
async function collect(q: MessageQueue, topic: string, group = "check") {
  const got: ReceivedMessage[] = [];
  const worker = await q.consume({
    topic,
    group,
    handler: (m) => (got.push(m), Promise.resolve()),
  });
  return { got, worker };
}

sqliteTest("what send() acknowledged survives kill -9 right after", async () => {
  const path = tempFile();
  const { proc, lines } = spawnProcess(`
    const q = createSqliteQueue({ path: ${JSON.stringify(path)} });
    await q.ensureTopics([{ topic: "t", partitions: 3 }]);
    for (let i = 0; ; i++) {
      await q.send(Array.from({ length: 100 }, (_, j) => ({
        topic: "t", key: "k" + (j % 7), body: i + ":" + j, headers: { batch: String(i) },
      })));
      console.log("sent " + i);
    }
  `);
  await until(lines, /^sent 20$/);
  proc.kill("SIGKILL"); // while it keeps sending: most likely in the middle of a transaction
  let acked = 20;
  for await (const line of lines) acked = Math.max(acked, Number(line.split(" ")[1]));
  assert.equal((await proc.status).signal, "SIGKILL");

  const q = createSqliteQueue({ path });
  try {
    const { got, worker } = await collect(q, "t");
    await eventually(() => got.length >= (acked + 1) * 100, { what: "every acknowledged batch" });
    await sleep(300);
    await worker.stop();
    const perBatch = new Map<number, number>();
    for (const m of got) {
      const b = Number(m.headers.batch);
      perBatch.set(b, (perBatch.get(b) ?? 0) + 1);
    }
    for (let b = 0; b <= acked; b++) assert.equal(perBatch.get(b), 100, `batch ${b} complete`);
    for (const [b, n] of perBatch) assert.equal(n, 100, `batch ${b} all or nothing`);
  } finally {
    await q.close();
  }
});

sqliteTest("a message in hand when its consumer is killed is delivered again", async () => {
  const path = tempFile();
  const setup = createSqliteQueue({ path });
  await setup.ensureTopics([{ topic: "t", partitions: 2 }]);
  await setup.send([{ topic: "t", key: "a", body: "job" }, { topic: "t", key: "a", body: "next" }]);
  await setup.close();
  const { proc, lines } = spawnProcess(`
    const q = createSqliteQueue({ path: ${JSON.stringify(path)}, leaseMs: 1000 });
    await q.consume({
      topic: "t",
      group: "g",
      handler: async (m) => {
        console.log("handling " + new TextDecoder().decode(m.body));
        await new Promise(() => {});
      },
    });
  `);
  assert.equal(await until(lines, /^handling/), "handling job");
  proc.kill("SIGKILL");
  await proc.status;

  const q = createSqliteQueue({ path, leaseMs: 1000 });
  try {
    const { got, worker } = await collect(q, "t", "g");
    await eventually(() => got.length >= 2, { what: "the job again, then the next" });
    await sleep(300);
    assert.deepEqual(got.map(bodyText), ["job", "next"]);
    assert.equal(got[0].attempt, 1, "a redelivery, not a retry");
    await worker.stop();
  } finally {
    await q.close();
  }
});

sqliteTest("delayed messages survive kill -9 and are delivered when due", async () => {
  const path = tempFile();
  const { proc, lines } = spawnProcess(`
    const q = createSqliteQueue({ path: ${JSON.stringify(path)} });
    await q.ensureTopics([{ topic: "t", partitions: 2 }]);
    const due = (ms) => String(Date.now() + ms);
    await q.send([
      { topic: "t", body: "soon", delayMs: 1000, headers: { due: due(1000) } },
      { topic: "t", body: "later", delayMs: 4000, headers: { due: due(4000) } },
    ]);
    console.log("sent");
    setInterval(() => {}, 1000);
  `);
  await until(lines, /^sent$/);
  proc.kill("SIGKILL");
  await proc.status;
  await sleep(2_000); // "soon" falls due while no process is running

  const q = createSqliteQueue({ path });
  try {
    const arrived: { body: string; at: number; due: number }[] = [];
    const w = await q.consume({
      topic: "t",
      group: "g",
      handler: (m) => {
        arrived.push({ body: bodyText(m), at: Date.now(), due: Number(m.headers.due) });
        return Promise.resolve();
      },
    });
    await eventually(() => arrived.length >= 2, { what: "both delayed messages" });
    await sleep(300);
    assert.deepEqual(arrived.map((a) => a.body), ["soon", "later"]);
    for (const a of arrived) assert.ok(a.at >= a.due, `${a.body} not early`);
    await w.stop();
  } finally {
    await q.close();
  }
});

sqliteTest("a message that keeps failing is retried with backoff, then dead-lettered", async () => {
  const q = createSqliteQueue({ path: tempFile() });
  try {
    await q.ensureTopics([{ topic: "t", partitions: 2 }]);
    const attempts: { attempt: number; at: number; headers: Record<string, string> }[] = [];
    const w = await q.consume({
      topic: "t",
      group: "g",
      maxAttempts: 4,
      backoffMs: (n) => 150 * n,
      handler: (m) => {
        attempts.push({ attempt: m.attempt, at: Date.now(), headers: m.headers });
        return Promise.reject(new Error(`refused on attempt ${m.attempt}`));
      },
    });
    const dead = await collect(q, deadLetterTopic("t"), "dlq");
    const body = new Uint8Array([0, 255, 1, 128]);
    await q.send({ topic: "t", key: "k", body, headers: { origin: "test" } });
    await eventually(() => dead.got.length >= 1, { what: "the dead letter" });
    await sleep(500);
    assert.deepEqual(attempts.map((a) => a.attempt), [1, 2, 3, 4]);
    for (let i = 1; i < attempts.length; i++) {
      const gap = attempts[i].at - attempts[i - 1].at;
      assert.ok(gap >= 150 * i - 5, `backoff before attempt ${i + 1} (${gap} ms)`);
      assert.deepEqual(attempts[i].headers, { origin: "test" }, "own headers hidden");
    }
    assert.equal(dead.got.length, 1);
    const d = dead.got[0];
    assert.deepEqual(d.body, body);
    assert.equal(d.key, "k");
    assert.equal(d.headers.origin, "test");
    assert.equal(d.headers[HEADERS.dlqError], "refused on attempt 4");
    assert.equal(d.headers[HEADERS.dlqTopic], "t");
    assert.equal(d.headers[HEADERS.dlqGroup], "g");
    assert.equal(d.headers[HEADERS.dlqAttempts], "4");
    assert.ok(Date.parse(d.headers[HEADERS.dlqFailedAt]) >= attempts[3].at - 1_000);
    assert.equal(d.headers[HEADERS.attempt], undefined);
    assert.equal(d.headers[HEADERS.retryGroup], undefined);
    await w.stop();
    await dead.worker.stop();
  } finally {
    await q.close();
  }
});

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
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
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

sqliteTest("two OS processes in one group: each message handled once, by either", async () => {
  const path = tempFile();
  const q = createSqliteQueue({ path, leaseMs: 2_000 });
  try {
    await q.ensureTopics([{ topic: "t", partitions: 4 }]);
    const { proc, lines } = spawnProcess(`
      const q = createSqliteQueue({ path: ${JSON.stringify(path)}, leaseMs: 2000 });
      await q.consume({
        topic: "t", group: "g", concurrency: 4,
        handler: (m) => (console.log("got " + new TextDecoder().decode(m.body)), Promise.resolve()),
      });
      console.log("ready");
    `);
    await until(lines, /^ready$/);
    const byChild: string[] = [];
    const reading = (async () => {
      for await (const line of lines) if (line.startsWith("got ")) byChild.push(line.slice(4));
    })();
    const byParent: string[] = [];
    const w = await q.consume({
      topic: "t",
      group: "g",
      concurrency: 4,
      handler: (m) => (byParent.push(bodyText(m)), Promise.resolve()),
    });
    await sleep(1_500); // the two members split the partitions
    for (let b = 0; b < 10; b++) {
      await q.send(
        Array.from({ length: 100 }, (_, i) => ({ topic: "t", key: `k${i}`, body: `${b}.${i}` })),
      );
    }
    const total = () => byChild.length + byParent.length;
    await eventually(() => total() >= 1_000, { what: "1,000 messages between the two" });
    await sleep(500);
    assert.equal(total(), 1_000, "no message twice");
    assert.equal(new Set([...byChild, ...byParent]).size, 1_000);
    assert.ok(byChild.length > 0 && byParent.length > 0, `both worked (${byChild.length})`);
    await w.stop();
    proc.kill("SIGKILL");
    await proc.status;
    await reading;
  } finally {
    await q.close();
  }
});
