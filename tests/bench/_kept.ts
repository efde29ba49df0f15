// Shared by the in-process query scripts (_qjit, _qplan, _qindex): a kept embedded data
// directory's engine, its busiest workspace, and the root-page query the span list runs.
import { createChdbAnalytics } from "../../infra/ck/chdb.ts";
import type { AnalyticsDb } from "../../infra/ck/mod.ts";
import { SPAN_ROW_COLUMNS } from "../../domains/observability/ck_schema.ts";
import { PAGE_SETTINGS } from "../../domains/observability/query/_pages.ts";

/** The engine on `<data dir>/analytics` and the workspace holding the most spans. */
export async function openKept(dir: string): Promise<{ ck: AnalyticsDb; space: string }> {
  const ck = createChdbAnalytics({ dataDir: dir, database: "cozeloop" });
  const top = await ck.query<{ s: string }>(
    "SELECT space_id AS s FROM observability_spans GROUP BY s ORDER BY count() DESC LIMIT 1",
  );
  return { ck, space: top[0].s };
}

/**
 * The newest 53 rows of `table` matching `cond` in `{space:String}` (a page of 50 and its
 * slack), with the span list's settings; `settings` replaces them (`extra` is appended).
 */
export function rootPageSql(
  cond: string,
  o: { table?: string; settings?: string; extra?: string } = {},
): string {
  const settings = (o.settings ?? PAGE_SETTINGS) + (o.extra ? `, ${o.extra}` : "");
  return `SELECT ${SPAN_ROW_COLUMNS.join(", ")} FROM ${o.table ?? "observability_root_spans"}
    WHERE space_id = {space:String} AND start_time >= 0 AND ${cond}
    ORDER BY start_time DESC, span_id DESC LIMIT 53 SETTINGS ${settings}`;
}
