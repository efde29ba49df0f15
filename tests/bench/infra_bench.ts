/**
 * Infrastructure benchmarks against the real services (`deno task bench`): id generator,
 * Redis lock and limiter, ClickHouse batch insert, Kafka end-to-end and delayed delivery.
 * Prints one Markdown table row per figure. Usage: infra_bench.ts [section...]
 */
import { createRedisClient } from "../../infra/redis/client.ts";
import { createRedisLocker } from "../../infra/redis/lock.ts";
import { createRedisLimiter } from "../../infra/redis/limiter.ts";
import { createRedisIdGenerator } from "../../infra/idgen/redis.ts";
import { IDS_PER_MS } from "../../infra/idgen/mod.ts";
import { createClickHouse } from "../../infra/ck/clickhouse.ts";
import { createKafkaQueue } from "../../infra/mq/kafka.ts";
import { testConfig, uniqueSuffix } from "../_env.ts";
import { fmt, quantile, throughput } from "./_stats.ts";

const DURATION_MS = Number(Deno.env.get("BENCH_DURATION_MS") ?? 5_000);
const rows: string[] = [];
const report = (what: string, figure: string, note = "") => {
  const row = `| ${what} | ${figure} | ${note} |`;
  rows.push(row);
  console.log(row);
};

async function benchIdgen() {
  const redis = createRedisClient(testConfig().redis);
  const ids = createRedisIdGenerator(redis, { serverId: 77, prefix: "bench:idgen:" });
  await ids.genIds(1_000); // warm up
  const cap = IDS_PER_MS * 1000;
  const batch = await throughput(() => ids.genIds(100), {
    concurrency: 8,
    durationMs: DURATION_MS,
  });
  const batchIds = batch.perSecond * 100;
  report(
    "idgen genIds(100), 8 callers",
    `${fmt(batchIds)} ids/s`,
    `${(100 * batchIds / cap).toFixed(1)}% of the 256,000/s cap`,
  );
  const single = await throughput(() => ids.genId(), { concurrency: 256, durationMs: DURATION_MS });
  report(
    "idgen genId(), 256 callers",
    `${fmt(single.perSecond)} ids/s`,
    `${(100 * single.perSecond / cap).toFixed(1)}% of cap`,
  );
  const serial = await throughput(() => ids.genId(), { concurrency: 1, durationMs: DURATION_MS });
  report("idgen genId(), 1 caller", `${fmt(serial.perSecond)} ids/s`, "one round trip each");
  await redis.close();
}

async function benchRedis() {
  const redis = createRedisClient(testConfig().redis);
  const locker = createRedisLocker(redis, { prefix: "bench:lock:" });
  const limiter = createRedisLimiter(redis, { prefix: "bench:rate:" });
  let n = 0;
  const lock = await throughput(async () => {
    const l = await locker.tryAcquire(`k${n++ % 1000}`, 10_000);
    if (l) await l.release();
  }, { concurrency: 32, durationMs: DURATION_MS });
  report("lock acquire+release, 32 callers", `${fmt(lock.perSecond)} pairs/s`);
  const limit = await throughput(
    () => limiter.allowN(`k${n++ % 1000}`, 1, { rate: 1e6, burst: 1e6 }),
    { concurrency: 32, durationMs: DURATION_MS },
  );
  report("limiter allowN, 32 callers", `${fmt(limit.perSecond)} checks/s`);
  await redis.close();
}

