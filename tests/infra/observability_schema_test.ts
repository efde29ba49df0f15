/** The observability tables on the real ClickHouse engine: sort key, partitions, TTL changes. */
import assert from "node:assert/strict";
import { createClickHouse } from "../../infra/ck/clickhouse.ts";
import { migrateObservabilityStore } from "../../domains/observability/ck_schema.ts";
import { testConfig, uniqueSuffix } from "../_env.ts";

Deno.test({
  name:
    "observability schema: workspace-then-time sort key, daily partitions, TTL from configuration",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const cfg = testConfig().clickhouse;
    const database = `ttl_${uniqueSuffix()}`;
    const admin = createClickHouse(cfg);
    await admin.command(`CREATE DATABASE ${database}`);
    const ck = createClickHouse({ ...cfg, database });
    const ddl = async () =>
      (await ck.query<{ q: string }>(
        "SELECT create_table_query AS q FROM system.tables WHERE database = {db:String} AND name = 'observability_spans'",
        { db: database },
      ))[0].q;
    try {
      await migrateObservabilityStore(ck, 30);
      await migrateObservabilityStore(ck, 30); // idempotent
      let q = await ddl();
      assert.match(q, /ORDER BY \(space_id, start_time, span_id\)/);
      assert.match(q, /PARTITION BY toDate\(intDiv\(start_time, 1000000\)\)/);
      assert.match(q, /toIntervalDay\(30\)/);
      assert.match(q, /INDEX idx_trace_id trace_id TYPE bloom_filter/);
      await migrateObservabilityStore(ck, 7);
      q = await ddl();
      assert.match(q, /toIntervalDay\(7\)/, "a new retention is applied at start-up");
      assert.doesNotMatch(q, /toIntervalDay\(30\)/);
      await assert.rejects(migrateObservabilityStore(ck, 0), RangeError);
    } finally {
      await ck.close();
      await admin.command(`DROP DATABASE IF EXISTS ${database}`);
      await admin.close();
    }
  },
});
