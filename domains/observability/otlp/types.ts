/**
 * The decoded OTLP trace export, normalized: the same in-memory shape whether it arrived as
 * protobuf or as OTLP/JSON (ids as lowercase hex, 64-bit times as bigint, enums as numbers).
 */

/** An attribute value, tagged with its OTLP type (AnyValue's oneof). */
export type OtlpAnyValue =
  | { type: "string"; value: string }
  | { type: "bool"; value: boolean }
  | { type: "int"; value: bigint }
  | { type: "double"; value: number }
  | { type: "bytes"; value: Uint8Array }
  | { type: "array"; value: OtlpAnyValue[] }
  | { type: "kvlist"; value: OtlpAttributes }
  | { type: "empty" };

/** Attributes by key. A Map, so that keys such as `__proto__` are plain data. */
export type OtlpAttributes = Map<string, OtlpAnyValue>;

/** SpanKind of the OTLP trace proto. */
export const SpanKind = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;

/** Status.StatusCode of the OTLP trace proto. */
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

/** A span event (`exception`, `gen_ai.user.message`, ...). */
export interface OtlpEvent {
  timeUnixNano: bigint;
  name: string;
  attributes: OtlpAttributes;
}

/** A link to another span. */
export interface OtlpLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: OtlpAttributes;
}

/** One span. Ids are lowercase hex ("" when absent); they are validated when mapped, not here. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  name: string;
  /** A SpanKind value. */
  kind: number;
  /** 0n when absent or unreadable. */
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: OtlpAttributes;
  events: OtlpEvent[];
  links: OtlpLink[];
  /** `code` is a StatusCode value. */
  status: { code: number; message: string };
}

/** The instrumentation scope (library) that produced a group of spans. */
export interface OtlpScope {
  name: string;
  version: string;
  attributes: OtlpAttributes;
}

/** Spans of one instrumentation scope. */
export interface OtlpScopeSpans {
  scope: OtlpScope;
  spans: OtlpSpan[];
  schemaUrl: string;
}

/** Spans of one resource (a process or service), grouped by scope. */
export interface OtlpResourceSpans {
  resource: { attributes: OtlpAttributes };
  scopeSpans: OtlpScopeSpans[];
  schemaUrl: string;
}

/** ExportTraceServiceRequest, normalized. */
export interface ExportTraceServiceRequestShape {
  resourceSpans: OtlpResourceSpans[];
}

/** Why a body was refused: routes answer 400 for `malformed`, 413 and 415 for the others. */
export type OtlpDecodeErrorKind = "malformed" | "too_large" | "unsupported_encoding";

/** A request body that cannot be decoded as a whole (single bad spans are dropped instead). */
export class OtlpDecodeError extends Error {
  override name = "OtlpDecodeError";
  readonly kind: OtlpDecodeErrorKind;

  constructor(message: string, options: { kind?: OtlpDecodeErrorKind; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.kind = options.kind ?? "malformed";
  }
}
