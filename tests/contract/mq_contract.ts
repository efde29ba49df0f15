/** Contract suite for `MessageQueue`: any implementation must pass it. */
import assert from "node:assert/strict";
import {
  bodyText,
  deadLetterTopic,
  HEADERS,
  type MessageQueue,
  type ReceivedMessage,
} from "../../infra/mq/mod.ts";
import { eventually, sleep, uniqueSuffix } from "../_env.ts";

/**
 * Opens a queue instance; two calls model two processes. Every call made for one test gets
 * that test's `scope`, and calls with the same scope must reach the same queue (the same
 * broker, the same file); implementations with one shared broker may ignore it.
 */
export type OpenQueue = (scope?: string) => Promise<MessageQueue>;

/** Registers the queue contract tests for one implementation. */
export function queueContract(impl: string, open: OpenQueue): void {
  const test = (name: string, fn: (q: MessageQueue, topic: string) => Promise<void>) =>
    Deno.test({
      name: `mq contract (${impl}): ${name}`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => {
        const topic = `test.${uniqueSuffix()}`;
        const q = await open(topic);
        try {
          await q.ensureTopics([{ topic, partitions: 2 }]);
          await fn(q, topic);
        } finally {
          await q.close();
        }
      },
    });

  test("key, body and headers round trip; every message once", async (q, topic) => {
    const got: ReceivedMessage[] = [];
    const w = await q.consume({
      topic,
      group: "g1",
      handler: (m) => (got.push(m), Promise.resolve()),
    });
    await q.send(Array.from({ length: 50 }, (_, i) => ({
      topic,
      key: `k${i % 5}`,
      body: `body ${i} ✓`,
      headers: { trace: `t${i}` },
    })));
    await eventually(() => got.length >= 50, { what: "50 messages" });
    await sleep(300);
    assert.equal(got.length, 50, "no duplicates");
    const m7 = got.find((m) => bodyText(m) === "body 7 ✓");
    assert.ok(m7);
    assert.equal(m7.key, "k2");
    assert.equal(m7.headers.trace, "t7");
    assert.equal(m7.attempt, 1);
    // Order is kept per key.
    const k0 = got.filter((m) => m.key === "k0").map((m) => bodyText(m));
    assert.deepEqual(k0, [0, 5, 10, 15, 20, 25, 30, 35, 40, 45].map((i) => `body ${i} ✓`));
    await w.stop();
  });

  test(
    "committed messages are not redelivered; the group resumes where it stopped",
    async (q, topic) => {
      const first: string[] = [];
      const w1 = await q.consume({
        topic,
        group: "g",
        handler: (m) => (first.push(bodyText(m)), Promise.resolve()),
      });
      await q.send(Array.from({ length: 10 }, (_, i) => ({ topic, body: `a${i}` })));
      await eventually(() => first.length >= 10, { what: "first 10" });
      await w1.stop();
      await q.send(Array.from({ length: 5 }, (_, i) => ({ topic, body: `b${i}` })));
      const second: string[] = [];
      const w2 = await q.consume({
        topic,
        group: "g",
        handler: (m) => (second.push(bodyText(m)), Promise.resolve()),
      });
      await eventually(() => second.length >= 5, { what: "next 5" });
      await sleep(300);
      assert.deepEqual(second.sort(), ["b0", "b1", "b2", "b3", "b4"]);
      await w2.stop();
    },
  );

  test("stop lets the message in hand finish and commits it", async (q, topic) => {
    const { promise: blocked, resolve: release } = Promise.withResolvers<void>();
    const finished: string[] = [];
    const w1 = await q.consume({
      topic,
      group: "g",
      handler: async (m) => {
        if (bodyText(m) === "slow") await blocked;
        finished.push(bodyText(m));
      },
    });
    await q.send({ topic, key: "one", body: "slow" });
    await sleep(1_000);
    assert.deepEqual(finished, [], "still in hand");
    const stopping = w1.stop();
    await sleep(200);
    release();
    await stopping;
    assert.deepEqual(finished, ["slow"], "stop waited for the handler");
    await q.send({ topic, key: "one", body: "next" });
    const again: string[] = [];
    const w2 = await q.consume({
      topic,
      group: "g",
      handler: (m) => (again.push(bodyText(m)), Promise.resolve()),
    });
    await eventually(() => again.includes("next"), { what: "next message" });
    await sleep(300);
    assert.deepEqual(again, ["next"], "the finished message was committed, not redelivered");
    await w2.stop();
  });

  test("failures are retried with backoff for this group only", async (q, topic) => {
    const attempts: number[] = [];
    const other: ReceivedMessage[] = [];
    const w = await q.consume({
      topic,
      group: "flaky",
      handler: (m) => {
        attempts.push(m.attempt);
        return m.attempt < 3 ? Promise.reject(new Error(`fail ${m.attempt}`)) : Promise.resolve();
      },
      backoffMs: () => 300,
    });
    const w2 = await q.consume({
      topic,
      group: "steady",
      handler: (m) => (other.push(m), Promise.resolve()),
    });
    const sent = Date.now();
    await q.send({ topic, key: "x", body: "payload", headers: { h: "1" } });
    await eventually(() => attempts.length >= 3, { what: "3 attempts" });
    assert.ok(Date.now() - sent >= 550, "two backoffs of 300 ms elapsed");
    await sleep(500);
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.equal(other.length, 1, "the other group saw the message once, no retries");
    assert.equal(other[0].headers.h, "1");
    assert.equal(other[0].headers[HEADERS.retryGroup], undefined);
    await w.stop();
    await w2.stop();
  });

  test(
    "a message that keeps failing ends in the dead-letter topic; the consumer goes on",
    async (q, topic) => {
      const ok: string[] = [];
      const w = await q.consume({
        topic,
        group: "g",
        handler: (m) => {
          if (bodyText(m) === "poison") return Promise.reject(new Error("cannot parse poison"));
          ok.push(bodyText(m));
          return Promise.resolve();
        },
        maxAttempts: 3,
        backoffMs: () => 100,
      });
      const dead: ReceivedMessage[] = [];
      const dlq = await q.consume({
        topic: deadLetterTopic(topic),
        group: "dlq-reader",
        handler: (m) => (dead.push(m), Promise.resolve()),
      });
      await q.send([{ topic, key: "k", body: "poison", headers: { origin: "t" } }, {
        topic,
        key: "k",
        body: "fine",
      }]);
      await eventually(() => dead.length >= 1 && ok.includes("fine"), {
        what: "dead letter and next message",
      });
      assert.equal(bodyText(dead[0]), "poison");
      assert.equal(dead[0].headers[HEADERS.dlqError], "cannot parse poison");
      assert.equal(dead[0].headers[HEADERS.dlqAttempts], "3");
      assert.equal(dead[0].headers[HEADERS.dlqGroup], "g");
      assert.equal(dead[0].headers.origin, "t");
      await w.stop();
      await dlq.stop();
    },
  );

  test("delayed messages arrive at their due time, in due order", async (q, topic) => {
    const fwd = await q.startDelayForwarder();
    const got: { body: string; at: number }[] = [];
    const w = await q.consume({
      topic,
      group: "g",
      handler: (m) => (got.push({ body: bodyText(m), at: Date.now() }), Promise.resolve()),
    });
    const sent = Date.now();
    await q.send([
      { topic, body: "3000", delayMs: 3_000 },
      { topic, body: "1000", delayMs: 1_000 },
      { topic, body: "2000", delayMs: 2_000 },
      { topic, body: "now" },
    ]);
    await eventually(() => got.length >= 4, { what: "4 messages", timeoutMs: 15_000 });
    assert.deepEqual(got.map((g) => g.body), ["now", "1000", "2000", "3000"]);
    for (const g of got.slice(1)) {
      const late = g.at - sent - Number(g.body);
      assert.ok(late >= -5, `${g.body} not early (${late} ms)`);
      assert.ok(late < 2_000, `${g.body} on time (${late} ms late)`);
    }
    await assert.rejects(() => q.send({ topic, body: "x", delayMs: 3 * 3600 * 1000 }), RangeError);
    await w.stop();
    await fwd.stop();
  });

  test("a delayed message survives a restart of the process holding it", async (_q, topic) => {
    const a = await open(topic);
    await a.startDelayForwarder();
    await a.send({ topic, key: "d", body: "later", delayMs: 2_500 });
    await sleep(300);
    await a.close(); // "process" A is gone before the message is due
    await sleep(3_000); // ... and stays gone past the due time
    const b = await open(topic);
    try {
      const got: string[] = [];
      const w = await b.consume({
        topic,
        group: "g",
        handler: (m) => (got.push(bodyText(m)), Promise.resolve()),
      });
      await eventually(() => got.length === 1, { what: "delayed message after restart" });
      await sleep(500);
      assert.deepEqual(got, ["later"], "delivered once");
      await w.stop();
    } finally {
      await b.close();
    }
  });

  test(
    "batch consumer: batches by size and time; a failing batch is retried, never skipped",
    async (q, topic) => {
      const batches: string[][] = [];
      let failures = 2;
      const w = await q.consumeBatches({
        topic,
        group: "writer",
        minBytes: 1,
        maxWaitMs: 200,
        handler: (msgs) => {
          if (failures > 0) {
            failures--;
            return Promise.reject(new Error("analytics store down"));
          }
          batches.push(msgs.map((m) => bodyText(m)));
          return Promise.resolve();
        },
      });
      await q.send(
        Array.from({ length: 300 }, (_, i) => ({ topic, key: `k${i % 3}`, body: `m${i}` })),
      );
      await eventually(() => batches.flat().length >= 300, { what: "300 messages in batches" });
      await sleep(300);
      const all = batches.flat();
      assert.equal(new Set(all).size, 300, "every message, after the retries");
      assert.ok(batches.length < 300, `batched (${batches.length} batches)`);
      await w.stop();
      // Committed: a new member of the group gets nothing again.
      const again: string[] = [];
      const w2 = await q.consumeBatches({
        topic,
        group: "writer",
        maxWaitMs: 200,
        handler: (msgs) => (again.push(...msgs.map(bodyText)), Promise.resolve()),
      });
      await q.send({ topic, key: "k0", body: "after" });
      await eventually(() => again.includes("after"), { what: "the next message" });
      assert.deepEqual(again, ["after"]);
      await w2.stop();
    },
  );

  test(
    "batch consumer: a permanently failing batch goes to the dead-letter topic",
    async (q, topic) => {
      const dead: string[] = [];
      const dlq = await q.consume({
        topic: deadLetterTopic(topic),
        group: "dlq",
        handler: (m) => (dead.push(bodyText(m)), Promise.resolve()),
      });
      const ok: string[] = [];
      const w = await q.consumeBatches({
        topic,
        group: "writer",
        maxWaitMs: 100,
        maxAttempts: 2,
        permanent: (e) => String(e).includes("malformed"),
        handler: (msgs) => {
          if (msgs.some((m) => bodyText(m) === "bad")) {
            return Promise.reject(new Error("malformed row"));
          }
          ok.push(...msgs.map(bodyText));
          return Promise.resolve();
        },
      });
      await q.send({ topic, key: "a", body: "bad" });
      await eventually(() => dead.includes("bad"), { what: "dead-lettered batch" });
      await q.send({ topic, key: "a", body: "good" });
      await eventually(() => ok.includes("good"), { what: "the partition moves on" });
      await w.stop();
      await dlq.stop();
    },
  );
}
