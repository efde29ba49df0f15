/**
 * OTel spans to the SDK span format (InputSpan), following Coze Loop's OTel ingestion: its
 * attribute keys and span type mapping, `error` tag and status rule, token sum and runtime
 * system tag. A span with unusable ids or times is dropped with a reason, never thrown on.
 */
import type { InputSpan } from "../types.ts";
import type {
  ExportTraceServiceRequestShape,
  OtlpAttributes,
  OtlpScope,
  OtlpSpan,
} from "./types.ts";
import { spanInput, spanOutput } from "./_io.ts";
import {
  asLong,
  asString,
  errorText,
  FIELD_KEYS,
  firstOf,
  isConsumed,
  putTyped,
  setTag,
  SPAN_TYPE_KEYS,
  SPAN_TYPES,
  type TagMaps,
} from "./_fields.ts";
import { knownTags, systemTags } from "./_tags.ts";

/** Mapped spans, and how many were dropped and why (at most MAX_REASONS reasons listed). */
export interface OtlpMappingResult {
  spans: InputSpan[];
  dropped: number;
  reasons: string[];
}

/** Reasons listed per request: enough to debug an exporter, bounded for logs. */
export const MAX_REASONS = 50;

interface SpanContext {
  resource: OtlpAttributes;
  scope: OtlpScope;
  workspaceId: string;
}

/**
 * Maps every span of a decoded request. `workspaceId` (the `cozeloop-workspace-id` header)
 * applies unless a span names its own in `cozeloop.workspace_id`, as in Coze Loop: callers
 * must therefore authorize every distinct `workspace_id` of the result, not just the header.
 */
export function otlpToInputSpans(
  request: ExportTraceServiceRequestShape,
  workspaceId: string,
): OtlpMappingResult {
  const spans: InputSpan[] = [];
  const reasons: string[] = [];
  let dropped = 0;
  for (const rs of request.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      const ctx = { resource: rs.resource.attributes, scope: ss.scope, workspaceId };
      for (const span of ss.spans) {
        const mapped = mapSpan(span, ctx);
        if (typeof mapped !== "string") spans.push(mapped);
        else if (++dropped <= MAX_REASONS) reasons.push(mapped);
      }
    }
  }
  return { spans, dropped, reasons };
}

/** Client-supplied text in a reason, shortened: reasons end up in logs. */
function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}...` : text;
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO = /^0*$/;

function invalidIds(span: OtlpSpan): string | undefined {
  if (!TRACE_ID.test(span.traceId) || ZERO.test(span.traceId)) {
    return `invalid trace id "${clip(span.traceId)}": want 32 hex digits, not all zero`;
  }
  if (!SPAN_ID.test(span.spanId) || ZERO.test(span.spanId)) {
    return `invalid span id "${clip(span.spanId)}": want 16 hex digits, not all zero`;
  }
  if (!ZERO.test(span.parentSpanId) && !SPAN_ID.test(span.parentSpanId)) {
    return `invalid parent span id "${clip(span.parentSpanId)}": want 16 hex digits or none`;
  }
  return undefined;
}

function invalidTimes(span: OtlpSpan): string | undefined {
  const { startTimeUnixNano: start, endTimeUnixNano: end } = span;
  if (start <= 0n) return "missing start time";
  if (end <= 0n) return "missing end time";
  if (end < start) return `end time ${end} is before start time ${start}`;
  // µs must stay exact as JSON numbers (and within ClickHouse's Int64): until year 2255.
  if (end / 1000n > BigInt(Number.MAX_SAFE_INTEGER)) return `end time ${end} is out of range`;
  return undefined;
}

function mapSpan(span: OtlpSpan, ctx: SpanContext): InputSpan | string {
  const where = `span "${clip(span.name)}" (span id "${clip(span.spanId)}")`;
  const invalid = invalidIds(span) ?? invalidTimes(span);
  if (invalid) return `${where}: ${invalid}`;
  const workspace = asString(span.attributes.get(FIELD_KEYS.workspace))?.trim() || ctx.workspaceId;
  if (!workspace) return `${where}: no workspace (cozeloop-workspace-id header or attribute)`;

  const startMicros = Number(span.startTimeUnixNano / 1000n);
  const tags = spanTags(span, startMicros);
  const error = errorText(span);
  if (error !== undefined) setTag(tags.string, "error", error);
  const explicitStatus = int32(asLong(span.attributes.get(FIELD_KEYS.statusCode)) ?? 0n);
  const service = asString(span.attributes.get(FIELD_KEYS.service)) ??
    asString(ctx.resource.get(FIELD_KEYS.service));
  const logId = asString(span.attributes.get(FIELD_KEYS.logId));
  const system = systemTags(span, ctx.resource, ctx.scope);
  return {
    started_at_micros: startMicros,
    span_id: span.spanId,
    parent_id: ZERO.test(span.parentSpanId) ? "0" : span.parentSpanId,
    trace_id: span.traceId,
    duration_micros: Number((span.endTimeUnixNano - span.startTimeUnixNano) / 1000n),
    workspace_id: workspace,
    span_name: span.name,
    span_type: spanType(span),
    method: "",
    // Coze Loop: any error detail marks the span failed unless cozeloop.status_code says how.
    status_code: explicitStatus !== 0 ? explicitStatus : error !== undefined ? -1 : 0,
    input: spanInput(span),
    output: spanOutput(span),
    call_type: "Custom",
    ...(service !== undefined ? { service_name: service, psm: service } : {}),
    ...(logId ? { log_id: logId } : {}),
    tags_string: tags.string,
    tags_long: tags.long,
    tags_double: tags.double,
    tags_bool: tags.bool,
    tags_bytes: tags.bytes,
    system_tags_string: system.string,
    system_tags_long: system.long,
    system_tags_double: system.double,
  };
}

/** status_code is an Int32 column; a code beyond it still means "failed". */
function int32(n: bigint): number {
  return n >= -(2n ** 31n) && n < 2n ** 31n ? Number(n) : -1;
}

function spanType(span: OtlpSpan): string {
  if (span.name === "litellm_request") return "model"; // LiteLLM sets no type attribute
  const raw = firstOf(span.attributes, SPAN_TYPE_KEYS, asString) ?? "";
  if (Object.hasOwn(SPAN_TYPES, raw)) return SPAN_TYPES[raw];
  return raw === "" ? "custom" : raw;
}

function spanTags(span: OtlpSpan, startMicros: number): TagMaps {
  const tags: TagMaps = { string: {}, long: {}, double: {}, bool: {}, bytes: {} };
  for (const [key, value] of span.attributes) {
    if (!isConsumed(key)) putTyped(tags, key, value);
  }
  knownTags(span, startMicros, tags); // after the generic ones: well-known names win
  return tags;
}
