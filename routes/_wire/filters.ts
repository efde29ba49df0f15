/**
 * The span filter tree's request shape (recursive, so validated here rather than in the
 * documented route schema); values and operators are checked by the domain's compiler.
 */
import { z } from "@hono/zod-openapi";
import type { ListSpansQuery } from "../../domains/observability/query/spans.ts";
import { epochMs, id64 } from "./schemas.ts";
import { type FilterFields, MAX_FILTER_DEPTH } from "../../domains/observability/query/filters.ts";
import { invalidParam } from "../../domains/errors.ts";

const filterField: z.ZodType<unknown> = z.object({
  field_name: z.string().max(256).optional(),
  field_type: z.string().max(16).optional(),
  values: z.array(z.string()).max(1_000).optional(),
  query_type: z.string().max(32).optional(),
  query_and_or: z.string().max(8).optional(),
  get sub_filter() {
    return filterFields.optional();
  },
  is_custom: z.boolean().optional(),
  extra_info: z.record(z.string(), z.string()).optional(),
}).strict();

const filterFields = z.object({
  query_and_or: z.string().max(8).optional(),
  filter_fields: z.array(filterField).max(200),
}).strict();

/** Parses an optional filter tree; malformed shapes are `invalid param` naming the path. */
export function parseFilters(v: unknown, field = "filters"): FilterFields | undefined {
  if (v === undefined || v === null) return undefined;
  // Before validation, which recurses once per level.
  if (filterDepth(v) > MAX_FILTER_DEPTH) {
    throw invalidParam(field, `filters nested deeper than ${MAX_FILTER_DEPTH} levels`);
  }
  const r = filterFields.safeParse(v);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw invalidParam([field, ...issue.path].join("."), issue.message);
  }
  return r.data as FilterFields;
}

// Levels of `sub_filter` below a filter tree (1 for a flat one), without recursion.
function filterDepth(v: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[v, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== "object" || node === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_FILTER_DEPTH) break;
    const fields = (node as { filter_fields?: unknown }).filter_fields;
    if (!Array.isArray(fields)) continue;
    for (const f of fields) {
      const sub = (f as { sub_filter?: unknown } | null)?.sub_filter;
      if (sub !== undefined) stack.push([sub, depth + 1]);
    }
  }
  return deepest;
}

/** The body of a span list (web `spans/list` and SDK `spans/search`: the same fields). */
export const spanListBody = z.object({
  workspace_id: id64,
  start_time: epochMs,
  end_time: epochMs,
  filters: z.unknown().optional(),
  page_size: z.number().int().min(1).max(1000).optional(),
  order_bys: z.array(z.object({ field: z.string().optional(), is_asc: z.boolean().optional() }))
    .max(4).optional(),
  page_token: z.string().max(512).optional(),
  platform_type: z.string().max(32).optional(),
  span_list_type: z.enum(["root_span", "all_span", "llm_span"]).optional(),
  without_clip: z.boolean().optional(),
  need_original_tags: z.boolean().optional(),
}).strict();

/** The span list query of a validated `spanListBody`. */
export function spanListQuery(b: z.infer<typeof spanListBody>): ListSpansQuery {
  return {
    workspaceId: b.workspace_id,
    startTimeMs: Number(b.start_time),
    endTimeMs: Number(b.end_time),
    filters: parseFilters(b.filters),
    pageSize: b.page_size,
    pageToken: b.page_token,
    spanListType: b.span_list_type,
    ascending: b.order_bys?.[0]?.field === "start_time" && b.order_bys[0].is_asc === true,
  };
}
