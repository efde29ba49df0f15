/**
 * Paging on the wire and in the domains: a list request's `page_number`, `page_size`,
 * `page_token` and first `order_bys` entry as a PageRequest, and a page's `total` and
 * `next_page_token` as answered.
 */
import type { PageRequest } from "../../domains/data/paging.ts";

/** The paging fields of a list request. */
export interface PagingWire {
  page_number?: number;
  page_size?: number;
  page_token?: string;
  order_bys?: { field?: string; is_asc?: boolean }[];
}

/** A list request's paging as the domains take it (the first `order_bys` entry sorts). */
export function pageRequestOf(b: PagingWire): PageRequest {
  return {
    pageNumber: b.page_number,
    pageSize: b.page_size,
    pageToken: b.page_token,
    orderBy: b.order_bys?.[0]?.field,
    asc: b.order_bys?.[0]?.is_asc,
  };
}

/** A page's `total` and `next_page_token`. */
export function pageFieldsOf(
  r: { total: number; nextPageToken: string },
): { total: bigint; next_page_token: string } {
  return { total: BigInt(r.total), next_page_token: r.nextPageToken };
}
