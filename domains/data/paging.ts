/**
 * Paging of the data lists: by page number (offset) or by an opaque cursor (`page_token`,
 * which wins when both are given). Lists sort on one time column (or none) then on an id, so
 * a cursor is the last row's `(time, id)`: the next page starts strictly after it, whatever
 * was inserted or deleted meanwhile.
 */
import { invalidParam } from "../errors.ts";

/** Largest page (the IDL's bound). */
export const MAX_PAGE_SIZE = 200;
/** Page size when none is given. */
export const DEFAULT_PAGE_SIZE = 20;

/** What a caller asks for. */
export interface PageRequest {
  pageNumber?: number;
  pageSize?: number;
  pageToken?: string;
  /** Sort field: `created_at`, `updated_at` (or whatever the list allows); default: by id. */
  orderBy?: string;
  asc?: boolean;
}

/** A decoded request: limit and offset, or the cursor to continue after. */
export interface Page {
  limit: number;
  offset: number;
  after?: { time?: number; id: bigint };
  /** The time column to sort on first, if any. */
  timeColumn?: "created_at" | "updated_at";
  asc: boolean;
}

/** Decodes a request; `fields` are the sort fields the list allows. */
export function decodePage(r: PageRequest, fields: readonly string[]): Page {
  const limit = r.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw invalidParam("page_size", `1..${MAX_PAGE_SIZE}`);
  }
  const field = r.orderBy || undefined;
  if (field !== undefined && !fields.includes(field)) {
    throw invalidParam(
      "order_bys.field",
      `one of ${fields.join(", ")}, not "${field.slice(0, 64)}"`,
    );
  }
  const timeColumn = field === "created_at" || field === "updated_at" ? field : undefined;
  const page: Page = { limit, offset: 0, timeColumn, asc: r.asc ?? false };
  if (r.pageToken) {
    page.after = decodeToken(r.pageToken, timeColumn !== undefined);
  } else if (r.pageNumber !== undefined) {
    page.offset = (r.pageNumber - 1) * limit;
  }
  return page;
}

/** The token continuing after a row (empty when there is no more). */
export function encodeToken(page: Page, last: { time: Date; id: bigint } | undefined): string {
  if (!last) return "";
  return page.timeColumn ? `${last.time.getTime()}_${last.id}` : `${last.id}`;
}

function decodeToken(token: string, timed: boolean): { time?: number; id: bigint } {
  const m = timed ? /^(\d{1,15})_(\d{1,19})$/.exec(token) : /^()(\d{1,19})$/.exec(token);
  if (!m) throw invalidParam("page_token", "not a token this list issued");
  return { ...(timed ? { time: Number(m[1]) } : {}), id: BigInt(m[2]) };
}
