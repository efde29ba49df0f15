/**
 * OTel spans straight to stored rows (SpanRow), following Coze Loop's OTel ingestion: its
 * attribute keys and span type mapping, `error` tag and status rule, token sum and runtime
 * system tag; the ingestion's normalization rules (normalize.ts: lengths, tag limits, start
 * time range) are applied in the same pass, so rows go to the queue as they are. A span with
 * unusable ids or times is dropped with a reason, never thrown on.
 */
import type { InputSpan, SpanRow } from "../types.ts";
import {
  cut,
  int64Text,
  MAX_NAME,
  MAX_TAG_KEY,
  MAX_TAG_TEXT,
  MAX_TAGS,
  MAX_TEXT_BYTES,
  startInRange,
} from "../normalize.ts";
import type {
  ExportTraceServiceRequestShape,
  OtlpAttributes,
  OtlpScope,
  OtlpSpan,
} from "./types.ts";
import { ioIndex, spanInput, spanOutput } from "./_io.ts";
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

/** Rows of the mapped spans, and how many were dropped and why (at most MAX_REASONS listed). */
export interface OtlpRowsResult {
  rows: SpanRow[];
  dropped: number;
  reasons: string[];
}

/** The same as SDK spans (what the rows read as through the SDK ingestion path). */
export interface OtlpMappingResult {
  spans: InputSpan[];
  dropped: number;
  reasons: string[];
}

/** Reasons listed per request: enough to debug an exporter, bounded for logs. */
export const MAX_REASONS = 50;

interface SystemTags {
  string: Record<string, string>;
  long: Record<string, number | string>;
  double: Record<string, number>;
}

interface SpanContext {
  resource: OtlpAttributes;
  scope: OtlpScope;
  workspaceId: string;
  nowUs: number;
  /** The scope's system tags, for spans without a runtime of their own. */
  system?: SystemTags;
}

/**
 * Maps every span of a decoded request received at `nowUs` (µs) to rows. `workspaceId` (the
 * `cozeloop-workspace-id` header) applies unless a span names its own in
 * `cozeloop.workspace_id`, as in Coze Loop: callers must therefore authorize every distinct
 * `space_id` of the result, not just the header.
 */
export function otlpToRows(
  request: ExportTraceServiceRequestShape,
  workspaceId: string,
  nowUs: number = Date.now() * 1000,
): OtlpRowsResult {
  const rows: SpanRow[] = [];
  const reasons: string[] = [];
  let dropped = 0;
  for (const rs of request.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      const ctx: SpanContext = {
        resource: rs.resource.attributes,
        scope: ss.scope,
        workspaceId,
        nowUs,
      };
      for (const span of ss.spans) {
        const mapped = mapSpan(span, ctx);
        if (typeof mapped !== "string") rows.push(mapped);
        else if (++dropped <= MAX_REASONS) reasons.push(mapped);
      }
    }
  }
  return { rows, dropped, reasons };
}

/** The mapped spans as SDK spans: each normalizes back to its row unchanged. */
export function otlpToInputSpans(
  request: ExportTraceServiceRequestShape,
  workspaceId: string,
  nowUs?: number,
): OtlpMappingResult {
  const { rows, dropped, reasons } = otlpToRows(request, workspaceId, nowUs);
  return { spans: rows.map(rowToInputSpan), dropped, reasons };
}

/** A stored row in the SDK span format. */
export function rowToInputSpan(row: SpanRow): InputSpan {
  const bools: Record<string, boolean> = {};
  for (const [k, v] of Object.entries(row.tags_bool)) setTag(bools, k, v === 1);
  return {
    started_at_micros: row.start_time,
    span_id: row.span_id,
    parent_id: row.parent_id,
    trace_id: row.trace_id,
    duration_micros: row.duration,
    workspace_id: row.space_id,
    span_name: row.span_name,
    span_type: row.span_type,
    method: row.method ?? "",
    status_code: row.status_code,
    input: row.input,
    output: row.output,
    call_type: row.call_type ?? undefined,
    ...(row.psm !== null ? { service_name: row.psm, psm: row.psm } : {}),
    ...(row.logid !== null ? { log_id: row.logid } : {}),
    ...(row.object_storage !== null ? { object_storage: row.object_storage } : {}),
    tags_string: row.tags_string,
    tags_long: row.tags_long,
    tags_double: row.tags_float,
    tags_bool: bools,
    tags_bytes: row.tags_byte,
    system_tags_string: row.system_tags_string,
    system_tags_long: row.system_tags_long,
    system_tags_double: row.system_tags_float,
  };
}

