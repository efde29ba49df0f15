/**
 * The span table's tag columns and storage settings on both engines (embedded and the real
 * server): a table created before them gets the columns and the compression setting at
 * start-up, its old parts answer a well-known-tag filter as the tag map does, and rows
 * inserted afterwards (JSON lines without the columns, as the writer sends them) answer too.
 */
import assert from "node:assert/strict";
import { createChdbAnalytics } from "../../infra/ck/chdb.ts";
import { createClickHouse } from "../../infra/ck/clickhouse.ts";
import type { AnalyticsDb } from "../../infra/ck/mod.ts";
import {
  migrateObservabilityStore,
  observabilityDdl,
  ROOT_SPANS_TABLE,
  SPANS_TABLE,
  TAG_COLUMNS,
} from "../../domains/observability/ck_schema.ts";
import { createSpanQueryService } from "../../domains/observability/query/spans.ts";
import type { Authz } from "../../domains/foundation/authz.ts";
import type { SpanRow } from "../../domains/observability/types.ts";
import { testConfig, uniqueSuffix } from "../_env.ts";

const T0 = (Math.floor(Date.now() / 1000) - 3600) * 1_000_000;

const span = (i: number, tags: Record<string, string>): SpanRow => ({
  space_id: "9",
  trace_id: `t${i}`,
  span_id: i.toString(16).padStart(16, "0"),
  parent_id: "0",
  start_time: T0 + i * 1_000,
  duration: 1_000,
  span_type: "model",
  span_name: `s${i}`,
  method: null,
  psm: "svc",
  logid: null,
  call_type: null,
  status_code: 0,
  input: "in",
  output: "out",
  object_storage: null,
  tags_string: tags,
  tags_long: {},
  tags_float: {},
  tags_bool: {},
  tags_byte: {},
  system_tags_string: {},
  system_tags_long: {},
  system_tags_float: {},
  ingest_time: T0,
});

/** The span table as created before the tag columns and the storage settings. */
function legacySpansDdl(): string {
  return observabilityDdl(30)[0]
    .split("\n").filter((line) => !line.includes("MATERIALIZED")).join("\n")
    .replace(
      /SETTINGS .*/s,
      "SETTINGS vertical_merge_algorithm_min_rows_to_activate = 1, " +
        "vertical_merge_algorithm_min_columns_to_activate = 1",
    );
}

const lines = (rows: SpanRow[]) =>
  rows.map((r) => new TextEncoder().encode(JSON.stringify(r) + "\n"));

