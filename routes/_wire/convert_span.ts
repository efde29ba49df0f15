/** Stored spans to the IDL's span.OutputSpan (times in ms, int64 as strings). */
import type { SpanRow } from "../../domains/observability/types.ts";
import type { PayloadUrls } from "../../domains/observability/query/spans.ts";
import type { Annotation } from "../../domains/observability/annotations.ts";

const KNOWN_TYPES = new Set([
  "prompt",
  "model",
  "parser",
  "embedding",
  "memory",
  "plugin",
  "function",
  "graph",
  "remote",
  "loader",
  "transformer",
  "vector_store",
  "vector_retriever",
  "agent",
  "LLMCall",
]);

/** `span.OutputSpan`. */
export function outputSpan(s: SpanRow, urls?: PayloadUrls) {
  const longs = (m: Record<string, number | string>) =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, BigInt(v)]));
  return {
    trace_id: s.trace_id,
    span_id: s.span_id,
    parent_id: s.parent_id,
    span_name: s.span_name,
    span_type: s.span_type,
    type: KNOWN_TYPES.has(s.span_type) ? s.span_type : "unknwon", // sic: the IDL's spelling
    started_at: BigInt(Math.floor(s.start_time / 1000)),
    duration: BigInt(Math.floor(s.duration / 1000)),
    status: s.status_code === 0 ? "success" : "error",
    status_code: s.status_code,
    input: s.input,
    output: s.output,
    service_name: s.psm ?? "",
    logid: s.logid ?? "",
    call_type: s.call_type ?? "",
    method: s.method ?? "",
    object_storage: s.object_storage ?? "",
    tags_string: s.tags_string,
    tags_long: longs(s.tags_long),
    tags_double: s.tags_float,
    tags_bool: Object.fromEntries(Object.entries(s.tags_bool).map(([k, v]) => [k, v === 1])),
    tags_bytes: s.tags_byte,
    system_tags_string: s.system_tags_string,
    system_tags_long: longs(s.system_tags_long),
    system_tags_double: s.system_tags_float,
    ...(urls ? { attr_tos: urls } : {}),
  };
}

/** `annotation.Annotation`. */
export function outputAnnotation(a: Annotation) {
  return {
    id: a.id,
    span_id: a.spanId,
    trace_id: a.traceId,
    workspace_id: a.workspaceId,
    start_time: BigInt(Math.floor(a.startTime / 1000)),
    type: a.type,
    key: a.key,
    value_type: a.valueType,
    value: a.value,
    status: a.status,
    reasoning: a.reasoning,
    base_info: {
      created_by: { user_id: a.createdBy },
      updated_by: { user_id: a.updatedBy },
      created_at: BigInt(Math.floor(a.createdAt / 1000)),
      updated_at: BigInt(Math.floor(a.updatedAt / 1000)),
    },
  };
}
