/**
 * The embedded ClickHouse engine (libchdb over Deno FFI): the analytics contract, the
 * observability schema and span queries, and the same rows and values as the HTTP driver
 * returns for the same statements.
 */
import assert from "node:assert/strict";
import { createClient } from "@clickhouse/client";
import { ChdbError, createChdbAnalytics, paramText } from "../../infra/ck/chdb.ts";
import { cachedLibraryCopy, locateChdbLibrary } from "../../infra/ck/_chdb_lib.ts";
import type { AnalyticsDb } from "../../infra/ck/mod.ts";
import { ServiceUnavailableError } from "../../infra/errors.ts";
import { migrateObservabilityStore, SPANS_TABLE } from "../../domains/observability/ck_schema.ts";
import { createSpanQueryService } from "../../domains/observability/query/spans.ts";
import type { Authz } from "../../domains/foundation/authz.ts";
import type { SpanRow } from "../../domains/observability/types.ts";
import { analyticsContract } from "../contract/ck_contract.ts";
import { testConfig, uniqueSuffix } from "../_env.ts";

// One engine per process and one data directory per engine: every test here shares it.
const dataDir = Deno.makeTempDirSync({ prefix: "coze-chdb-test-" });
const envLibPath = Deno.env.get("COZE_LOOP_CHDB_LIB");
const open = (database = "contract"): AnalyticsDb =>
  createChdbAnalytics({ dataDir, database, envLibPath });

const test = (name: string, fn: () => Promise<void> | void) =>
  Deno.test({ name: `chdb: ${name}`, sanitizeOps: false, sanitizeResources: false, fn });

async function using<T>(ck: AnalyticsDb, fn: (ck: AnalyticsDb) => Promise<T>): Promise<T> {
  try {
    return await fn(ck);
  } finally {
    await ck.close();
  }
}

analyticsContract("chdb", () => Promise.resolve(open()));

test("observability schema: sort key, daily partitions, TTL from configuration", async () => {
  const database = `ttl_${uniqueSuffix()}`;
  const ddl = async (ck: AnalyticsDb) =>
    (await ck.query<{ q: string }>(
      "SELECT create_table_query AS q FROM system.tables WHERE database = {db:String} AND name = 'observability_spans'",
      { db: database },
    ))[0].q;
  await using(open(database), async (ck) => {
    await migrateObservabilityStore(ck, 30);
    await migrateObservabilityStore(ck, 30); // idempotent
    let q = await ddl(ck);
    assert.match(q, /ORDER BY \(space_id, start_time, span_id\)/);
    assert.match(q, /PARTITION BY toDate\(intDiv\(start_time, 1000000\)\)/);
    assert.match(q, /toIntervalDay\(30\)/);
    assert.match(q, /INDEX idx_trace_id trace_id TYPE bloom_filter/);
    await migrateObservabilityStore(ck, 7);
    q = await ddl(ck);
    assert.match(q, /toIntervalDay\(7\)/, "a new retention is applied at start-up");
    assert.doesNotMatch(q, /toIntervalDay\(30\)/);
    await assert.rejects(migrateObservabilityStore(ck, 0), RangeError);
    await ck.migrate(["SELECT 1"]); // CK_MIGRATIONS-style list, empty today
  });
  await using(open("default"), (admin) => admin.command(`DROP DATABASE IF EXISTS ${database}`));
});

// An hour ago, in whole ms: older rows would fall to the tables' TTL in a background merge.
const T0 = (Math.floor(Date.now() / 1000) - 3600) * 1_000_000;
const span = (i: number, over: Partial<SpanRow> = {}): SpanRow => ({
  space_id: "7",
  trace_id: i < 3 ? "aa" : "bb",
  span_id: i.toString(16).padStart(16, "0"),
  parent_id: i === 0 || i === 3 ? "0" : "1",
  start_time: T0 + i * 1_000,
  duration: 1_000 * i,
  span_type: i % 2 ? "model" : "custom",
  span_name: `step ${i}`,
  method: null,
  psm: "svc",
  logid: `log${i}`,
  call_type: null,
  status_code: i === 4 ? 500 : 0,
  input: `in ${i}`,
  output: `out ${i}`,
  object_storage: null,
  tags_string: { model_name: i % 2 ? "gpt" : "none", user_id: `u${i}` },
  tags_long: { input_tokens: 10 * i, big: "9007199254740993" },
  tags_float: { temperature: 0.5 },
  tags_bool: { stream: i % 2 },
  tags_byte: {},
  system_tags_string: {},
  system_tags_long: {},
  system_tags_float: {},
  ingest_time: T0 + 5,
  ...over,
});