async function benchClickHouse() {
  const ck = createClickHouse(testConfig().clickhouse);
  const table = `bench_spans_${uniqueSuffix()}`;
  await ck.command(`CREATE TABLE ${table} (
    space_id String, trace_id String, span_id String, parent_id String, start_time Int64,
    duration Int64, span_name String, span_type String, status_code Int32, input String,
    output String, tags_string Map(String, String), tags_long Map(String, Int64)
  ) ENGINE = MergeTree ORDER BY (space_id, start_time, span_id)`);
  const text = "lorem ipsum dolor sit amet ".repeat(30);
  const batch = (b: number) =>
    Array.from({ length: 1_000 }, (_, i) => ({
      space_id: "7000000000000000001",
      trace_id: crypto.randomUUID().replaceAll("-", ""),
      span_id: `${b}-${i}`,
      parent_id: "0",
      start_time: Date.now() * 1000 + i,
      duration: 1234,
      span_name: "chat",
      span_type: "model",
      status_code: 0,
      input: text,
      output: text,
      tags_string: { model_name: "gpt-4o", model_provider: "openai" },
      tags_long: { input_tokens: 100, output_tokens: 200 },
    }));
  const rowBytes = JSON.stringify(batch(0)[0]).length;
  let b = 0;
  const r = await throughput(() => ck.insert(table, batch(b++)), {
    concurrency: 1,
    durationMs: DURATION_MS,
  });
  report(
    "ClickHouse batch insert (1,000-row JSONEachRow)",
    `${fmt(r.perSecond * 1000)} rows/s`,
    `~${fmt(rowBytes)} B/row, chdb engine behind the test HTTP endpoint`,
  );
  await ck.command(`DROP TABLE ${table}`);
  await ck.close();
}

async function benchKafka() {
  const q = createKafkaQueue({ ...testConfig().kafka, internalPrefix: "bench.coze_loop." });
  const topic = `bench.${uniqueSuffix()}`;
  await q.ensureTopics([{ topic, partitions: 4 }]);
  const body = "x".repeat(1024);
  const total = 50_000;
  let received = 0;
  const { promise: all, resolve: done } = Promise.withResolvers<void>();
  const w = await q.consume({
    topic,
    group: "bench",
    concurrency: 4,
    handler: () => {
      if (++received === total) done();
      return Promise.resolve();
    },
  });
  const start = performance.now();
  for (let i = 0; i < total; i += 500) {
    await q.send(Array.from({ length: 500 }, (_, j) => ({ topic, key: `k${(i + j) % 64}`, body })));
  }
  const produced = performance.now();
  await all;
  const end = performance.now();
  report(
    "Kafka produce (1 KB, batches of 500, acks=all)",
    `${fmt(total / ((produced - start) / 1000))} msg/s`,
  );
  report(
    "Kafka produce -> consume end to end (1 KB)",
    `${fmt(total / ((end - start) / 1000))} msg/s`,
    `${fmt(total)} messages, 4 partitions`,
  );
  await w.stop();

  // Delayed delivery: lateness against the due time.
  const dtopic = `bench.delay.${uniqueSuffix()}`;
  await q.ensureTopics([{ topic: dtopic, partitions: 2 }]);
  const late: number[] = [];
  const n = 200;
  let got = 0;
  const { promise: allDelayed, resolve: finished } = Promise.withResolvers<void>();
  const dw = await q.consume({
    topic: dtopic,
    group: "bench",
    handler: (m) => {
      late.push(Date.now() - Number(m.headers.due));
      if (++got === n) finished();
      return Promise.resolve();
    },
  });
  for (let i = 0; i < n; i++) {
    const delayMs = 1_000 + Math.floor(Math.random() * 9_000);
    await q.send({
      topic: dtopic,
      body: "d",
      delayMs,
      headers: { due: String(Date.now() + delayMs) },
    });
    await new Promise((r) => setTimeout(r, 20));
  }
  await allDelayed;
  report(
    "Kafka delayed message lateness (1-10 s delays)",
    `p50 ${fmt(quantile(late, 0.5))} ms, p99 ${fmt(quantile(late, 0.99))} ms`,
    `max ${fmt(Math.max(...late))} ms, min ${fmt(Math.min(...late))} ms, ${n} messages`,
  );
  await dw.stop();
  await q.close();
}

const sections: Record<string, () => Promise<void>> = {
  idgen: benchIdgen,
  redis: benchRedis,
  clickhouse: benchClickHouse,
  kafka: benchKafka,
};
const wanted = Deno.args.length ? Deno.args : Object.keys(sections);
console.log("| benchmark | figure | notes |\n|---|---|---|");
for (const name of wanted) await sections[name]();
Deno.exit(0);
