/**
 * Turns what SDKs send into stored rows. SDKs crash their host process on any ingest error
 * (WIRE.md), so a bad span never fails the batch: fields that can be repaired are (types
 * coerced, oversized text cut, bad parent ids made roots), and spans that cannot be stored
 * (no valid trace/span id, no start time) are dropped with a reason for the log.
 */
import type { InputSpan, SpanRow } from "./types.ts";

/** Longest input/output text stored inline; larger payloads belong in object storage. */
export const MAX_TEXT_BYTES = 1024 * 1024;
/** Longest span name, type, service, log id. */
export const MAX_NAME = 1024;
/** Entries kept per tag map, longest tag key, longest string tag value. */
export const MAX_TAGS = 256;
export const MAX_TAG_KEY = 256;
export const MAX_TAG_TEXT = 64 * 1024;
const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
// Start times outside [2000-01-01, now + 1 day] are clock errors or units mistakes.
const MIN_START_US = 946_684_800_000_000;
const MAX_AHEAD_US = 86_400_000_000;

/** Whether a start time (µs) is plausible for a span received at `nowUs`. */
export function startInRange(startUs: number, nowUs: number): boolean {
  return startUs >= MIN_START_US && startUs <= nowUs + MAX_AHEAD_US;
}

/** An Int64 tag value given as a decimal string, when it is one in range. */
export function int64Text(x: string): boolean {
  if (!/^-?\d{1,19}$/.test(x)) return false;
  const b = BigInt(x);
  return b <= 9223372036854775807n && b >= -9223372036854775808n;
}

/** The outcome for one span. */
export type Normalized = { row: SpanRow; repairs: string[] } | { dropped: string };

/** Normalizes one span received at `nowUs` (µs). */
export function normalizeSpan(input: unknown, nowUs: number): Normalized {
  if (!input || typeof input !== "object" || Array.isArray(input)) {
    return { dropped: "not an object" };
  }
  const s = input as InputSpan;
  const repairs: string[] = [];
  const traceId = str(s.trace_id).toLowerCase();
  const spanId = str(s.span_id).toLowerCase();
  if (!HEX32.test(traceId)) return { dropped: `invalid trace_id ${JSON.stringify(s.trace_id)}` };
  if (!HEX16.test(spanId)) return { dropped: `invalid span_id ${JSON.stringify(s.span_id)}` };
  const start = int(s.started_at_micros);
  if (start === null || !startInRange(start, nowUs)) {
    return { dropped: `invalid started_at_micros ${JSON.stringify(s.started_at_micros)}` };
  }
  let parentId = str(s.parent_id).toLowerCase();
  if (parentId === "" || parentId === "0") parentId = "0";
  else if (!HEX16.test(parentId) || parentId === spanId) {
    repairs.push("parent_id");
    parentId = "0";
  }
  let duration = int(s.duration_micros ?? s.duration);
  if (duration === null || duration < 0) {
    if (s.duration_micros !== undefined || s.duration !== undefined) repairs.push("duration");
    duration = 0;
  }
  const tags = {
    tags_string: stringMap(s.tags_string, repairs, "tags_string"),
    tags_long: longMap(s.tags_long, repairs, "tags_long"),
    tags_float: floatMap(s.tags_double, repairs, "tags_double"),
    tags_bool: boolMap(s.tags_bool, repairs, "tags_bool"),
    tags_byte: stringMap(s.tags_bytes, repairs, "tags_bytes"),
    system_tags_string: stringMap(s.system_tags_string, repairs, "system_tags_string"),
    system_tags_long: longMap(s.system_tags_long, repairs, "system_tags_long"),
    system_tags_float: floatMap(s.system_tags_double, repairs, "system_tags_double"),
  };
  const latency = int(s.latency_first_resp);
  if (latency !== null && latency >= 0) tags.tags_long.latency_first_resp ??= latency;
  const row: SpanRow = {
    space_id: str(s.workspace_id),
    trace_id: traceId,
    span_id: spanId,
    parent_id: parentId,
    start_time: start,
    duration,
    span_type: cut(str(s.span_type) || "custom", MAX_NAME),
    span_name: cut(str(s.span_name), MAX_NAME),
    method: opt(s.method),
    psm: opt(s.service_name ?? s.psm),
    logid: opt(s.log_id ?? s.logid),
    call_type: opt(s.call_type),
    status_code: Number.isInteger(s.status_code) ? s.status_code! | 0 : 0,
    input: text(s.input, repairs, "input"),
    output: text(s.output, repairs, "output"),
    object_storage: objectStorage(opt(s.object_storage, 64 * 1024)),
    ...tags,
    ingest_time: nowUs,
  };
  return { row, repairs };
}

