/**
 * Ingestion in zero-setup mode: the server started in this process with no service
 * configured (SQLite queue, the ClickHouse engine in-process), batches of 100 SDK spans of
 * ~2.1 KB posted over HTTP until every span is queryable; the lag from acknowledgement to
 * queryable of every span. Counting goes through a second handle on the same embedded engine
 * (one engine per process). Usage: ingest_embedded_bench.ts [spans=100000] [concurrency=8]
 */
import { start } from "../../main.ts";
import { createChdbAnalytics } from "../../infra/ck/chdb.ts";
import { embeddedPaths } from "../../infra/data_dir.ts";
import { freePort } from "../_server.ts";
import { createToken, registerUser } from "../e2e/_client.ts";
import type { ServerProcess } from "../_server.ts";
import { BATCH, batch } from "./_spans.ts";

const total = Number(Deno.args[0] ?? 100_000);
const concurrency = Number(Deno.args[1] ?? 8);
const dataDir = await Deno.makeTempDir({ prefix: "coze-loop-ingest-" });
const port = await freePort();
const server = await start({
  PORT: String(port),
  COZE_LOOP_DATA_DIR: dataDir,
  COZE_LOOP_LOG_LEVEL: "warn",
  COZE_LOOP_CHDB_LIB: Deno.env.get("COZE_LOOP_CHDB_LIB"),
});
const url = `http://127.0.0.1:${port}`;
const ck = createChdbAnalytics({
  dataDir: embeddedPaths(dataDir).analytics,
  database: "cozeloop",
  libPath: Deno.env.get("COZE_LOOP_CHDB_LIB"),
});
try {
  // The client helpers only need the URL.
  const handle = { url } as ServerProcess;
  const user = await registerUser(handle);
  const token = await createToken(handle, user.cookie);
  const space = user.spaceId;
  const nowUs = Date.now() * 1000;
  const bodies = Array.from(
    { length: Math.ceil(total / BATCH) },
    (_, i) => JSON.stringify({ spans: batch(space, nowUs - 60_000_000 + i * BATCH) }),
  );
  const post = async (body: string) => {
    const r = await fetch(`${url}/v1/loop/traces/ingest`, {
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
  await post(JSON.stringify({ spans: batch(space, nowUs - 120_000_000) }));
  while ((await count()) < BATCH) await new Promise((r) => setTimeout(r, 100));

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
  console.log(`| metric | value |\n|---|---|`);
  console.log(
    `| spans sent | ${total} in batches of ${BATCH}, ${concurrency} concurrent senders |`,
  );
  console.log(
    `| acknowledged (HTTP -> SQLite queue) | ${
      Math.round(total / ((acked - started) / 1000))
    } spans/s |`,
  );
  console.log(
    `| end to end (HTTP -> queryable) | ${Math.round(total / ((done - started) / 1000))} spans/s |`,
  );
  console.log(
    `| lag acknowledgement -> queryable | p50 ${Math.round(lag.p50)} ms, p99 ${
      Math.round(lag.p99)
    } ms, max ${Math.round(lag.max)} ms |`,
  );
} finally {
  await ck.close();
  await server.shutdown();
  await Deno.remove(dataDir, { recursive: true });
}
Deno.exit(0);
