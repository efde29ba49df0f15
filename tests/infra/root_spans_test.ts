/**
 * The root-span table on both engines (embedded and the real server): the view copies the
 * roots of every insert and nothing else, a span table that held spans before the root table
 * existed has its roots copied once (not at every start), retention changes reach it, and
 * the root list answers what filtering the span table for roots answers, page by page, with
 * a span written twice listed once.
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
} from "../../domains/observability/ck_schema.ts";
import {
  createSpanQueryService,
  type ListSpansQuery,
} from "../../domains/observability/query/spans.ts";
import type { FilterFields } from "../../domains/observability/query/filters.ts";
import type { Authz } from "../../domains/foundation/authz.ts";
import type { SpanRow } from "../../domains/observability/types.ts";
import { testConfig, uniqueSuffix } from "../_env.ts";

const HOUR = 3_600_000_000;
// Now minus an hour, and two days earlier: two daily partitions whatever the time of day.
const RECENT = (Math.floor(Date.now() / 1000) - 3600) * 1_000_000;
const OLDER = RECENT - 48 * HOUR;

let serial = 0;
/** A trace of a root and `children` spans at `t`; every third root failed, users alternate. */
function trace(t: number, children: number): SpanRow[] {
  const n = ++serial;
  const traceId = n.toString(16).padStart(32, "0");
  const span = (i: number, parent: string): SpanRow => ({
    space_id: "9",
    trace_id: traceId,
    span_id: (n * 100 + i).toString(16).padStart(16, "0"),
    parent_id: parent,
    // Some roots share a start time: the page order falls back to span_id.
    start_time: t + (i === 0 ? 0 : i * 1_000),
    duration: 1_000,
    span_type: i === 0 ? "custom" : "model",
    span_name: `s${n}.${i}`,
    method: null,
    psm: "svc",
    logid: null,
    call_type: null,
    status_code: i === 0 && n % 3 === 0 ? 1 : 0,
    input: `in ${n}.${i}`,
    output: "out",
    object_storage: null,
    tags_string: { user_id: `u-${n % 2}` },
    tags_long: {},
    tags_float: {},
    tags_bool: {},
    tags_byte: {},
    system_tags_string: {},
    system_tags_long: {},
    system_tags_float: {},
    ingest_time: t,
  });
  const root = span(0, "0");
  return [root, ...Array.from({ length: children }, (_, i) => span(i + 1, root.span_id))];
}

/** `count` traces from `t` on, a root every 10 s (every fourth shares its predecessor's). */
function traces(t: number, count: number): SpanRow[] {
  return Array.from({ length: count }, (_, i) => trace(t + (i - (i % 4 === 3 ? 1 : 0)) * 1e7, 2))
    .flat();
}

const lines = (rows: SpanRow[]) => [
  new TextEncoder().encode(rows.map((r) => JSON.stringify(r) + "\n").join("")),
];

async function count(ck: AnalyticsDb, table: string, where = "1"): Promise<number> {
  const r = await ck.query<{ n: string }>(`SELECT count() AS n FROM ${table} WHERE ${where}`);
  return Number(r[0].n);
}

async function rootIds(ck: AnalyticsDb): Promise<string[]> {
  const r = await ck.query<{ id: string }>(
    `SELECT span_id AS id FROM ${ROOT_SPANS_TABLE} ORDER BY id`,
  );
  return r.map((x) => x.id);
}

/** Every page of a list, following its tokens. */
async function allPages(
  list: (
    q: ListSpansQuery,
  ) => Promise<{ spans: SpanRow[]; nextPageToken: string; hasMore: boolean }>,
  q: ListSpansQuery,
): Promise<string[]> {
  const ids: string[] = [];
  let pageToken: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await list({ ...q, pageToken });
    const size = q.pageSize ?? 20;
    assert.ok(page.spans.length <= size);
    ids.push(...page.spans.map((s) => s.span_id));
    assert.equal(page.hasMore, page.nextPageToken !== "");
    if (!page.hasMore) return ids;
    assert.equal(page.spans.length, size, "only the last page is short");
    pageToken = page.nextPageToken;
  }
  throw new Error("the list never ends");
}