function str(v: unknown): string {
  return typeof v === "string" ? v.trim() : typeof v === "number" ? String(v) : "";
}

function opt(v: unknown, max = MAX_NAME): string | null {
  const s = str(v);
  return s === "" ? null : cut(s, max);
}

/** `s` cut to `max` UTF-16 units. */
export function cut(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) : s;
}

function int(v: unknown): number | null {
  const n = typeof v === "string" && /^-?\d{1,18}$/.test(v) ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? Math.trunc(n) : null;
}

// Input/output are strings on the wire; objects are kept as JSON, huge text is cut.
function text(v: unknown, repairs: string[], field: string): string {
  let s: string;
  if (typeof v === "string") s = v;
  else if (v === undefined || v === null) return "";
  else {
    repairs.push(field);
    s = JSON.stringify(v) ?? "";
  }
  if (s.length > MAX_TEXT_BYTES) {
    repairs.push(`${field} truncated`);
    s = s.slice(0, MAX_TEXT_BYTES);
  }
  return s;
}

function entries(v: unknown, repairs: string[], field: string): [string, unknown][] {
  if (v === undefined || v === null) return [];
  if (typeof v !== "object" || Array.isArray(v)) {
    repairs.push(field);
    return [];
  }
  const all = Object.entries(v as Record<string, unknown>);
  if (all.length > MAX_TAGS) repairs.push(`${field} truncated`);
  return all.slice(0, MAX_TAGS).filter(([k]) => k.length > 0 && k.length <= MAX_TAG_KEY);
}

function stringMap(v: unknown, repairs: string[], field: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of entries(v, repairs, field)) {
    if (typeof x === "string") out[k] = cut(x, MAX_TAG_TEXT);
    else if (x !== undefined && x !== null) {
      repairs.push(`${field}.${k}`);
      out[k] = cut(typeof x === "object" ? JSON.stringify(x) : String(x), MAX_TAG_TEXT);
    }
  }
  return out;
}

function longMap(v: unknown, repairs: string[], field: string): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [k, x] of entries(v, repairs, field)) {
    if (typeof x === "number" && Number.isInteger(x)) out[k] = x;
    else if (typeof x === "string" && int64Text(x)) out[k] = x;
    else repairs.push(`${field}.${k}`);
  }
  return out;
}

function floatMap(v: unknown, repairs: string[], field: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, x] of entries(v, repairs, field)) {
    const n = typeof x === "string" ? Number(x) : x;
    if (typeof n === "number" && Number.isFinite(n)) out[k] = n;
    else repairs.push(`${field}.${k}`);
  }
  return out;
}

function boolMap(v: unknown, repairs: string[], field: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, x] of entries(v, repairs, field)) {
    if (typeof x === "boolean") out[k] = x ? 1 : 0;
    else if (x === "true" || x === "false") out[k] = x === "true" ? 1 : 0;
    else repairs.push(`${field}.${k}`);
  }
  return out;
}

const STORAGE_KEYS = ["input_tos_key", "output_tos_key", "attachments"];
const ATTACHMENT_KEYS = ["field", "name", "type", "tos_key"];

/**
 * `object_storage` with its keys in their canonical spelling. The reference decodes them
 * case-insensitively, and the Go SDK writes `Attachments` (its struct field has no JSON tag).
 */
export function objectStorage(raw: string | null): string | null {
  if (raw === null) return null;
  let o: unknown;
  try {
    o = JSON.parse(raw);
  } catch {
    return raw;
  }
  if (!isRecord(o)) return raw;
  const canonical = canonicalKeys(o, STORAGE_KEYS);
  if (Array.isArray(canonical.attachments)) {
    canonical.attachments = canonical.attachments.map((a) =>
      isRecord(a) ? canonicalKeys(a, ATTACHMENT_KEYS) : a
    );
  }
  return JSON.stringify(canonical);
}

function canonicalKeys(o: Record<string, unknown>, known: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    const name = known.find((n) => n === k.toLowerCase()) ?? k;
    // An exact spelling wins over a differently cased one.
    if (!(name in out) || name === k) out[name] = v;
  }
  return out;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
