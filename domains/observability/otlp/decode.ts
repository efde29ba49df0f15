/**
 * OTLP/HTTP trace bodies to the normalized request shape. Protobuf is read straight from the
 * wire (./_proto_reader.ts); JSON follows the OTLP/JSON rules (hex ids, int64 as strings or
 * numbers, enums as names or numbers, lowerCamelCase or snake_case field names) through the
 * normalizer, which also takes protobufjs's decoded messages (./decode_via_messages.ts, what
 * the direct reader is held to in tests).
 */
import { readTraceRequest } from "./_proto_reader.ts";
import {
  field,
  optArray,
  optObject,
  parseAttributes,
  parseEnum,
  parseId,
  parseLong,
  reqObject,
  str,
} from "./_values.ts";
import {
  type ExportTraceServiceRequestShape,
  OtlpDecodeError,
  type OtlpEvent,
  type OtlpLink,
  type OtlpResourceSpans,
  type OtlpScopeSpans,
  type OtlpSpan,
  SpanKind,
  StatusCode,
} from "./types.ts";

const KIND_NAMES = Object.fromEntries(
  Object.entries(SpanKind).map(([name, n]) => [`SPAN_KIND_${name}`, n]),
);
const STATUS_NAMES = Object.fromEntries(
  Object.entries(StatusCode).map(([name, n]) => [`STATUS_CODE_${name}`, n]),
);

/**
 * Decodes an `application/x-protobuf` ExportTraceServiceRequest straight from the wire bytes
 * (./_proto_reader.ts: what protobufjs's messages, normalized, gave); throws OtlpDecodeError.
 */
export function decodeOtlpProtobuf(bytes: Uint8Array): ExportTraceServiceRequestShape {
  return withPrefix("Cannot decode OTLP protobuf body", () => readTraceRequest(bytes));
}

/** Decodes an `application/json` ExportTraceServiceRequest; throws OtlpDecodeError. */
export function decodeOtlpJson(text: string): ExportTraceServiceRequestShape {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new OtlpDecodeError(`Cannot decode OTLP JSON body: ${errorText(e)}`, { cause: e });
  }
  return withPrefix("Cannot decode OTLP JSON body", () => normalizeRequest(doc));
}

/** The body format named by a Content-Type header, or null when it is neither OTLP format. */
export function otlpFormatOf(contentType: string | null | undefined): "protobuf" | "json" | null {
  const mime = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (mime === "application/x-protobuf" || mime === "application/protobuf") return "protobuf";
  return mime === "application/json" ? "json" : null;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Runs `run`, prefixing the message of an OtlpDecodeError it throws. */
export function withPrefix<T>(prefix: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (!(e instanceof OtlpDecodeError)) throw e;
    throw new OtlpDecodeError(`${prefix}: ${e.message}`, { cause: e });
  }
}

/** A decoded request document (OTLP/JSON, or a protobufjs message) in the normalized shape. */
export function normalizeRequest(doc: unknown): ExportTraceServiceRequestShape {
  const root = reqObject(doc, "top level");
  const list = optArray(field(root, "resourceSpans"), "resourceSpans");
  return { resourceSpans: list.map((rs, i) => resourceSpans(rs, `resourceSpans[${i}]`)) };
}

function resourceSpans(value: unknown, path: string): OtlpResourceSpans {
  const obj = reqObject(value, path);
  const resource = optObject(field(obj, "resource"), `${path}.resource`);
  const scopes = optArray(field(obj, "scopeSpans"), `${path}.scopeSpans`);
  return {
    resource: {
      attributes: parseAttributes(field(resource, "attributes"), `${path}.resource.attributes`),
    },
    scopeSpans: scopes.map((s, i) => scopeSpans(s, `${path}.scopeSpans[${i}]`)),
    schemaUrl: str(field(obj, "schemaUrl")),
  };
}

function scopeSpans(value: unknown, path: string): OtlpScopeSpans {
  const obj = reqObject(value, path);
  const scope = optObject(field(obj, "scope"), `${path}.scope`);
  const spans = optArray(field(obj, "spans"), `${path}.spans`);
  return {
    scope: {
      name: str(field(scope, "name")),
      version: str(field(scope, "version")),
      attributes: parseAttributes(field(scope, "attributes"), `${path}.scope.attributes`),
    },
    spans: spans.map((s, i) => span(s, `${path}.spans[${i}]`)),
    schemaUrl: str(field(obj, "schemaUrl")),
  };
}

function span(value: unknown, path: string): OtlpSpan {
  const obj = reqObject(value, path);
  const status = optObject(field(obj, "status"), `${path}.status`);
  const events = optArray(field(obj, "events"), `${path}.events`);
  const links = optArray(field(obj, "links"), `${path}.links`);
  return {
    traceId: parseId(field(obj, "traceId")),
    spanId: parseId(field(obj, "spanId")),
    parentSpanId: parseId(field(obj, "parentSpanId")),
    traceState: str(field(obj, "traceState")),
    name: str(field(obj, "name")),
    kind: parseEnum(field(obj, "kind"), KIND_NAMES),
    startTimeUnixNano: parseLong(field(obj, "startTimeUnixNano")) ?? 0n,
    endTimeUnixNano: parseLong(field(obj, "endTimeUnixNano")) ?? 0n,
    attributes: parseAttributes(field(obj, "attributes"), `${path}.attributes`),
    events: events.map((e, i) => event(e, `${path}.events[${i}]`)),
    links: links.map((l, i) => link(l, `${path}.links[${i}]`)),
    status: {
      code: parseEnum(field(status, "code"), STATUS_NAMES),
      message: str(field(status, "message")),
    },
  };
}

function event(value: unknown, path: string): OtlpEvent {
  const obj = reqObject(value, path);
  return {
    timeUnixNano: parseLong(field(obj, "timeUnixNano")) ?? 0n,
    name: str(field(obj, "name")),
    attributes: parseAttributes(field(obj, "attributes"), `${path}.attributes`),
  };
}

function link(value: unknown, path: string): OtlpLink {
  const obj = reqObject(value, path);
  return {
    traceId: parseId(field(obj, "traceId")),
    spanId: parseId(field(obj, "spanId")),
    traceState: str(field(obj, "traceState")),
    attributes: parseAttributes(field(obj, "attributes"), `${path}.attributes`),
  };
}
