/**
 * The embedded SQLite queue across crashes: what send() acknowledged survives kill -9, a
 * message in hand is delivered again, delays survive, failures end in the dead-letter topic,
 * and two OS processes share one group.
 */
import assert from "node:assert/strict";
import { bodyText, deadLetterTopic, HEADERS } from "../../infra/mq/mod.ts";
import { createSqliteQueue } from "../../infra/mq/sqlite.ts";
import { eventually, sleep } from "../_env.ts";
import { collect, spawnProcess, sqliteTest, tempFile, until } from "./_mq_sqlite.ts";

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
