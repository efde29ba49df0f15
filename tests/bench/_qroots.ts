// Applies the observability migration to a kept embedded data directory (a copy: it adds the
// root table and copies the roots) and prints the time and the tables' rows:
// `_qroots.ts <data dir>/analytics | real:<database>`.
import { createChdbAnalytics } from "../../infra/ck/chdb.ts";
import { createClickHouse } from "../../infra/ck/clickhouse.ts";
import { testConfig } from "../_env.ts";
import { migrateObservabilityStore } from "../../domains/observability/ck_schema.ts";
// `real:<database>` is a database on the test environment's ClickHouse server instead.
const ck = Deno.args[0].startsWith("real:")
  ? createClickHouse({
    ...testConfig().clickhouse,
    database: Deno.args[0].slice(5),
    requestTimeoutMs: 600_000,
  })
  : createChdbAnalytics({ dataDir: Deno.args[0], database: Deno.env.get("CK_DB") ?? "cozeloop" });
const t0 = performance.now();
await migrateObservabilityStore(ck, Number(Deno.env.get("TTL_DAYS") ?? 30));
console.log(`migrated in ${(performance.now() - t0).toFixed(0)} ms`);
console.log(
  await ck.query(
    `SELECT table, sum(rows) AS rows, count() AS parts FROM system.parts
     WHERE database = currentDatabase() AND active AND table LIKE 'observability_%' GROUP BY table`,
  ),
  await ck.query("SELECT count() AS roots FROM observability_spans WHERE parent_id = '0'"),
);
await ck.close();
