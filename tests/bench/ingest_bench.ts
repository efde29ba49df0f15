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
import { BATCH } from "./_spans.ts";
import { ingestRows, runIngestion } from "./_ingest.ts";

const total = Number(Deno.args[0] ?? 200_000);
const concurrency = Number(Deno.args[1] ?? 8);
const server = await startServer();
const ck = createClickHouse(testConfig().clickhouse);
try {
  const user = await registerUser(server);
  const token = await createToken(server, user.cookie);
  const space = user.spaceId;
  const run = await runIngestion({
    url: server.url,
    token,
    space,
    ck,
    total,
    concurrency,
    warmBatches: 5,
  });
  const { bodies } = run;
  const nowUs = Date.now() * 1000;
  const spanBytes = Math.round(bodies[0].length / BATCH);

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

  const direct = rows.length / directSeconds;
  console.log(`| metric | value |\n|---|---|`);
  console.log(
    `| spans sent | ${total} in batches of ${BATCH}, ${concurrency} concurrent senders, ~${spanBytes} B/span |`,
  );
  for (const row of ingestRows(run)) {
    console.log(row.replace("| acknowledged |", "| acknowledged (HTTP -> Kafka) |"));
  }
  console.log(`| direct batch insert (1,000 rows) | ${Math.round(direct)} rows/s |`);
  console.log(`| ratio end to end / direct | ${(run.queryablePerSecond / direct).toFixed(2)} |`);
} finally {
  await ck.close();
  await server.stop();
}