test("spans: ingestion lines, then the span list and trace queries of the domain", async () => {
  await using(open(`spans_${uniqueSuffix()}`), async (ck) => {
    await migrateObservabilityStore(ck, 30);
    const enc = new TextEncoder();
    const rows = Array.from({ length: 6 }, (_, i) => span(i));
    // At-least-once delivery: span 1 arrives twice; LIMIT 1 BY must hide the copy.
    const lines = [...rows, span(1)].map((r) => enc.encode(JSON.stringify(r) + "\n"));
    await ck.insertJsonLines(SPANS_TABLE, lines);

    const authz = { requireMember: () => Promise.resolve("owner") } as unknown as Authz;
    const svc = createSpanQueryService({ ck, authz });
    const range = { startTimeMs: T0 / 1000 - 1, endTimeMs: T0 / 1000 + 100 };
    const all = await svc.list(1n, { workspaceId: 7n, ...range, spanListType: "all_span" });
    assert.equal(all.spans.length, 6, "duplicates folded by LIMIT 1 BY");
    assert.equal(all.spans[0].span_id, span(5).span_id, "newest first");
    assert.equal(all.spans[0].start_time, T0 + 5_000, "Int64 back as numbers");
    assert.deepEqual(all.spans[0].tags_long, { input_tokens: "50", big: "9007199254740993" });

    const models = await svc.list(1n, {
      workspaceId: 7n,
      ...range,
      spanListType: "all_span",
      pageSize: 2,
      filters: {
        query_and_or: "and",
        filter_fields: [
          { field_name: "model_name", values: ["gpt"], query_type: "in" },
          { field_name: "input_tokens", field_type: "long", values: ["10"], query_type: "gte" },
          { field_name: "span_name", values: ["STEP"], query_type: "match" },
        ],
      },
    });
    assert.deepEqual(models.spans.map((s) => s.span_id), [span(5).span_id, span(3).span_id]);
    assert.equal(models.hasMore, true);
    const next = await svc.list(1n, {
      workspaceId: 7n,
      ...range,
      spanListType: "all_span",
      pageSize: 2,
      pageToken: models.nextPageToken,
      filters: { filter_fields: [{ field_name: "model_name", values: ["gpt"] }] },
    });
    assert.deepEqual(next.spans.map((s) => s.span_id), [span(1).span_id]);

    const roots = await svc.list(1n, { workspaceId: 7n, ...range });
    assert.deepEqual(roots.spans.map((s) => s.span_id).sort(), [span(0).span_id, span(3).span_id]);
    const errors = await svc.list(1n, {
      workspaceId: 7n,
      ...range,
      spanListType: "all_span",
      filters: { filter_fields: [{ field_name: "status", values: ["error"] }] },
    });
    assert.deepEqual(errors.spans.map((s) => s.status_code), [500]);

    const trace = await svc.trace(1n, { workspaceId: 7n, traceId: "AA" });
    assert.deepEqual(trace.map((s) => s.span_name), ["step 0", "step 1", "step 2"]);
    const byLog = await svc.trace(1n, {
      workspaceId: 7n,
      logId: "log4",
      spanIds: [span(4).span_id],
    });
    assert.equal(byLog.length, 1);
    assert.equal(byLog[0].tags_string.user_id, "u4");
  });
});

