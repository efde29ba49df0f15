/**
 * Leaf readers shared by the protobuf and the JSON paths: both hand the normalizer plain
 * objects, protobufjs messages with Long/Uint8Array leaves, JSON documents with strings.
 * A wrong container type throws (the document is malformed); a bad leaf value is tolerated
 * and left for the span mapping to judge, so one bad span cannot fail a whole batch.
 */
import { Buffer } from "node:buffer";
import { type OtlpAnyValue, type OtlpAttributes, OtlpDecodeError } from "./types.ts";

/** A JSON object or protobufjs message. */
export type Obj = Record<string, unknown>;

const snakeNames = new Map<string, string>();

/** A field by its lowerCamelCase name, or its snake_case one (the protobuf JSON mapping allows both). */
export function field(obj: Obj | null, camel: string): unknown {
  if (obj === null) return undefined;
  const value = obj[camel];
  if (value !== undefined && value !== null) return value;
  let snake = snakeNames.get(camel);
  if (snake === undefined) {
    snake = camel.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
    snakeNames.set(camel, snake);
  }
  return snake === camel ? undefined : obj[snake];
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  return value === null ? "null" : `a ${typeof value}`;
}

/** An optional object: null when absent; throws when present with another type. */
export function optObject(value: unknown, path: string): Obj | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "object" || Array.isArray(value) || value instanceof Uint8Array) {
    throw new OtlpDecodeError(`${path}: expected an object, got ${describe(value)}`);
  }
  return value as Obj;
}

/** A required object (an element of a repeated message field). */
export function reqObject(value: unknown, path: string): Obj {
  const obj = optObject(value, path);
  if (obj === null) throw new OtlpDecodeError(`${path}: expected an object, got null`);
  return obj;
}

/** A repeated field: [] when absent; throws when present with another type. */
export function optArray(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new OtlpDecodeError(`${path}: expected an array, got ${describe(value)}`);
  }
  return value;
}

/** A string field; other primitives are stringified rather than refused. */
export function str(value: unknown): string {
  if (typeof value === "string") return value;
  return value === undefined || value === null ? "" : String(value);
}

/**
 * A 64-bit integer from a protobufjs Long, a JSON string (the canonical int64 encoding), a
 * JSON number or a bigint; null when unreadable.
 */
export function parseLong(value: unknown): bigint | null {
  if (typeof value === "bigint") return value;
  // A JSON number past 2^53 has lost its last digits, but a time stays right to the µs.
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : null;
  if (typeof value === "string") return /^-?\d+$/.test(value.trim()) ? BigInt(value.trim()) : null;
  if (typeof value === "object" && value !== null && "low" in value && "high" in value) {
    return BigInt(String(value)); // a Long: its toString() honours `unsigned`
  }
  return null;
}

/** An enum given as its number or its proto name; unknown names read as 0 (the default). */
export function parseEnum(value: unknown, names: Record<string, number>): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string") {
    if (Object.hasOwn(names, value)) return names[value];
    if (/^\d+$/.test(value)) return Number(value);
  }
  return 0;
}

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** Standard base64 of bytes. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

const BASE64 = /^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}==?|[A-Za-z0-9+/_-]{3}=?)?$/;

function fromBase64(text: string): Uint8Array | null {
  return BASE64.test(text) ? new Uint8Array(Buffer.from(text, "base64")) : null;
}

/**
 * A trace or span id as lowercase hex. OTLP/JSON sends hex; a base64 id (what a generic
 * protobuf JSON encoder would write) is accepted when it decodes to 8 or 16 bytes, since
 * such strings (12 or 24 chars) can never be valid hex ids. Anything else is kept as given
 * for the mapping to refuse.
 */
export function parseId(value: unknown): string {
  if (value instanceof Uint8Array) return toHex(value);
  const text = str(value).trim();
  if (/^[0-9a-fA-F]*$/.test(text)) return text.toLowerCase();
  if (text.length === 12 || text.length === 24) {
    const bytes = fromBase64(text);
    if (bytes && (bytes.length === 8 || bytes.length === 16)) return toHex(bytes);
  }
  return text;
}

