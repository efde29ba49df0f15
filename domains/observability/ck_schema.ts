/**
 * The ClickHouse tables of observability, modelled on the reference's: spans and
 * annotations with the workspace first and time second in the sort key (every query is
 * scoped to one workspace and a time range), daily partitions, a retention TTL from
 * configuration, and skip indexes for id lookups. Replacing engines fold the duplicates that
 * at-least-once delivery can write; queries also dedupe (LIMIT 1 BY) until merges run.
 */
import type { AnalyticsDb } from "../../infra/ck/mod.ts";

/** Table of spans. */
export const SPANS_TABLE = "observability_spans";
/**
 * The root spans (`parent_id = '0'`) of the span table, filled by a materialized view on
 * every insert: the default list (root spans, newest first) reads a tenth of the rows a
 * trace of ten spans puts in the span table, and its filters skip the children's granules.
 */
export const ROOT_SPANS_TABLE = "observability_root_spans";
const ROOT_SPANS_VIEW = "observability_root_spans_mv";
/** The comment of the root table once it holds the roots written before it existed. */
const ROOTS_BACKFILLED = "roots backfilled";
/** Its comment while they are copied, a day's partition at a time (then the partition id). */
const ROOTS_COPIED_THROUGH = "roots copied through ";
/** Table of annotations. */
export const ANNOTATIONS_TABLE = "observability_annotations";

function ttl(days: number): string {
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new RangeError(`Span retention of ${days} days is outside 1..3650`);
  }
  return `toDateTime(intDiv(start_time, 1000000)) + toIntervalDay(${days})`;
}

/**
 * Merges of span parts column by column (vertical), whatever their size: a part's columns are
 * large strings and maps, and merging them all at once (the horizontal algorithm, the default
 * below 131,072 rows) held a block of every column per merge, which was most of the embedded
 * server's peak memory during ingestion (about +440 MB against +180 MB, measured).
 *
 * Compressed blocks close at every granule of 4 KiB or more (not 64 KiB): a page of spans read
 * by key touches a few granules in each of ~45 column streams, and each touch decompressed a
 * whole block, 64 KiB at least even for an 8-byte column (29 MB decompressed for 11 spans,
 * measured); merges apply it to existing parts as they rewrite them.
 */
const SPANS_SETTINGS = "vertical_merge_algorithm_min_rows_to_activate = 1, " +
  "vertical_merge_algorithm_min_columns_to_activate = 1, min_compress_block_size = 4096";

/**
 * Granules of about 1 MiB of rows (~350 spans of 3 KB) instead of 10 MiB (~3,500): reading a
 * page of wide rows by key reads whole granules, so 11 scattered spans read ~38,000 rows of
 * input, output and maps before. Fixed when a table is created (the engine refuses to change
 * it later), so tables created before keep their granules.
 */
const SPANS_CREATE_SETTINGS = "index_granularity_bytes = 1048576";

/**
 * The root table's granules of at most 64 rows: its pages are often scattered over the time
 * range (roots of one user: one span in a thousand), and each span of such a page reads its
 * whole granule of every wide column; 64 rows of ~3 KB against ~350 made the page of 50
 * user roots at 1M spans 25-30% faster, for 20% more bytes on disk (a tenth of the spans').
 */
const ROOT_SPANS_CREATE_SETTINGS = `${SPANS_CREATE_SETTINGS}, index_granularity = 64`;

/**
 * Well-known string tags with a column of their own, computed from `tags_string` on insert
 * (and, for parts written before the column existed, on read): a filter on one reads a
 * column of short strings, not every span's whole tag map. Writers never send them.
 */
export const TAG_COLUMNS: Readonly<Record<string, string>> = {
  model_name: "tag_model_name",
  model_provider: "tag_model_provider",
  prompt_key: "tag_prompt_key",
  prompt_version: "tag_prompt_version",
  user_id: "tag_user_id",
  message_id: "tag_message_id",
  thread_id: "tag_thread_id",
  agent_name: "tag_agent_name",
};

const tagColumnDdl = (tag: string, column: string) =>
  `${column} String MATERIALIZED tags_string['${tag}']`;

/** The columns of a span row as it is written and read (the query service returns these). */
export const SPAN_ROW_COLUMNS: readonly string[] = [
  "space_id",
  "trace_id",
  "span_id",
  "parent_id",
  "start_time",
  "duration",
  "span_type",
  "span_name",
  "method",
  "psm",
  "logid",
  "call_type",
  "status_code",
  "input",
  "output",
  "object_storage",
  "tags_string",
  "tags_long",
  "tags_float",
  "tags_bool",
  "tags_byte",
  "system_tags_string",
  "system_tags_long",
  "system_tags_float",
  "ingest_time",
];