test("same rows and values as the HTTP driver for the same statements", async () => {
  const cfg = testConfig().clickhouse;
  if (!cfg) return; // no ClickHouse server configured: nothing to compare with
  // The test endpoint is chdb with its own defaults; a ClickHouse server's are these.
  const http = createClient({
    url: cfg.url,
    username: cfg.user,
    password: cfg.password,
    database: cfg.database,
    clickhouse_settings: {
      date_time_input_format: "best_effort",
      output_format_json_quote_64bit_integers: 1,
      async_insert: 0,
    },
  });
  const table = `parity_${uniqueSuffix()}`;
  const ddl = `CREATE TABLE ${table} (
    id UInt64, name String, n Int64, i Int32, u8 UInt8, f Float64, lc LowCardinality(String),
    maybe Nullable(String), ms Map(String, String), ml Map(String, Int64), arr Array(Int64),
    ts DateTime64(3), dec Decimal(18, 4), ok Bool, uid UUID
  ) ENGINE = MergeTree ORDER BY id`;
  const rows = [0, 1, 2].map((k) => ({
    id: k,
    name: ["plain", "quote ' and \\ back\nslash\ttab", "ünïcödé ☃ 𝄞"][k],
    n: k === 2 ? "9223372036854775807" : -k * 1_000_000_000_000,
    i: -k,
    u8: k,
    f: k + 0.25,
    lc: "x",
    maybe: k ? `m${k}` : null,
    ms: { a: `v${k}` },
    ml: { a: k, big: "9007199254740993" },
    arr: [k, k + 1],
    ts: `2024-01-0${k + 1} 03:04:05.123`,
    dec: 1.5 + k,
    ok: k % 2 === 1,
    uid: `00000000-0000-0000-0000-00000000000${k}`,
  }));
  const queries: [string, Record<string, unknown>][] = [
    [`SELECT * FROM ${table} ORDER BY id`, {}],
    [
      `SELECT id, name FROM ${table} WHERE name = {name:String} OR id IN {ids:Array(UInt64)}`,
      { name: rows[1].name, ids: [2n] },
    ],
    [
      `SELECT count() AS c, sum(n) AS s, max(ts) AS t, groupArray(ms['a']) AS g FROM ${table}
       WHERE n >= {min:Int64} AND ts >= {from:DateTime64(3)} AND ok IN {oks:Array(Bool)}`,
      { min: -9223372036854775808n, from: new Date(Date.UTC(2024, 0, 1)), oks: [true, false] },
    ],
    [
      `SELECT {s:String} AS s, {m:Map(String, String)} AS m, {nul:Nullable(String)} AS nul,
        {b:Bool} AS b, {f:Float64} AS f, {a:Array(String)} AS a`,
      {
        s: "'); DROP TABLE x; --",
        m: { "k'1": "v\\1" },
        nul: null,
        b: true,
        f: -1.5e-7,
        a: ["a'b", "c\nd", ""],
      },
    ],
    [`SELECT id FROM ${table} ORDER BY id LIMIT 1 BY ok LIMIT {limit:UInt32}`, { limit: 5 }],
  ];
  const embedded = open(`parity_${uniqueSuffix()}`);
  try {
    await http.command({ query: ddl });
    await embedded.command(ddl);
    await http.insert({ table, values: rows, format: "JSONEachRow" });
    await embedded.insert(table, rows);
    for (const [query, query_params] of queries) {
      const viaHttp = await (await http.query({ query, query_params, format: "JSONEachRow" }))
        .json();
      const viaFfi = await embedded.query(query, query_params);
      assert.deepEqual(viaFfi, viaHttp, query);
    }
    const all = await embedded.query<{ n: string; id: string }>(`SELECT id, n FROM ${table}`);
    assert.equal(typeof all[0].id, "string", "UInt64 as a string, as a server sends it");
  } finally {
    await http.command({ query: `DROP TABLE IF EXISTS ${table}` }).catch(() => {});
    await http.close();
    await embedded.close();
  }
});

