/**
 * Benchmarks of the embedded SQLite queue (no services needed):
 * `deno run -A tests/bench/mq_sqlite_bench.ts [dir]` (the queue file goes in `dir`, default
 * a temp directory on the same disk as /tmp). Prints Markdown rows for BENCHMARKS.md.
 */
import process from "node:process";
import { createSqliteQueue, type SqliteQueueOptions } from "../../infra/mq/sqlite.ts";
import type { MessageQueue } from "../../infra/mq/mod.ts";
import { fmt, quantile } from "./_stats.ts";

const dir = Deno.args[0] ?? Deno.makeTempDirSync({ prefix: "mq_sqlite_bench_" });
const path = `${dir}/bench.db`;
const body = new TextEncoder().encode("x".repeat(1024));
const TOTAL = 100_000;
const BATCH = 100;
const ROUNDS = 3;

function report(name: string, figure: string, notes = ""): void {
  console.log(`| ${name} | ${figure} | ${notes} |`);
}

function batch(topic: string, i: number) {
  return Array.from({ length: BATCH }, (_, j) => ({ topic, key: `k${(i + j) % 64}`, body }));
}

/** Sends TOTAL messages in batches of BATCH from `senders` concurrent loops; msg/s. */
async function produce(q: MessageQueue, topic: string, senders: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: senders }, async () => {
    while (next < TOTAL) {
      const i = next;
      next += BATCH;
      await q.send(batch(topic, i));
    }
  }));
  return TOTAL / ((performance.now() - start) / 1000);
}

async function benchProduce(q: MessageQueue, senders: number): Promise<number> {
  const topic = `produce.${senders}`;
  await q.ensureTopics([{ topic, partitions: 4 }]);
  return await produce(q, topic, senders);
}

async function benchEndToEnd(q: MessageQueue): Promise<number> {
  const topic = "e2e";
  await q.ensureTopics([{ topic, partitions: 4 }]);
  let received = 0;
  const { promise: all, resolve: done } = Promise.withResolvers<void>();
  const w = await q.consume({
    topic,
    group: "bench",
    concurrency: 4,
    handler: () => {
      if (++received === TOTAL) done();
      return Promise.resolve();
    },
  });
  const start = performance.now();
  await produce(q, topic, 1);
  await all;
  const rate = TOTAL / ((performance.now() - start) / 1000);
  await w.stop();
  return rate;
}

async function benchBatches(q: MessageQueue): Promise<{ rate: number; batches: number }> {
  const topic = "batches";
  await q.ensureTopics([{ topic, partitions: 4 }]);
  let received = 0;
  let batches = 0;
  const { promise: all, resolve: done } = Promise.withResolvers<void>();
  const w = await q.consumeBatches({
    topic,
    group: "writer",
    minBytes: 1024 * 1024,
    maxWaitMs: 1_000,
    concurrency: 4,
    handler: (ms) => {
      batches++;
      received += ms.length;
      if (received === TOTAL) done();
      return Promise.resolve();
    },
  });
  const start = performance.now();
  await produce(q, topic, 8);
  await all;
  const rate = TOTAL / ((performance.now() - start) / 1000);
  await w.stop();
  return { rate, batches };
}

async function benchDelays(q: MessageQueue) {
  const topic = "delays";
  await q.ensureTopics([{ topic, partitions: 2 }]);
  const late: number[] = [];
  const n = 200;
  const { promise: all, resolve: done } = Promise.withResolvers<void>();
  const w = await q.consume({
    topic,
    group: "bench",
    handler: (m) => {
      late.push(Date.now() - Number(m.headers.due));
      if (late.length === n) done();
      return Promise.resolve();
    },
  });
  for (let i = 0; i < n; i++) {
    const delayMs = 1_000 + Math.floor(Math.random() * 4_000);
    await q.send({ topic, body: "d", delayMs, headers: { due: String(Date.now() + delayMs) } });
    await new Promise((r) => setTimeout(r, 10));
  }
  await all;
  report(
    "SQLite queue delayed message lateness, delays 1-5 s",
    `p50 ${fmt(quantile(late, 0.5))} ms, p99 ${fmt(quantile(late, 0.99))} ms`,
    `max ${fmt(Math.max(...late))} ms, min ${fmt(Math.min(...late))} ms, ${n} messages`,
  );
  await w.stop();
}

