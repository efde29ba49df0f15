/** The traces pages' calls to the observability routes, and the types they read. */
import { api } from "../../api/client.ts";
import type { Answer } from "../../api/types.ts";
import type { FieldType, WireFilters } from "../../lib/span_filters.ts";

/** A span as the API answers it. */
export type Span = Answer<"get", "/api/observability/v1/traces/{trace_id}">["spans"][number];

/** An annotation as the API answers it. */
export type Annotation = Answer<
  "post",
  "/api/observability/v1/annotations/list"
>["annotations"][number];

/** A filterable field: its name, value type and operators. */
export interface FieldMeta {
  name: string;
  type: FieldType;
  ops: string[];
}

/** How far back a trace opened by id is looked for. */
const TRACE_LOOKBACK_MS = 366 * 86_400_000;

/** A page of the span list. */
export async function listSpans(q: {
  spaceId: string;
  start: number;
  end: number;
  type: "root_span" | "all_span" | "llm_span";
  filters?: WireFilters;
  pageToken?: string;
  pageSize?: number;
  signal?: AbortSignal;
}) {
  return await api.post("/api/observability/v1/spans/list", {
    body: {
      workspace_id: q.spaceId,
      start_time: String(Math.floor(q.start)),
      end_time: String(Math.floor(q.end)),
      span_list_type: q.type,
      page_size: q.pageSize ?? 50,
      ...(q.filters ? { filters: q.filters } : {}),
      ...(q.pageToken ? { page_token: q.pageToken } : {}),
    },
    signal: q.signal,
  });
}

/** Every span of a trace (over the last year), with its payload URLs. */
export async function getTrace(spaceId: string, traceId: string, signal?: AbortSignal) {
  const now = Date.now();
  return await api.get("/api/observability/v1/traces/{trace_id}", {
    params: { trace_id: traceId },
    query: {
      workspace_id: spaceId,
      start_time: String(now - TRACE_LOOKBACK_MS),
      end_time: String(now + 86_400_000),
    },
    signal,
  });
}

/** The filterable fields, by name. */
export async function fieldMetas(spaceId: string, signal?: AbortSignal): Promise<FieldMeta[]> {
  const r = await api.get("/api/observability/v1/traces/meta_info", {
    query: { workspace_id: spaceId },
    signal,
  });
  return Object.entries(r.field_metas).map(([name, m]) => ({
    name,
    type: m.value_type,
    ops: m.filter_types,
  }));
}

/** A span's annotations, oldest first. */
export async function listAnnotations(spaceId: string, span: Span, signal?: AbortSignal) {
  const r = await api.post("/api/observability/v1/annotations/list", {
    body: { workspace_id: spaceId, trace_id: span.trace_id, span_id: span.span_id },
    signal,
  });
  return r.annotations;
}

/** Annotates a span. */
export async function createAnnotation(
  spaceId: string,
  span: Span,
  a: { key: string; value: string; valueType: Annotation["value_type"]; reasoning: string },
) {
  return await api.post("/api/observability/v1/annotations", {
    body: {
      annotation: {
        workspace_id: spaceId,
        trace_id: span.trace_id,
        span_id: span.span_id,
        start_time: span.started_at,
        key: a.key,
        value: a.value,
        value_type: a.valueType,
        ...(a.reasoning ? { reasoning: a.reasoning } : {}),
      },
    },
  });
}

/** Deletes an annotation. */
export async function deleteAnnotation(spaceId: string, a: Annotation) {
  await api.delete("/api/observability/v1/annotations/{annotation_id}", {
    params: { annotation_id: a.id },
    query: { workspace_id: spaceId, trace_id: a.trace_id, span_id: a.span_id },
  });
}