test("engine errors: typed, freed, and the engine goes on; calls never block the loop", async () => {
  await using(open(), async (ck) => {
    await assert.rejects(ck.query("SELECT {x:Int64} AS x", { x: "abc" }), (e: ChdbError) => {
      assert.equal(e.code, "457");
      assert.equal(e.type, "BAD_QUERY_PARAMETER");
      return true;
    });
    await assert.rejects(ck.command("CREATE TABLE broken ("), /Syntax error/);
    await assert.rejects(ck.insert("missing_table", [{ a: 1 }]), /UNKNOWN_TABLE|does not exist/);
    await ck.command("CREATE TABLE IF NOT EXISTS big (a Int64) ENGINE = MergeTree ORDER BY a");
    await assert.rejects(ck.insert("big", [{ a: 1n }]), TypeError); // as JSON.stringify does
    assert.deepEqual(await ck.query("SELECT 1 AS one"), [{ one: 1 }]);

    // Queued calls run one at a time, in order, each with its own parameters.
    const many = await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) => ck.query<{ v: string }>("SELECT {v:Int64} AS v", { v: i }),
      ),
    );
    assert.deepEqual(many.map((r) => Number(r[0].v)), Array.from({ length: 20 }, (_, i) => i));

    let timerFired = false;
    const slow = ck.query("SELECT sleep(0.3) AS s").then(() => timerFired);
    await new Promise((r) => setTimeout(r, 20));
    timerFired = true;
    assert.equal(await slow, true, "the event loop ran while the engine worked");
  });
});

test("data persists across engine restarts; one data directory per process", async () => {
  const database = `persist_${uniqueSuffix()}`;
  await using(open(database), async (ck) => {
    await ck.command("CREATE TABLE t (a Int64) ENGINE = MergeTree ORDER BY a");
    await ck.insert("t", [{ a: 1 }, { a: 2 }]);
  });
  const other = createChdbAnalytics({ dataDir: `${dataDir}-other`, database: "x", envLibPath });
  const held = open(database); // holds the engine on dataDir
  try {
    assert.deepEqual(await held.query("SELECT sum(a) AS s FROM t"), [{ s: "3" }]);
    await assert.rejects(other.ping(), ServiceUnavailableError);
  } finally {
    await held.close();
    await other.close();
  }
  await assert.rejects(held.ping(), /closed/);
  await using(open("default"), (ck) => ck.command(`DROP DATABASE ${database}`));
});

test("parameter text matches the HTTP driver's param_ encoding", () => {
  assert.equal(paramText("a'b\\c\n\t\r", false), "a\\'b\\\\c\\n\\t\\r");
  assert.equal(paramText(null, false), "\\N");
  assert.equal(paramText(true, false), "1");
  assert.equal(paramText([1n, "x", null, false], false), "[1,'x',NULL,FALSE]");
  assert.equal(paramText({ k: [1] }, false), "{'k':[1]}");
  assert.equal(paramText(new Date(Date.UTC(2024, 0, 1, 0, 0, 0, 5)), false), "1704067200.005");
  assert.equal(paramText(NaN, false), "nan");
  assert.throws(() => paramText(Symbol("s"), false), TypeError);
});

test("locating the library names every place tried", async () => {
  await assert.rejects(
    locateChdbLibrary({ libPath: "/nonexistent/libchdb.so" }),
    /Cannot find libchdb\.so.*configured libPath: \/nonexistent\/libchdb\.so not found/,
  );
  const found = await locateChdbLibrary({ envLibPath: "/nonexistent/env.so", fetchPackage: false });
  assert.match(found, /libchdb\.so$/);
  const dir = await Deno.makeTempDir();
  try {
    const src = `${dir}/lib.so`;
    await Deno.writeFile(src, new Uint8Array(4096).fill(7));
    const copy = await cachedLibraryCopy(src, `${dir}/cache`);
    assert.deepEqual(await Deno.readFile(copy), await Deno.readFile(src));
    assert.equal(await cachedLibraryCopy(src, `${dir}/cache`), copy, "reused, not copied again");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(dataDir, { recursive: true });
  } catch { /* the engine may still hold files; the OS cleans /tmp */ }
});