async function scenario(ck: AnalyticsDb, database: string): Promise<void> {
  const ddl = async () =>
    (await ck.query<{ q: string }>(
      "SELECT create_table_query AS q FROM system.tables WHERE database = {db:String} AND name = {t:String}",
      { db: database, t: SPANS_TABLE },
    ))[0].q;
  await ck.command(legacySpansDdl());
  assert.doesNotMatch(await ddl(), /tag_user_id|min_compress_block_size/);
  // Written before the columns existed: these parts have no file for them.
  await ck.insertJsonLines(
    SPANS_TABLE,
    lines([
      span(1, { user_id: "u-1", model_name: "gpt" }),
      span(2, { user_id: "u-2" }),
      span(3, { user_id: "" }),
      span(4, {}),
    ]),
  );

  await migrateObservabilityStore(ck, 30);
  await migrateObservabilityStore(ck, 30); // idempotent
  const q = await ddl();
  for (const column of Object.values(TAG_COLUMNS)) assert.match(q, new RegExp(column));
  assert.match(q, /min_compress_block_size = 4096/, "the setting reaches the old table");
  assert.match(q, /vertical_merge_algorithm_min_rows_to_activate = 1/, "earlier ones kept");

  await ck.insertJsonLines(SPANS_TABLE, lines([span(5, { user_id: "u-1" }), span(6, {})]));
  const parts = await ck.query<{ n: string }>(
    "SELECT count() AS n FROM system.parts WHERE database = {db:String} AND table = {t:String} AND active",
    { db: database, t: SPANS_TABLE },
  );
  assert.ok(Number(parts[0].n) >= 1);

  // The column equals the map's value on every part, old or new (absent keys are '').
  const mismatches = await ck.query<{ n: string }>(
    `SELECT count() AS n FROM ${SPANS_TABLE}
     WHERE ${
      Object.entries(TAG_COLUMNS).map(([t, c]) => `${c} != tags_string['${t}']`).join(" OR ")
    }`,
  );
  assert.equal(Number(mismatches[0].n), 0);

  const authz = { requireMember: () => Promise.resolve("owner") } as unknown as Authz;
  const svc = createSpanQueryService({ ck, authz });
  const range = { startTimeMs: T0 / 1000 - 1, endTimeMs: T0 / 1000 + 100 };
  const ids = async (field: string, query_type: string, values: string[] = []) =>
    (await svc.list(1n, {
      workspaceId: 9n,
      ...range,
      spanListType: "all_span",
      filters: { filter_fields: [{ field_name: field, query_type, values }] },
    })).spans.map((s) => s.trace_id);
  assert.deepEqual(await ids("user_id", "eq", ["u-1"]), ["t5", "t1"], "old and new parts");
  assert.deepEqual(await ids("user_id", "in", ["u-2", "u-9"]), ["t2"]);
  assert.deepEqual(await ids("user_id", "match", ["U-"]), ["t5", "t2", "t1"]);
  assert.deepEqual(await ids("model_name", "eq", ["gpt"]), ["t1"]);
  // Presence is the map's: an empty value is present, a missing key is not.
  assert.deepEqual(await ids("user_id", "exist"), ["t5", "t3", "t2", "t1"]);
  assert.deepEqual(await ids("user_id", "not_exist"), ["t6", "t4"]);
  assert.deepEqual(await ids("user_id", "eq", [""]), ["t6", "t4", "t3"], "as the map answers");

  // The root table's id-like tag columns have bloom-filter indexes, and root lists use them.
  const indexes = await ck.query<{ name: string }>(
    "SELECT name FROM system.data_skipping_indices WHERE database = {db:String} AND table = {t:String}",
    { db: database, t: ROOT_SPANS_TABLE },
  );
  for (const c of ["tag_user_id", "tag_thread_id", "tag_message_id"]) {
    assert.ok(indexes.some((i) => i.name === `idx_${c}`), `idx_${c}`);
  }
  const plan = await ck.query<{ explain: string }>(
    `EXPLAIN indexes = 1 SELECT span_id FROM ${ROOT_SPANS_TABLE}
     WHERE space_id = '9' AND tag_user_id = {u:String}`,
    { u: "u-1" },
  );
  assert.match(plan.map((r) => r.explain).join("\n"), /idx_tag_user_id/);
  const roots = await svc.list(1n, {
    workspaceId: 9n,
    ...range,
    spanListType: "root_span",
    filters: { filter_fields: [{ field_name: "user_id", query_type: "eq", values: ["u-1"] }] },
  });
  assert.deepEqual(roots.spans.map((r) => r.trace_id), ["t5", "t1"], "roots, old and new");
}

Deno.test({
  name: "span tag columns: a table created before them answers filters the same (embedded)",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "coze-tag-columns-" });
    const database = `tags_${uniqueSuffix()}`;
    const ck = createChdbAnalytics({
      dataDir,
      database,
      envLibPath: Deno.env.get("COZE_LOOP_CHDB_LIB"),
    });
    try {
      await scenario(ck, database);
      // A new table gets the smaller granules from the start.
      await ck.command(`DROP TABLE ${SPANS_TABLE}`);
      await migrateObservabilityStore(ck, 30);
      const q = await ck.query<{ q: string }>(
        "SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = {t:String}",
        { t: SPANS_TABLE },
      );
      assert.match(q[0].q, /index_granularity_bytes = 1048576/);
    } finally {
      await ck.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "span tag columns: a table created before them answers filters the same (server)",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const cfg = testConfig().clickhouse;
    const database = `tags_${uniqueSuffix()}`;
    const admin = createClickHouse(cfg);
    await admin.command(`CREATE DATABASE ${database}`);
    const ck = createClickHouse({ ...cfg, database });
    try {
      await scenario(ck, database);
    } finally {
      await ck.close();
      await admin.command(`DROP DATABASE IF EXISTS ${database}`);
      await admin.close();
    }
  },
});
