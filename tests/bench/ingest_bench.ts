/**
 * Sustained end-to-end ingestion (issue 4): batches of 100 SDK spans of ~2 KB posted to the
 * server (a subprocess, as deployed) until every span is queryable in ClickHouse; the p50/p99
 * lag from acknowledgement to queryable (write_time - ingest_time of every span); and, in the
 * same run, the rows/s of a direct batch insert of the same spans (the stack's ceiling).
 * Usage: ingest_bench.ts [spans=200000] [concurrency=8]
 */
import { createClickHouse } from "../../infra/ck/clickhouse.ts";
import { normalizeSpan } from "../../domains/observability/normalize.ts";
import { testConfig } from "../_env.ts";
import { startServer } from "../_server.ts";
import { createToken, registerUser } from "../e2e/_client.ts";
import { hexId } from "../e2e/_traces.ts";
import { BATCH, batch } from "./_spans.ts";

const total = Number(Deno.args[0] ?? 200_000);
const concurrency = Number(Deno.args[1] ?? 8);
const server = await startServer();
const ck = createClickHouse(testConfig().clickhouse);
try {
  const user = await registerUser(server);
  const token = await createToken(server, user.cookie);
  const space = user.spaceId;
  const nowUs = Date.now() * 1000;
  const bodies = Array.from(
    { length: Math.ceil(total / BATCH) },
    (_, i) => JSON.stringify({ spans: batch(space, nowUs - 60_000_000 + i * BATCH) }),
  );
  const spanBytes = Math.round(bodies[0].length / BATCH);
  const post = async (body: string) => {
    const r = await fetch(`${server.url}/v1/loop/traces/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body,
    });
    const j = await r.json();
    if (j.code !== 0 || r.headers.get("x-spans-accepted") !== String(BATCH)) {
      throw new Error(`ingest failed: ${JSON.stringify(j)}`);
    }
  };
  const count = async () =>
    Number(
      (await ck.query<{ n: string }>(
        "SELECT count() AS n FROM observability_spans WHERE space_id = {space:String}",
        { space },
      ))[0].n,
    );

  // Warm-up: a few batches through the whole pipeline.
  for (
    const b of Array.from(
      { length: 5 },
      () => JSON.stringify({ spans: batch(space, nowUs - 120_000_000) }),
    )
  ) {
    await post(b);
  }
  while ((await count()) < 5 * BATCH) await new Promise((r) => setTimeout(r, 100));

  const base = await count();
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < bodies.length) await post(bodies[next++]);
  }));
  const acked = performance.now();
  while ((await count()) < base + total) await new Promise((r) => setTimeout(r, 100));
  const done = performance.now();
  const lag = (await ck.query<{ p50: number; p99: number; max: number }>(
    `SELECT quantile(0.5)(write_time - ingest_time) / 1000 AS p50,
            quantile(0.99)(write_time - ingest_time) / 1000 AS p99,
            max(write_time - ingest_time) / 1000 AS max
     FROM observability_spans WHERE space_id = {space:String} AND start_time >= {from:Int64}`,
    { space, from: nowUs - 60_000_000 },
  ))[0];

  // The ceiling: the same spans, already normalized, inserted straight into a copy of the table.
  const enc = new TextEncoder();
  const rows = bodies.flatMap((b) =>
    (JSON.parse(b).spans as unknown[]).map((s) => {
      const n = normalizeSpan(s, nowUs);
      if (!("row" in n)) throw new Error("bench span dropped");
      return JSON.stringify(n.row) + "\n";
    })
  );
  const table = `bench_ceiling_${hexId(4)}`;
  await ck.command(`CREATE TABLE ${table} AS observability_spans`);
  const directStart = performance.now();
  for (let i = 0; i < rows.length; i += 1000) {
    await ck.insertJsonLines(table, [enc.encode(rows.slice(i, i + 1000).join(""))]);
  }
  const directSeconds = (performance.now() - directStart) / 1000;
  await ck.command(`DROP TABLE ${table}`);

  const e2e = total / ((done - started) / 1000);
  const direct = rows.length / directSeconds;
  console.log(`| metric | value |\n|---|---|`);
  console.log(
    `| spans sent | ${total} in batches of ${BATCH}, ${concurrency} concurrent senders, ~${spanBytes} B/span |`,
  );
  console.log(
    `| acknowledged (HTTP -> Kafka) | ${Math.round(total / ((acked - started) / 1000))} spans/s |`,
  );
  console.log(`| end to end (HTTP -> queryable) | ${Math.round(e2e)} spans/s |`);
  console.log(
    `| lag acknowledgement -> queryable | p50 ${Math.round(lag.p50)} ms, p99 ${
      Math.round(lag.p99)
    } ms, max ${Math.round(lag.max)} ms |`,
  );
  console.log(`| direct batch insert (1,000 rows) | ${Math.round(direct)} rows/s |`);
  console.log(`| ratio end to end / direct | ${(e2e / direct).toFixed(2)} |`);
} finally {
  await ck.close();
  await server.stop();
}
