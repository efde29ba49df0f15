/**
 * A JSON answer written as UTF-8 bytes piece by piece: the same text as wireStringify, but
 * never one string of the whole answer. A page of spans is ~150 KB of JSON; V8 allocates a
 * string that large straight into its old generation, so every search added one to the next
 * major collection's work, and a few hundred searches set one off (30-55 ms of marking on the
 * event loop, during some search). Pieces are each object's or array's members, a few KB for
 * a span, young garbage for the cheap minor collections; the bytes go to the response as
 * they are.
 */
import { wireStringify } from "./json.ts";

/** Containers are opened this deep (the answer, `data`, a list, one item); deeper as text. */
const MAX_DEPTH = 4;

const encoder = new TextEncoder();

/** Text gathered up to this many UTF-16 units before it is encoded. */
const FLUSH_AT = 16 * 1024;

/** UTF-8 bytes, encoded from text gathered in small pieces. */
class Bytes {
  chunks: Uint8Array<ArrayBuffer>[] = [];
  pending = "";

  text(s: string): void {
    this.pending += s;
    if (this.pending.length >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.pending.length > 0) this.chunks.push(encoder.encode(this.pending));
    this.pending = "";
  }

  bytes(): Uint8Array<ArrayBuffer> {
    this.flush();
    if (this.chunks.length === 1) return this.chunks[0];
    let size = 0;
    for (const c of this.chunks) size += c.byteLength;
    const out = new Uint8Array(size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** What JSON.stringify skips as an object member (and writes as null in an array). */
function isSkipped(v: unknown): boolean {
  return v === undefined || typeof v === "function" || typeof v === "symbol";
}

function write(out: Bytes, value: unknown, depth: number): void {
  if (depth < MAX_DEPTH && Array.isArray(value)) {
    out.text("[");
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.text(",");
      const item = value[i];
      if (isSkipped(item)) out.text("null");
      else write(out, item, depth + 1);
    }
    out.text("]");
    return;
  }
  if (depth < MAX_DEPTH && isPlainObject(value) && typeof value.toJSON !== "function") {
    out.text("{");
    let first = true;
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const member = value[key];
      if (isSkipped(member)) continue;
      out.text(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
      first = false;
      write(out, member, depth + 1);
    }
    out.text("}");
    return;
  }
  out.text(wireStringify(value));
}

/**
 * `value` as wireStringify's JSON text, in UTF-8. Only for values JSON.stringify can write
 * (no cycles; values with toJSON and class instances are written whole by it).
 */
export function wireJsonBytes(value: unknown): Uint8Array<ArrayBuffer> {
  const out = new Bytes();
  write(out, value, 0);
  return out.bytes();
}

/** Lists this long in an answer (or its `data`) make it worth writing in pieces. */
const LONG_LIST = 16;

/** Whether `value` has a list of LONG_LIST or more items at its top or in its `data`. */
export function hasLongList(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  for (const key in value) {
    const member = value[key];
    if (Array.isArray(member) && member.length >= LONG_LIST) return true;
    if (key === "data" && hasLongList(member)) return true;
  }
  return false;
}