function parseDouble(value: unknown): number | null {
  if (typeof value === "number") return value;
  if (typeof value !== "string" || value.trim() === "") return null;
  const n = Number(value); // "NaN", "Infinity" and "-Infinity" are valid protobuf JSON
  return Number.isNaN(n) && value !== "NaN" ? null : n;
}

function parseBytes(value: unknown): Uint8Array | null {
  // A plain Uint8Array view, not protobufjs' Buffer: both paths must give the same shape.
  if (value instanceof Uint8Array) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  return typeof value === "string" ? fromBase64(value.trim()) : null;
}

/** Nesting allowed in array and kvlist values: real ones are shallow; this bounds recursion. */
export const MAX_VALUE_DEPTH = 32;

/** An AnyValue; a leaf that does not parse as its declared type is kept as a string. */
export function parseAnyValue(value: unknown, path: string, depth = 0): OtlpAnyValue {
  const obj = optObject(value, path);
  if (obj === null) return { type: "empty" };
  if (depth > MAX_VALUE_DEPTH) {
    throw new OtlpDecodeError(`${path}: values nested deeper than ${MAX_VALUE_DEPTH} levels`);
  }
  let v: unknown;
  if ((v = field(obj, "stringValue")) != null) return { type: "string", value: str(v) };
  if ((v = field(obj, "boolValue")) != null) {
    return { type: "bool", value: v === true || v === "true" };
  }
  if ((v = field(obj, "intValue")) != null) {
    const n = parseLong(v);
    return n === null ? { type: "string", value: str(v) } : { type: "int", value: n };
  }
  if ((v = field(obj, "doubleValue")) != null) {
    const n = parseDouble(v);
    return n === null ? { type: "string", value: str(v) } : { type: "double", value: n };
  }
  if ((v = field(obj, "arrayValue")) != null) {
    const values = optArray(field(reqObject(v, path), "values"), `${path}.arrayValue.values`);
    const parsed = values.map((x, i) => parseAnyValue(x, `${path}.values[${i}]`, depth + 1));
    return { type: "array", value: parsed };
  }
  if ((v = field(obj, "kvlistValue")) != null) {
    const values = field(reqObject(v, path), "values");
    const parsed = parseAttributes(values, `${path}.kvlistValue.values`, depth + 1);
    return { type: "kvlist", value: parsed };
  }
  if ((v = field(obj, "bytesValue")) != null) {
    const bytes = parseBytes(v);
    return bytes === null ? { type: "string", value: str(v) } : { type: "bytes", value: bytes };
  }
  return { type: "empty" };
}

/** A repeated KeyValue as a Map; a repeated key keeps its last value. */
export function parseAttributes(value: unknown, path: string, depth = 0): OtlpAttributes {
  const out: OtlpAttributes = new Map();
  optArray(value, path).forEach((item, i) => {
    const kv = reqObject(item, `${path}[${i}]`);
    const parsed = parseAnyValue(field(kv, "value"), `${path}[${i}].value`, depth);
    out.set(str(field(kv, "key")), parsed);
  });
  return out;
}

/** A JSON-ready form: int64 beyond 2^53 as a decimal string, bytes as base64, kvlist as object. */
export function plainValue(value: OtlpAnyValue): unknown {
  switch (value.type) {
    case "int":
      return safeNumber(value.value);
    case "double":
      return Number.isFinite(value.value) ? value.value : String(value.value);
    case "bytes":
      return toBase64(value.value);
    case "array":
      return value.value.map(plainValue);
    case "kvlist":
      return Object.fromEntries([...value.value].map(([k, v]) => [k, plainValue(v)]));
    case "empty":
      return null;
    default:
      return value.value;
  }
}

/** A bigint as a number when exact, else as its decimal string (like our tags_long). */
export function safeNumber(n: bigint): number | string {
  const asNumber = Number(n);
  return Number.isSafeInteger(asNumber) ? asNumber : n.toString();
}
