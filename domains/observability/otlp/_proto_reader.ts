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

const utf8 = new TextDecoder();
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

/** A cursor over protobuf bytes. */
class Reader {
  pos: number;
  constructor(readonly buf: Uint8Array, start: number, readonly end: number) {
    this.pos = start;
  }

  fail(what: string): never {
    throw new OtlpDecodeError(`${what} at offset ${this.pos}`);
  }

  /** A varint's low 32 bits, unsigned (as protobufjs's uint32). */
  uint32(): number {
    const { buf } = this;
    let value = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= this.end) this.fail("index out of range");
      const b = buf[this.pos++];
      if (shift < 32) value |= (b & 0x7f) << shift;
      if (b < 0x80) return value >>> 0;
    }
    return this.fail("invalid varint encoding");
  }

  /** A varint as a signed 64-bit bigint (int64). */
  int64(): bigint {
    const start = this.pos;
    let lo = 0, hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail("index out of range");
      const b = this.buf[this.pos++];
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (b < 0x80) {
        if (hi === 0 && lo >= 0) return BigInt(lo);
        return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
      }
    }
    this.pos = start;
    return this.fail("invalid varint encoding");
  }

  /** protobufjs's bool: the varint's low 32 bits, non-zero. */
  bool(): boolean {
    return this.uint32() !== 0;
  }

  fixed64(): bigint {
    if (this.pos + 8 > this.end) this.fail("index out of range");
    const v = new DataView(this.buf.buffer, this.buf.byteOffset).getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  double(): number {
    if (this.pos + 8 > this.end) this.fail("index out of range");
    for (let i = 0; i < 8; i++) f64Bytes[i] = this.buf[this.pos + i];
    this.pos += 8;
    return f64[0];
  }

  /** The end of a length-delimited field that starts here. */
  span(): number {
    const length = this.uint32();
    const end = this.pos + length;
    if (end > this.end) this.fail("index out of range");
    return end;
  }

  string(): string {
    const end = this.span();
    const { buf } = this;
    let s = "";
    if (end - this.pos <= 24) {
      for (let i = this.pos; i < end; i++) {
        const c = buf[i];
        if (c >= 0x80) {
          s = utf8.decode(buf.subarray(this.pos, end));
          break;
        }
        s += String.fromCharCode(c);
      }
    } else s = utf8.decode(buf.subarray(this.pos, end));
    this.pos = end;
    return s;
  }

  hex(): string {
    const end = this.span();
    let s = "";
    for (let i = this.pos; i < end; i++) s += HEX[this.buf[i]];
    this.pos = end;
    return s;
  }

  /** A plain Uint8Array view of the bytes (as the normalizer made of protobufjs's Buffer). */
  bytes(): Uint8Array {
    const end = this.span();
    const out = new Uint8Array(this.buf.buffer, this.buf.byteOffset + this.pos, end - this.pos);
    this.pos = end;
    return out;
  }

  skip(wireType: number, depth = 0): void {
    switch (wireType) {
      case 0:
        this.int64();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.pos = this.span();
        return;
      case 5:
        this.pos += 4;
        break;
      case 3:
        if (depth > 100) this.fail("groups nested too deeply");
        for (;;) {
          const tag = this.uint32();
          if ((tag & 7) === 4) return;
          this.skip(tag & 7, depth + 1);
        }
      default:
        this.fail(`invalid wire type ${wireType}`);
    }
    if (this.pos > this.end) this.fail("index out of range");
  }

  /** Calls `field(number, wireType)` for each field up to `end`. */
  fields(end: number, field: (n: number, wireType: number) => void): void {
    while (this.pos < end) {
      const tag = this.uint32();
      field(tag >>> 3, tag & 7);
    }
  }
}

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
    if (n === 1) key = r.string();
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
