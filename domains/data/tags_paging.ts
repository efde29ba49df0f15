/**
 * Paging of tag lists as the IDL offers it: a page number and size, or the token of the
 * previous page (an offset; it wins over the page number), and an order by `updated_at`
 * (default) or `created_at`, newest first unless `is_asc`.
 */
import { invalidParam } from "../errors.ts";
import type { RowPage } from "./tags_repo.ts";
import type { TagPage } from "./tags_types.ts";

/** Page size when none is given. */
export const DEFAULT_TAG_PAGE_SIZE = 10;
/** Largest page (the IDL's bound). */
export const MAX_TAG_PAGE_SIZE = 200;

const TOKEN = /^\d{1,9}$/;

/** The rows a page names. */
export function rowPage(p: TagPage, defaultSize = DEFAULT_TAG_PAGE_SIZE): RowPage {
  const limit = p.pageSize ?? defaultSize;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TAG_PAGE_SIZE) {
    throw invalidParam("page_size", `expected 1..${MAX_TAG_PAGE_SIZE}`);
  }
  let offset = ((p.pageNumber ?? 1) - 1) * limit;
  if (p.pageToken) {
    if (!TOKEN.test(p.pageToken)) {
      throw invalidParam("page_token", "not a token this list answered");
    }
    offset = Number(p.pageToken);
  }
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw invalidParam("page_number", "expected a page from 1");
  }
  const field = p.orderBy?.field ?? "";
  if (field !== "" && field !== "updated_at" && field !== "created_at") {
    throw invalidParam("order_by.field", `"${field}" is not updated_at or created_at`);
  }
  return {
    limit,
    offset,
    orderBy: field === "created_at" ? "created_at" : "updated_at",
    asc: p.orderBy?.isAsc ?? false,
  };
}

/** The token of the page after `page`, or "" when it was the last. */
export function nextToken(page: RowPage, total: number): string {
  return page.offset + page.limit < total ? String(page.offset + page.limit) : "";
}