/**
 * The columns an insert into a span table carries (all but the MATERIALIZED tag columns), as
 * the root view copies them. A column added to the span table must be added here too.
 */
const SPAN_INSERT_COLUMNS = [...SPAN_ROW_COLUMNS, "write_time"].join(", ");

/** A table of spans (the span table and the root table share their shape). */
function spansTableDdl(table: string, ttlDays: number, createSettings: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
    space_id String,
    trace_id String,
    span_id String,
    parent_id String,
    start_time Int64,
    duration Int64,
    span_type LowCardinality(String),
    span_name String,
    method Nullable(String),
    psm Nullable(String),
    logid Nullable(String),
    call_type Nullable(String),
    status_code Int32,
    input String,
    output String,
    object_storage Nullable(String),
    tags_string Map(String, String),
    tags_long Map(String, Int64),
    tags_float Map(String, Float64),
    tags_bool Map(String, UInt8),
    tags_byte Map(String, String),
    system_tags_string Map(String, String),
    system_tags_long Map(String, Int64),
    system_tags_float Map(String, Float64),
    ingest_time Int64,
    write_time Int64 DEFAULT toUnixTimestamp64Micro(now64(6)),
    ${Object.entries(TAG_COLUMNS).map(([t, c]) => `${tagColumnDdl(t, c)},`).join("\n    ")}
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_id span_id TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_logid logid TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_name span_name TYPE bloom_filter(0.01) GRANULARITY 4
  ) ENGINE = ReplacingMergeTree(ingest_time)
  PARTITION BY toDate(intDiv(start_time, 1000000))
  ORDER BY (space_id, start_time, span_id)
  TTL ${ttl(ttlDays)}
  SETTINGS ${createSettings}, ${SPANS_SETTINGS}`;
}

/** Columns added to a span table after its creation (tables created before them get them). */
function spansTableAlters(table: string): string[] {
  return [
    // When a row became queryable: with ingest_time, the ingestion lag of every span.
    `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS
      write_time Int64 DEFAULT toUnixTimestamp64Micro(now64(6)) AFTER ingest_time`,
    // Tables created before the tag columns: old parts compute them when read.
    ...Object.entries(TAG_COLUMNS).map(([t, c]) =>
      `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${tagColumnDdl(t, c)}`
    ),
  ];
}

/**
 * Bloom-filter indexes on the root table's id-like tag columns: a root list filtered by one
 * user, thread or message skips the granules without it (root granules are 64 rows). Newest
 * 50 roots of one user over 100,000 spans, embedded, in process: 14.0-15.1 -> 11.6-12.4 ms;
 * of a user with none: 11.1-11.8 -> 5.6-5.7 ms (`tests/bench/_qindex.ts`). Parts written
 * before the index get it when merged. Not on the span table, ten times larger, whose every
 * insert would pay for it.
 */
const ROOT_TAG_INDEXES = ["user_id", "thread_id", "message_id"];

function rootTableIndexes(): string[] {
  return ROOT_TAG_INDEXES.map((tag) => {
    const column = TAG_COLUMNS[tag];
    return `ALTER TABLE ${ROOT_SPANS_TABLE} ADD INDEX IF NOT EXISTS idx_${column} ${column}
      TYPE bloom_filter(0.01) GRANULARITY 1`;
  });
}

/** The DDL of the observability tables for a retention of `ttlDays`. */
export function observabilityDdl(ttlDays: number): string[] {
  return [
    spansTableDdl(SPANS_TABLE, ttlDays, SPANS_CREATE_SETTINGS),
    `CREATE TABLE IF NOT EXISTS ${ANNOTATIONS_TABLE} (
      id String,
      space_id String,
      trace_id String,
      span_id String,
      start_time Int64,
      annotation_type LowCardinality(String),
      key String,
      value_type LowCardinality(String),
      value_string String,
      value_long Int64,
      value_float Float64,
      value_bool UInt8,
      reasoning String,
      status LowCardinality(String),
      created_by String,
      created_at Int64,
      updated_by String,
      updated_at Int64,
      deleted_at Int64,
      INDEX idx_trace_id trace_id TYPE bloom_filter(0.01) GRANULARITY 1,
      INDEX idx_span_id span_id TYPE bloom_filter(0.01) GRANULARITY 1
    ) ENGINE = ReplacingMergeTree(updated_at)
    PARTITION BY toDate(intDiv(start_time, 1000000))
    ORDER BY (space_id, start_time, span_id, id)
    TTL ${ttl(ttlDays)}`,
    ...spansTableAlters(SPANS_TABLE),
    spansTableDdl(ROOT_SPANS_TABLE, ttlDays, ROOT_SPANS_CREATE_SETTINGS),
    ...spansTableAlters(ROOT_SPANS_TABLE),
    ...rootTableIndexes(),
    // After the span table has every column it copies. Spans inserted from here on reach the
    // root table through it; the ones before, through the backfill.
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ROOT_SPANS_VIEW} TO ${ROOT_SPANS_TABLE}
      AS SELECT ${SPAN_INSERT_COLUMNS} FROM ${SPANS_TABLE} WHERE parent_id = '0'`,
  ];
}

