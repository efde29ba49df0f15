/**
 * The filterable span fields: columns of `observability_spans` by name, well-known tags
 * (stored in the tag maps), and custom fields, which map to the tag map of their type. Field
 * names never reach SQL text: columns come from this fixed table, tag keys are parameters.
 */

import { TAG_COLUMNS } from "../ck_schema.ts";

/** Types a filter value can have (the IDL's FieldType). */
export type FieldType = "string" | "long" | "double" | "bool";

/** Where a field lives. */
export type FieldSource =
  | { kind: "column"; column: string; type: FieldType; nullable?: boolean; scale?: number }
  | { kind: "status" }
  /** A tag; `column`, when set, holds its value (`''` when absent) to compare without the map. */
  | { kind: "tag"; map: string; type: FieldType; column?: string };

/** Columns, by filter field name. `scale` converts filter units (ms) to stored ones (µs). */
export const COLUMNS: Record<string, FieldSource> = {
  trace_id: { kind: "column", column: "trace_id", type: "string" },
  span_id: { kind: "column", column: "span_id", type: "string" },
  parent_id: { kind: "column", column: "parent_id", type: "string" },
  span_name: { kind: "column", column: "span_name", type: "string" },
  span_type: { kind: "column", column: "span_type", type: "string" },
  method: { kind: "column", column: "method", type: "string", nullable: true },
  psm: { kind: "column", column: "psm", type: "string", nullable: true },
  service_name: { kind: "column", column: "psm", type: "string", nullable: true },
  logid: { kind: "column", column: "logid", type: "string", nullable: true },
  call_type: { kind: "column", column: "call_type", type: "string", nullable: true },
  input: { kind: "column", column: "input", type: "string" },
  output: { kind: "column", column: "output", type: "string" },
  status_code: { kind: "column", column: "status_code", type: "long" },
  duration: { kind: "column", column: "duration", type: "long", scale: 1000 },
  start_time: { kind: "column", column: "start_time", type: "long", scale: 1000 },
  status: { kind: "status" },
};

const stringTag = (name: string): FieldSource => ({
  kind: "tag",
  map: "tags_string",
  type: "string",
  column: TAG_COLUMNS[name],
});

/** Well-known tags and the map holding them (string ones with a column of their own). */
export const KNOWN_TAGS: Record<string, FieldSource> = {
  model_name: stringTag("model_name"),
  model_provider: stringTag("model_provider"),
  prompt_key: stringTag("prompt_key"),
  prompt_version: stringTag("prompt_version"),
  user_id: stringTag("user_id"),
  message_id: stringTag("message_id"),
  thread_id: stringTag("thread_id"),
  agent_name: stringTag("agent_name"),
  error: stringTag("error"),
  input_tokens: { kind: "tag", map: "tags_long", type: "long" },
  output_tokens: { kind: "tag", map: "tags_long", type: "long" },
  tokens: { kind: "tag", map: "tags_long", type: "long" },
  latency_first_resp: { kind: "tag", map: "tags_long", type: "long" },
  reasoning_duration: { kind: "tag", map: "tags_long", type: "long" },
  stream: { kind: "tag", map: "tags_bool", type: "bool" },
};

const TAG_MAP: Record<FieldType, string> = {
  string: "tags_string",
  long: "tags_long",
  double: "tags_float",
  bool: "tags_bool",
};

/**
 * A custom field name: any tag key an SDK may have sent (it is a query parameter, so quotes
 * and the like are harmless), without control characters.
 */
// deno-lint-ignore no-control-regex
export const FIELD_NAME = /^[^\u0000-\u001f\u007f]{1,256}$/u;

/** Where `name` lives; custom names go to the tag map of `type` (string by default). */
export function resolveField(name: string, type?: FieldType): FieldSource | undefined {
  const known = COLUMNS[name] ?? KNOWN_TAGS[name];
  if (known) return known;
  if (!FIELD_NAME.test(name)) return undefined;
  const t = type ?? "string";
  return { kind: "tag", map: TAG_MAP[t], type: t };
}

/** The field list `traces/meta_info` answers (name, type, the query types it supports). */
export function fieldMeta(): { name: string; type: FieldType; query_types: string[] }[] {
  const qt = (t: FieldType) =>
    t === "string"
      ? ["eq", "not_eq", "in", "not_in", "match", "not_match", "exist", "not_exist"]
      : t === "bool"
      ? ["eq", "not_eq", "exist", "not_exist"]
      : ["eq", "not_eq", "in", "not_in", "lt", "lte", "gt", "gte", "exist", "not_exist"];
  const all = { ...COLUMNS, ...KNOWN_TAGS };
  return Object.entries(all).map(([name, src]) => {
    const type: FieldType = src.kind === "status" ? "string" : src.type;
    return { name, type, query_types: src.kind === "status" ? ["eq", "not_eq", "in"] : qt(type) };
  });
}