/** What the root list should answer: the span table's roots, filtered, once each. */
function expected(spans: SpanRow[], keep: (s: SpanRow) => boolean, ascending = false): string[] {
  const roots = new Map<string, SpanRow>();
  for (const s of spans) if (s.parent_id === "0" && keep(s)) roots.set(s.span_id, s);
  const sorted = [...roots.values()].sort((a, b) =>
    a.start_time - b.start_time || (a.span_id < b.span_id ? -1 : a.span_id > b.span_id ? 1 : 0)
  );
  if (!ascending) sorted.reverse();
  return sorted.map((s) => s.span_id);
}

async function scenario(ck: AnalyticsDb, database: string): Promise<void> {
  // A span table from before the root table, holding spans on two days.
  await ck.command(observabilityDdl(30)[0]);
  const before = [...traces(OLDER, 6), ...traces(RECENT, 6)];
  await ck.insertJsonLines(SPANS_TABLE, lines(before));
  await migrateObservabilityStore(ck, 30);
  const roots = before.filter((s) => s.parent_id === "0").map((s) => s.span_id).sort();
  assert.deepEqual(await rootIds(ck), roots, "the roots written before are copied");

  // Only once: a second start copies nothing again (merges stopped, so a copy would show).
  await ck.command(`SYSTEM STOP MERGES ${ROOT_SPANS_TABLE}`);
  await migrateObservabilityStore(ck, 30);
  assert.deepEqual(await rootIds(ck), roots, "no second copy");

  // From now on the view copies each insert's roots, and only them, tag columns included.
  const after = traces(RECENT + HOUR / 2, 9);
  await ck.insertJsonLines(SPANS_TABLE, lines(after));
  const all = [...before, ...after];
  assert.deepEqual(
    await rootIds(ck),
    all.filter((s) => s.parent_id === "0").map((s) => s.span_id).sort(),
  );
  assert.equal(await count(ck, ROOT_SPANS_TABLE, "parent_id != '0'"), 0);
  // Every column copied (one missing from the view would hold its default here).
  const copied = (table: string, where: string) =>
    ck.query(`SELECT * FROM ${table} WHERE ${where} ORDER BY span_id`);
  assert.deepEqual(
    await copied(ROOT_SPANS_TABLE, "1"),
    await copied(SPANS_TABLE, "parent_id = '0'"),
  );
  assert.equal(
    await count(ck, ROOT_SPANS_TABLE, "tag_user_id != tags_string['user_id'] OR write_time = 0"),
    0,
  );

  // At-least-once delivery writes a batch twice: both tables hold the copies until merges.
  const twice = after.slice(0, 6);
  await ck.insertJsonLines(SPANS_TABLE, lines(twice));
  assert.equal(await count(ck, ROOT_SPANS_TABLE), 9 + 12 + 2);

  const authz = { requireMember: () => Promise.resolve("owner") } as unknown as Authz;
  const svc = createSpanQueryService({ ck, authz });
  const list = (q: ListSpansQuery) => svc.list(1n, q);
  const base: ListSpansQuery = {
    workspaceId: 9n,
    startTimeMs: Math.floor(OLDER / 1000) - 1,
    endTimeMs: Math.floor(RECENT / 1000) + 3_600_000,
    spanListType: "root_span",
  };
  const filters = (field_name: string, values: string[]): FilterFields => ({
    filter_fields: [{ field_name, query_type: "eq", values }],
  });
  const cases: [string, FilterFields | undefined, (s: SpanRow) => boolean][] = [
    ["no filter", undefined, () => true],
    ["errors", filters("status", ["error"]), (s) => s.status_code !== 0],
    ["a user", filters("user_id", ["u-1"]), (s) => s.tags_string.user_id === "u-1"],
  ];
  for (const [name, f, keep] of cases) {
    for (const pageSize of [1, 2, 5, 50]) {
      for (const ascending of [false, true]) {
        const got = await allPages(list, { ...base, filters: f, pageSize, ascending });
        assert.deepEqual(got, expected(all, keep, ascending), `${name}, pages of ${pageSize}`);
      }
    }
  }
  // A narrower range; and the other lists still read every span.
  const recent = await allPages(list, { ...base, startTimeMs: Math.floor(RECENT / 1000) - 1 });
  assert.deepEqual(recent, expected(all, (s) => s.start_time >= RECENT));
  const everything = await allPages(list, { ...base, spanListType: "all_span", pageSize: 7 });
  assert.equal(everything.length, all.length);
  assert.equal(new Set(everything).size, all.length);

  // A new retention reaches the root table too.
  await ck.command(`SYSTEM START MERGES ${ROOT_SPANS_TABLE}`);
  await migrateObservabilityStore(ck, 7);
  const ddl = await ck.query<{ q: string }>(
    "SELECT create_table_query AS q FROM system.tables WHERE database = {db:String} AND name = {t:String}",
    { db: database, t: ROOT_SPANS_TABLE },
  );
  assert.match(ddl[0].q, /toIntervalDay\(7\)/);
  assert.match(ddl[0].q, /min_compress_block_size = 4096/);

  // A copy cut short (a restart mid-way) resumes after the last day it recorded.
  await ck.command(`DROP TABLE observability_root_spans_mv`);
  await ck.command(`DROP TABLE ${ROOT_SPANS_TABLE}`);
  await ck.migrate(observabilityDdl(7));
  const days = await ck.query<{ p: string }>(
    `SELECT DISTINCT partition_id AS p FROM system.parts
     WHERE database = {db:String} AND table = {t:String} AND active ORDER BY p`,
    { db: database, t: SPANS_TABLE },
  );
  assert.equal(days.length, 2);
  await ck.command(
    `INSERT INTO ${ROOT_SPANS_TABLE} SELECT * FROM ${SPANS_TABLE}
     WHERE parent_id = '0' AND _partition_id = {p:String}`,
    { p: days[0].p },
  );
  await ck.command(
    `ALTER TABLE ${ROOT_SPANS_TABLE} MODIFY COMMENT 'roots copied through ${days[0].p}'`,
  );
  await migrateObservabilityStore(ck, 7);
  const older = Math.floor(OLDER / 1e6);
  assert.equal(
    await count(ck, ROOT_SPANS_TABLE, `toDate(intDiv(start_time, 1000000)) = toDate(${older})`),
    6,
    "the day copied before is not copied again",
  );
  const distinct = await ck.query<{ id: string }>(
    `SELECT DISTINCT span_id AS id FROM ${ROOT_SPANS_TABLE} ORDER BY id`,
  );
  assert.deepEqual(distinct.map((r) => r.id), [...new Set(expected(all, () => true))].sort());
  const comment = await ck.query<{ c: string }>(
    "SELECT comment AS c FROM system.tables WHERE database = {db:String} AND name = {t:String}",
    { db: database, t: ROOT_SPANS_TABLE },
  );
  assert.equal(comment[0].c, "roots backfilled");
}

Deno.test({
  name: "root spans: the view, a one-time copy, and root lists as the span table's (embedded)",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "coze-root-spans-" });
    const database = `roots_${uniqueSuffix()}`;
    const ck = createChdbAnalytics({
      dataDir,
      database,
      envLibPath: Deno.env.get("COZE_LOOP_CHDB_LIB"),
    });
    try {
      await scenario(ck, database);
    } finally {
      await ck.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "root spans: the view, a one-time copy, and root lists as the span table's (server)",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const cfg = testConfig().clickhouse;
    const database = `roots_${uniqueSuffix()}`;
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
