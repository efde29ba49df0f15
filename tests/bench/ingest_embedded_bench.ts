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
import { BATCH } from "./_spans.ts";
import { ingestRows, runIngestion } from "./_ingest.ts";

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
  const run = await runIngestion({ url, token, space, ck, total, concurrency, warmBatches: 1 });
  console.log(`| metric | value |\n|---|---|`);
  console.log(
    `| spans sent | ${total} in batches of ${BATCH}, ${concurrency} concurrent senders |`,
  );
  for (const row of ingestRows(run)) {
    console.log(row.replace("| acknowledged |", "| acknowledged (HTTP -> SQLite queue) |"));
  }
} finally {
  await ck.close();
  await server.shutdown();
  await Deno.remove(dataDir, { recursive: true });
}
Deno.exit(0);