/**
 * Creates the tables, and changes their retention when the configured TTL differs from the
 * one they have (ALTER only then: it rewrites metadata and schedules TTL merges). A root
 * table created over a span table that already holds spans gets their roots copied once.
 */
export async function migrateObservabilityStore(ck: AnalyticsDb, ttlDays: number): Promise<void> {
  await ck.migrate(observabilityDdl(ttlDays));
  for (const table of [SPANS_TABLE, ROOT_SPANS_TABLE, ANNOTATIONS_TABLE]) {
    const rows = await ck.query<{ q: string }>(
      "SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = {table:String}",
      { table },
    );
    if (rows[0] && !rows[0].q.includes(`toIntervalDay(${ttlDays})`)) {
      await ck.command(`ALTER TABLE ${table} MODIFY TTL ${ttl(ttlDays)}`);
    }
    // Tables created before the settings get them (metadata only).
    if (table !== ANNOTATIONS_TABLE && rows[0] && !rows[0].q.includes("min_compress_block_size")) {
      await ck.command(`ALTER TABLE ${table} MODIFY SETTING ${SPANS_SETTINGS}`);
    }
  }
  await backfillRoots(ck);
}

/**
 * Copies the roots the span table held before the root view existed, once: the root table's
 * comment records each day copied, then that all were. The view exists already, so a span
 * written meanwhile reaches the root table by the view, the copy, or both; a second process
 * starting at the same time copies again, and a restart after a copy cut short copies its
 * last day again. Either way a root may be there twice, which the table's merges and every
 * query's dedupe fold.
 */
const HOUR_US = 3_600_000_000;

async function backfillRoots(ck: AnalyticsDb): Promise<void> {
  const done = await ck.query<{ comment: string }>(
    "SELECT comment FROM system.tables WHERE database = currentDatabase() AND name = {t:String}",
    { t: ROOT_SPANS_TABLE },
  );
  const comment = done[0]?.comment ?? "";
  if (comment === ROOTS_BACKFILLED) return;
  const copiedThrough = comment.startsWith(ROOTS_COPIED_THROUGH)
    ? comment.slice(ROOTS_COPIED_THROUGH.length)
    : "";
  // A day's partition at a time, checkpointed in the comment.
  const partitions = await ck.query<{ p: string }>(
    `SELECT DISTINCT partition_id AS p FROM system.parts
     WHERE database = currentDatabase() AND table = {t:String} AND active
       AND partition_id > {after:String} ORDER BY p`,
    { t: SPANS_TABLE, after: copiedThrough },
  );
  for (const { p } of partitions) {
    // An hour of the day per statement: a day of a large installation could outlast the
    // HTTP driver's request timeout, and then every start would copy that day again.
    const [range] = await ck.query<{ lo: string | null; hi: string | null }>(
      `SELECT intDiv(min(start_time), {hour:Int64}) AS lo, intDiv(max(start_time), {hour:Int64}) AS hi
       FROM ${SPANS_TABLE} WHERE _partition_id = {p:String}`,
      { p, hour: HOUR_US },
    );
    const lo = Number(range?.lo ?? 0), hi = Number(range?.hi ?? -1);
    for (let h = lo; h <= hi; h++) {
      await ck.command(
        `INSERT INTO ${ROOT_SPANS_TABLE} (${SPAN_INSERT_COLUMNS})
         SELECT ${SPAN_INSERT_COLUMNS} FROM ${SPANS_TABLE}
         WHERE _partition_id = {p:String} AND parent_id = '0'
           AND start_time >= {from:Int64} AND start_time < {to:Int64}`,
        { p, from: h * HOUR_US, to: (h + 1) * HOUR_US },
      );
    }
    await setComment(ck, `${ROOTS_COPIED_THROUGH}${p}`);
  }
  await setComment(ck, ROOTS_BACKFILLED);
}

async function setComment(ck: AnalyticsDb, comment: string): Promise<void> {
  if (!/^[A-Za-z0-9 :-]+$/.test(comment)) throw new TypeError(`Bad comment "${comment}"`);
  await ck.command(`ALTER TABLE ${ROOT_SPANS_TABLE} MODIFY COMMENT '${comment}'`);
}
