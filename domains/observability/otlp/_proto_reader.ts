/**
 * ExportTraceServiceRequest protobuf bytes straight to the normalized shape, without
 * protobufjs's message objects in between (they cost about as much again as the mapping).
 * It reads what protobufjs's generated decoders read, the same way: fields by number, unknown
 * fields skipped (groups too), a repeated message field appended, a singular one replaced,
 * absent fields as their defaults; and what normalizing those messages made of them: ids as
 * lowercase hex, 64-bit times as bigint, an AnyValue's first set member in the order string,
 * bool, int, double, array, kvlist, bytes. Truncated input and bad wire types throw.
 */
import { MAX_VALUE_DEPTH } from "./_values.ts";
import { Reader } from "./_proto_cursor.ts";
import {
  type OtlpAnyValue,
  type OtlpAttributes,
  OtlpDecodeError,
  type OtlpEvent,
  type OtlpLink,
  type OtlpResourceSpans,
  type OtlpScope,
  type OtlpScopeSpans,
  type OtlpSpan,
} from "./types.ts";

/** Decodes an ExportTraceServiceRequest; throws OtlpDecodeError on malformed bytes. */
export function readTraceRequest(bytes: Uint8Array): { resourceSpans: OtlpResourceSpans[] } {
  const r = new Reader(bytes, 0, bytes.length);
  const resourceSpans: OtlpResourceSpans[] = [];
  r.fields(bytes.length, (n, w) => {
    if (n === 1) resourceSpans.push(readResourceSpans(r, r.span()));
    else r.skip(w);
  });
  return { resourceSpans };
}

function readResourceSpans(r: Reader, end: number): OtlpResourceSpans {
  let attributes: OtlpAttributes = new Map();
  const scopeSpans: OtlpScopeSpans[] = [];
  let schemaUrl = "";
  r.fields(end, (n, w) => {
    if (n === 1) {
      const e = r.span();
      attributes = new Map();
      r.fields(e, (m, w2) => m === 1 ? readKeyValue(r, r.span(), attributes, 0) : r.skip(w2));
    } else if (n === 2) scopeSpans.push(readScopeSpans(r, r.span()));
    else if (n === 3) schemaUrl = r.string();
    else r.skip(w);
  });
  return { resource: { attributes }, scopeSpans, schemaUrl };
}

function readScopeSpans(r: Reader, end: number): OtlpScopeSpans {
  let scope: OtlpScope = { name: "", version: "", attributes: new Map() };
  const spans: OtlpSpan[] = [];
  let schemaUrl = "";
  r.fields(end, (n, w) => {
    if (n === 1) scope = readScope(r, r.span());
    else if (n === 2) spans.push(readSpan(r, r.span()));
    else if (n === 3) schemaUrl = r.string();
    else r.skip(w);
  });
  return { scope, spans, schemaUrl };
}

function readScope(r: Reader, end: number): OtlpScope {
  const scope: OtlpScope = { name: "", version: "", attributes: new Map() };
  r.fields(end, (n, w) => {
    if (n === 1) scope.name = r.string();
    else if (n === 2) scope.version = r.string();
    else if (n === 3) readKeyValue(r, r.span(), scope.attributes, 0);
    else r.skip(w);
  });
  return scope;
}

function readSpan(r: Reader, end: number): OtlpSpan {
  const span: OtlpSpan = {
    traceId: "",
    spanId: "",
    parentSpanId: "",
    traceState: "",
    name: "",
    kind: 0,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    attributes: new Map(),
    events: [],
    links: [],
    status: { code: 0, message: "" },
  };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        span.traceId = r.hex();
        break;
      case 2:
        span.spanId = r.hex();
        break;
      case 3:
        span.traceState = r.string();
        break;
      case 4:
        span.parentSpanId = r.hex();
        break;
      case 5:
        span.name = r.string();
        break;
      case 6:
        span.kind = r.uint32() | 0;
        break;
      case 7:
        span.startTimeUnixNano = r.fixed64();
        break;
      case 8:
        span.endTimeUnixNano = r.fixed64();
        break;
      case 9:
        readKeyValue(r, r.span(), span.attributes, 0);
        break;
      case 11:
        span.events.push(readEvent(r, r.span()));
        break;
      case 13:
        span.links.push(readLink(r, r.span()));
        break;
      case 15:
        span.status = readStatus(r, r.span());
        break;
      default:
        r.skip(tag & 7);
    }
  }
  return span;
}

