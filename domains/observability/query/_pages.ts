/**
 * The two ways the span list reads a page of spans, newest (or oldest) first, each deduping
 * rows that at-least-once delivery wrote twice (until merges fold them). Which is faster
 * depends on the table and the filter: measured on 100,000 and 1,000,000 spans.
 */
import type { AnalyticsDb } from "../../../infra/ck/mod.ts";
import type { SpanRow } from "../types.ts";
import { SPAN_ROW_COLUMNS } from "../ck_schema.ts";

/** The columns of a span row as the query service returns it. */
export const SPAN_COLUMNS = SPAN_ROW_COLUMNS.join(", ");

/** A page to read: the list's conditions (scoped to `space`) and its size. */
export interface PageQuery {
  table: string;
  space: bigint;
  where: string[];
  params: Record<string, unknown>;
  dir: "ASC" | "DESC";
  size: number;
}

/** A page's rows, and whether more match after them. */
export interface Page {
  rows: SpanRow[];
  hasMore: boolean;
}

/** Rows read beyond a page in one query, so that a few duplicates need no second query. */
const PAGE_SLACK = 2;

/**
 * No JIT compilation of a query's expressions and sort order. The engine compiles an
 * expression the third time it sees it, in the query that sees it the fourth, which took
 * 20-35 ms more than the others (newest error roots over 100,000 spans, embedded: 31-41 ms
 * against 12-16), for no gain on the few thousand rows a page reads. Every filter a user
 * builds is a new expression, so this was a slow fourth search of each one.
 */
export const NO_JIT = "compile_expressions = 0, compile_sort_description = 0";

/**
 * Lazy materialization (ClickHouse 25.4+) for pages of up to 10,000 rows (the engine's default
 * bound has been as low as 10): the engine finds the page by the filter's narrow columns,
 * then reads the wide ones (input, output, tag maps) for the page's rows only, not for every
 * granule it scanned on the way to the page. And no read in sort-key order: it reads a part
 * at a time backwards in small steps, which cost a sparse filter (roots of one user, or of
 * none) 6-11 ms more at 1M spans and 3-6 ms at 100k, and gained 3 ms on a dense one (error
 * roots) at 1M only; read in parallel, the engine still skips the granules older than the
 * page found so far (top-K dynamic filtering on start_time; engine 26.7 here).
 */
export const PAGE_SETTINGS = `query_plan_optimize_lazy_materialization = 1,
  query_plan_max_limit_for_lazy_materialization = 10000, optimize_read_in_order = 0, ${NO_JIT}`;
const LAZY_PAGE = `SETTINGS ${PAGE_SETTINGS}`;

/**
 * The page in one query, deduped here: without `LIMIT 1 BY` the engine keeps only the best
 * page while it reads (skipping granules that cannot enter it) and reads the wide columns of
 * the page's rows only (LAZY_PAGE). When duplicates leave the page short, the query runs
 * again for more. On the root table it answered the newest 50 error roots at 1M spans in
 * 23-27 ms against 33-39 for keys then rows (roots of one user: 57-61 against 70-74). Not
 * on the span table: there a sparse filter (LLM spans with errors: none) took 140 ms read in
 * order against 11 for keys then rows (1M spans, real server), whose `LIMIT 1 BY` scan the
 * engine's query condition cache speeds up when repeated.
 */
export async function pageInOneQuery(ck: AnalyticsDb, q: PageQuery): Promise<Page> {
  const sql = `SELECT ${SPAN_COLUMNS} FROM ${q.table} WHERE ${q.where.join(" AND ")}
    ORDER BY start_time ${q.dir}, span_id ${q.dir} LIMIT {limit:UInt32} ${LAZY_PAGE}`;
  for (let limit = q.size + 1 + PAGE_SLACK;; limit *= 2) {
    const found = await ck.query<SpanRow>(sql, { ...q.params, limit });
    const seen = new Set<string>();
    const rows: SpanRow[] = [];
    for (const r of found) {
      const id = `${r.trace_id}/${r.span_id}`;
      if (seen.has(id)) continue;
      if (rows.length === q.size) return { rows, hasMore: true };
      seen.add(id);
      rows.push(r);
    }
    if (found.length < limit) return { rows, hasMore: false }; // every match read
  }
}

/** What identifies a span row: its sort key and trace. */
interface SpanKey {
  start_time: number | string;
  trace_id: string;
  span_id: string;
}

/**
 * Keys first, then the page's rows by key: the filter reads only the narrow columns it
 * needs, and the wide ones (input, output, tag maps) are read for the page's granules only,
 * not for every granule holding a match on the way to the page.
 */
export async function pageByKeys(ck: AnalyticsDb, q: PageQuery): Promise<Page> {
  const keys = await ck.query<SpanKey>(
    `SELECT start_time, trace_id, span_id FROM ${q.table} WHERE ${q.where.join(" AND ")}
     ORDER BY start_time ${q.dir}, span_id ${q.dir} LIMIT 1 BY trace_id, span_id LIMIT {limit:UInt32}
     SETTINGS ${NO_JIT}`,
    { ...q.params, limit: q.size + 1 },
  );
  return { rows: await rowsByKey(ck, q, keys.slice(0, q.size)), hasMore: keys.length > q.size };
}

/** The rows of `keys`, in their order (one row per key; a duplicate write is read once). */
async function rowsByKey(ck: AnalyticsDb, q: PageQuery, keys: SpanKey[]): Promise<SpanRow[]> {
  if (keys.length === 0) return [];
  const times = keys.map((k) => BigInt(k.start_time));
  const min = times.reduce((a, b) => (b < a ? b : a));
  const max = times.reduce((a, b) => (b > a ? b : a));
  const found = await ck.query<SpanRow>(
    `SELECT ${SPAN_COLUMNS} FROM ${q.table}
     WHERE space_id = {space:String} AND start_time >= {min:Int64} AND start_time <= {max:Int64}
       AND start_time IN {times:Array(Int64)} AND span_id IN {ids:Array(String)}
     SETTINGS ${NO_JIT}`,
    { space: q.space.toString(), min, max, times, ids: keys.map((k) => k.span_id) },
  );
  const byKey = new Map<string, SpanRow>();
  for (const r of found) byKey.set(`${r.start_time}/${r.trace_id}/${r.span_id}`, r);
  const rows: SpanRow[] = [];
  for (const k of keys) {
    const r = byKey.get(`${k.start_time}/${k.trace_id}/${k.span_id}`);
    if (r) rows.push(r); // gone only if retention dropped it in between
  }
  return rows;
}