async function benchIdle(q: MessageQueue) {
  const workers = await Promise.all(
    ["idle.1", "idle.2", "idle.3"].map((topic) =>
      q.consume({ topic, group: "idle", handler: () => Promise.resolve() })
    ),
  );
  await new Promise((r) => setTimeout(r, 1_000));
  const before = process.cpuUsage();
  const seconds = 5;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const used = process.cpuUsage(before);
  report(
    "SQLite queue idle CPU, 3 consumers + forwarder",
    `${((used.user + used.system) / 1000 / seconds).toFixed(1)} ms CPU/s`,
    "fresh file, no messages; wake-ups by commit, data_version checked every 100 ms",
  );
  await Promise.all(workers.map((w) => w.stop()));
}

/** Produce and consume at full speed for a while: the file stays bounded by retention. */
async function benchSteadyFileSize() {
  const file = `${dir}/steady.db`;
  const committedRetentionMs = 5_000;
  const q = createSqliteQueue({ path: file, committedRetentionMs, retentionIntervalMs: 1_000 });
  const topic = "steady";
  await q.ensureTopics([{ topic, partitions: 4 }]);
  let consumed = 0;
  const w = await q.consume({
    topic,
    group: "g",
    concurrency: 4,
    handler: () => (consumed++, Promise.resolve()),
  });
  const sizes: string[] = [];
  const seconds = 30;
  const end = performance.now() + seconds * 1000;
  let sent = 0;
  const ticker = setInterval(() => {
    const mib = (Deno.statSync(file).size + Deno.statSync(`${file}-wal`).size) / 1024 / 1024;
    sizes.push(fmt(mib));
  }, 5_000);
  for (let i = 0; performance.now() < end; i += BATCH) {
    await q.send(batch(topic, i));
    sent += BATCH;
  }
  clearInterval(ticker);
  await w.stop();
  await q.close();
  report(
    "SQLite queue file size, produce + consume for 30 s",
    `${sizes.join(", ")} MiB at 5 s intervals`,
    `${fmt(sent)} messages of 1 KB sent, ${fmt(consumed)} consumed; committed ones deleted ` +
      `${committedRetentionMs / 1000} s after writing`,
  );
}

/** Runs `fn` on a fresh queue file ROUNDS times; the median and the range of its figure. */
async function rounds(
  fn: (q: MessageQueue) => Promise<number>,
  options: Partial<SqliteQueueOptions> = {},
): Promise<string> {
  const figures: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const file = `${dir}/round${r}.db`;
    const q = createSqliteQueue({ ...options, path: file });
    figures.push(await fn(q));
    await q.close();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) {
      try {
        Deno.removeSync(f);
      } catch { /* the WAL is gone after a clean close */ }
    }
  }
  const range = `${fmt(Math.min(...figures))}-${fmt(Math.max(...figures))}`;
  return `${fmt(quantile(figures, 0.5))} msg/s (median of ${ROUNDS}: ${range})`;
}

console.log("| benchmark | figure | notes |\n|---|---|---|");
for (const senders of [1, 8]) {
  report(
    `SQLite queue produce, 1 KB, batches of ${BATCH}, ${senders} sender${senders > 1 ? "s" : ""}`,
    await rounds((q) => benchProduce(q, senders)),
    `${fmt(TOTAL)} messages, 4 partitions; send resolves after the fsynced commit`,
  );
}
for (const senders of [1, 8]) {
  report(
    `SQLite queue produce, synchronous=NORMAL, 1 KB, batches of ${BATCH}, ${senders} sender${
      senders > 1 ? "s" : ""
    }`,
    await rounds((q) => benchProduce(q, senders), { synchronous: "NORMAL" }),
    "no fsync before send resolves: survives kill -9, not power loss",
  );
}
report(
  "SQLite queue produce -> consume end to end, 1 KB, 1 sender",
  await rounds(benchEndToEnd),
  `${fmt(TOTAL)} messages, 4 partitions, concurrency 4; commits after the handler`,
);
let batchCount = 0;
report(
  "SQLite queue produce -> consumeBatches end to end, 1 KB, 8 senders",
  await rounds(async (q) => {
    const r = await benchBatches(q);
    batchCount = r.batches;
    return r.rate;
  }),
  `${fmt(TOTAL)} messages, ~${fmt(batchCount)} batches; span writer settings (1 MiB or 1 s): ` +
    "the last partial batches wait out the 1 s",
);
await benchSteadyFileSize();
const q = createSqliteQueue({ path });
await benchDelays(q);
await q.close();
const idle = createSqliteQueue({ path: `${dir}/idle.db` });
await benchIdle(idle);
await idle.close();
if (Deno.args[0] === undefined) Deno.removeSync(dir, { recursive: true });
Deno.exit(0);
