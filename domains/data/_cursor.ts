/** The query side of the data lists' cursors (paging.ts): rows strictly after a page's cursor. */
import type { Expression, ExpressionBuilder, SqlBool } from "kysely";
import type { Page } from "./paging.ts";

/**
 * Rows after `after` in the page's order: by `(timeColumn, idColumn)`, or by `idColumn` alone
 * when the list sorts on no time column.
 */
export function afterCursor(
  // deno-lint-ignore no-explicit-any
  eb: ExpressionBuilder<any, any>,
  page: Page & { after: NonNullable<Page["after"]> },
  columns: { id: string; time?: string },
): Expression<SqlBool> {
  const op = page.asc ? ">" : "<";
  const id = page.after.id.toString();
  if (!columns.time) return eb(columns.id, op, id);
  const time = new Date(page.after.time!);
  return eb.or([
    eb(columns.time, op, time),
    eb.and([eb(columns.time, "=", time), eb(columns.id, op, id)]),
  ]);
}