/** Client-supplied text in a reason, shortened: reasons end up in logs. */
function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}...` : text;
}

/**
 * What an id is: "hex" (`length` lowercase hex digits, not all zero), "zero" (only zeros, or
 * empty) or "bad". One pass over the characters: this runs three times per span.
 */
function idKind(id: string, length: number): "hex" | "zero" | "bad" {
  let zero = true;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c === 48) continue; // "0"
    zero = false;
    if (!((c > 48 && c <= 57) || (c >= 97 && c <= 102))) return "bad"; // 1-9, a-f
  }
  if (zero) return "zero";
  return id.length === length ? "hex" : "bad";
}

function invalidIds(span: OtlpSpan): string | undefined {
  if (idKind(span.traceId, 32) !== "hex") {
    return `invalid trace id "${clip(span.traceId)}": want 32 hex digits, not all zero`;
  }
  if (idKind(span.spanId, 16) !== "hex") {
    return `invalid span id "${clip(span.spanId)}": want 16 hex digits, not all zero`;
  }
  if (idKind(span.parentSpanId, 16) === "bad") {
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

function mapSpan(span: OtlpSpan, ctx: SpanContext): SpanRow | string {
  const where = () => `span "${clip(span.name)}" (span id "${clip(span.spanId)}")`;
  const invalid = invalidIds(span) ?? invalidTimes(span);
  if (invalid) return `${where()}: ${invalid}`;
  const workspace = asString(span.attributes.get(FIELD_KEYS.workspace))?.trim() || ctx.workspaceId;
  if (!workspace) return `${where()}: no workspace (cozeloop-workspace-id header or attribute)`;
  const startMicros = Number(span.startTimeUnixNano / 1000n);
  if (!startInRange(startMicros, ctx.nowUs)) {
    return `${where()}: start time ${span.startTimeUnixNano} is before 2000 or over a day ahead`;
  }

  const tags = spanTags(span, startMicros);
  const error = errorText(span);
  if (error !== undefined) setTag(tags.string, "error", error);
  const explicitStatus = int32(asLong(span.attributes.get(FIELD_KEYS.statusCode)) ?? 0n);
  const service = asString(span.attributes.get(FIELD_KEYS.service)) ??
    asString(ctx.resource.get(FIELD_KEYS.service));
  const logId = asString(span.attributes.get(FIELD_KEYS.logId));
  const system = span.attributes.has(FIELD_KEYS.runtime)
    ? finishedSystemTags(span, ctx)
    : (ctx.system ??= finishedSystemTags(span, ctx));
  const io = ioIndex(span);
  const parent = idKind(span.parentSpanId, 16) === "zero" || span.parentSpanId === span.spanId
    ? "0"
    : span.parentSpanId;
  return {
    space_id: workspace,
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_id: parent,
    start_time: startMicros,
    duration: Number((span.endTimeUnixNano - span.startTimeUnixNano) / 1000n),
    span_type: cut(spanType(span).trim() || "custom", MAX_NAME),
    span_name: cut(span.name.trim(), MAX_NAME),
    method: null,
    psm: optText(service),
    logid: optText(logId),
    call_type: "Custom",
    // Coze Loop: any error detail marks the span failed unless cozeloop.status_code says how.
    status_code: explicitStatus !== 0 ? explicitStatus : error !== undefined ? -1 : 0,
    input: cut(spanInput(span, io), MAX_TEXT_BYTES),
    output: cut(spanOutput(span, io), MAX_TEXT_BYTES),
    object_storage: null,
    tags_string: stringTags(tags.string),
    tags_long: longTags(tags.long),
    tags_float: doubleTags(tags.double),
    tags_bool: boolTags(tags.bool),
    tags_byte: stringTags(tags.bytes),
    system_tags_string: system.string,
    system_tags_long: system.long,
    system_tags_float: system.double,
    ingest_time: ctx.nowUs,
  };
}

/**
 * System tags come from the resource and the scope, and from the span only when it sets its
 * own runtime: spans without one share their scope's maps (rows are never modified after).
 */
function finishedSystemTags(span: OtlpSpan, ctx: SpanContext): SystemTags {
  const system = systemTags(span, ctx.resource, ctx.scope);
  return {
    string: stringTags(system.string),
    long: longTags(system.long),
    double: doubleTags(system.double),
  };
}

function optText(v: string | undefined): string | null {
  const s = v?.trim() ?? "";
  return s === "" ? null : cut(s, MAX_NAME);
}

/**
 * normalize.ts's tag limits on a map built here: the first MAX_TAGS entries (in
 * Object.entries order), keys of 1 to MAX_TAG_KEY characters. The map itself when it is
 * within them, as nearly every map is.
 */
function capped<T>(map: Record<string, T>): Record<string, T> {
  const keys = Object.keys(map);
  let ok = keys.length <= MAX_TAGS;
  for (let i = 0; ok && i < keys.length; i++) {
    ok = keys[i].length > 0 && keys[i].length <= MAX_TAG_KEY;
  }
  if (ok) return map;
  const out: Record<string, T> = {};
  for (const k of keys.slice(0, MAX_TAGS)) {
    if (k.length > 0 && k.length <= MAX_TAG_KEY) setTag(out, k, map[k]);
  }
  return out;
}

function stringTags(map: Record<string, string>): Record<string, string> {
  const out = capped(map);
  for (const k in out) if (out[k].length > MAX_TAG_TEXT) out[k] = cut(out[k], MAX_TAG_TEXT);
  return out;
}

/** Int64 values only: a huge integer read from a double or a string is left out. */
function longTags(map: Record<string, number | string>): Record<string, number | string> {
  const out = capped(map);
  for (const k in out) {
    const v = out[k];
    if (typeof v === "number" ? !Number.isInteger(v) : !int64Text(v)) delete out[k];
  }
  return out;
}

function doubleTags(map: Record<string, number>): Record<string, number> {
  const out = capped(map);
  for (const k in out) if (!Number.isFinite(out[k])) delete out[k];
  return out;
}

function boolTags(map: Record<string, boolean>): Record<string, number> {
  const out: Record<string, number> = {};
  const kept = capped(map);
  for (const k in kept) setTag(out, k, kept[k] ? 1 : 0);
  return out;
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
