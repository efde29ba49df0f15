/**
 * The span filter tree's request shape (recursive, so validated here rather than in the
 * documented route schema); values and operators are checked by the domain's compiler.
 */
import { z } from "zod";
import type { FilterFields } from "../../domains/observability/query/filters.ts";
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
  const r = filterFields.safeParse(v);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw invalidParam([field, ...issue.path].join("."), issue.message);
  }
  return r.data as FilterFields;
}