function readEvent(r: Reader, end: number): OtlpEvent {
  const event: OtlpEvent = { timeUnixNano: 0n, name: "", attributes: new Map() };
  r.fields(end, (n, w) => {
    if (n === 1) event.timeUnixNano = r.fixed64();
    else if (n === 2) event.name = r.string();
    else if (n === 3) readKeyValue(r, r.span(), event.attributes, 0);
    else r.skip(w);
  });
  return event;
}

function readLink(r: Reader, end: number): OtlpLink {
  const link: OtlpLink = { traceId: "", spanId: "", traceState: "", attributes: new Map() };
  r.fields(end, (n, w) => {
    if (n === 1) link.traceId = r.hex();
    else if (n === 2) link.spanId = r.hex();
    else if (n === 3) link.traceState = r.string();
    else if (n === 4) readKeyValue(r, r.span(), link.attributes, 0);
    else r.skip(w);
  });
  return link;
}

function readStatus(r: Reader, end: number): { code: number; message: string } {
  const status = { code: 0, message: "" };
  r.fields(end, (n, w) => {
    if (n === 2) status.message = r.string();
    else if (n === 3) status.code = r.uint32() | 0;
    else r.skip(w);
  });
  return status;
}

/** A KeyValue into `into` (a later duplicate key wins, as with the normalizer). */
function readKeyValue(r: Reader, end: number, into: OtlpAttributes, depth: number): void {
  // A loop rather than r.fields and a closure: this runs for every attribute.
  let key = "";
  let value: OtlpAnyValue = EMPTY;
  while (r.pos < end) {
    const tag = r.uint32();
    const n = tag >>> 3;
    if (n === 1) key = r.key();
    else if (n === 2) value = readAnyValue(r, r.span(), depth);
    else r.skip(tag & 7);
  }
  into.set(key, value);
}

const EMPTY: OtlpAnyValue = Object.freeze({ type: "empty" });

function readAnyValue(r: Reader, end: number, depth: number): OtlpAnyValue {
  if (depth > MAX_VALUE_DEPTH) {
    throw new OtlpDecodeError(`values nested deeper than ${MAX_VALUE_DEPTH} levels`);
  }
  // protobufjs keeps every member it reads; the normalizer took the first in this order.
  let str: string | undefined, bool: boolean | undefined, int: bigint | undefined;
  let dbl: number | undefined, bytes: Uint8Array | undefined;
  let arr: OtlpAnyValue[] | undefined, kv: OtlpAttributes | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        str = r.string();
        break;
      case 2:
        bool = r.bool();
        break;
      case 3:
        int = r.int64();
        break;
      case 4:
        dbl = r.double();
        break;
      case 5: {
        const e = r.span();
        const values: OtlpAnyValue[] = [];
        r.fields(
          e,
          (m, w2) => m === 1 ? values.push(readAnyValue(r, r.span(), depth + 1)) : r.skip(w2),
        );
        arr = values;
        break;
      }
      case 6: {
        const e = r.span();
        const values: OtlpAttributes = new Map();
        r.fields(e, (m, w2) => m === 1 ? readKeyValue(r, r.span(), values, depth + 1) : r.skip(w2));
        kv = values;
        break;
      }
      case 7:
        bytes = r.bytes();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  if (str !== undefined) return { type: "string", value: str };
  if (bool !== undefined) return { type: "bool", value: bool };
  if (int !== undefined) return { type: "int", value: int };
  if (dbl !== undefined) return { type: "double", value: dbl };
  if (arr !== undefined) return { type: "array", value: arr };
  if (kv !== undefined) return { type: "kvlist", value: kv };
  if (bytes !== undefined) return { type: "bytes", value: bytes };
  return { type: "empty" };
}
