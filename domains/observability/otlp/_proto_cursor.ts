/**
 * A cursor over protobuf wire bytes, as protobufjs's generated decoders read them: varints
 * (32-bit and int64), fixed64, doubles, length-delimited spans, strings, lowercase hex ids,
 * attribute keys (one string per distinct key) and skipping of unknown fields and groups.
 * Truncated input and bad wire types throw OtlpDecodeError.
 */
import { OtlpDecodeError } from "./types.ts";

const utf8 = new TextDecoder();
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
/** The two ASCII codes of each byte's hex digits, and room for one id's digits. */
const HEX_CODES = new Uint8Array(HEX.flatMap((h) => [h.charCodeAt(0), h.charCodeAt(1)]));
const MAX_HEX_BYTES = 64;
const HEX_SCRATCH = new Uint8Array(2 * MAX_HEX_BYTES);
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

/**
 * Attribute keys read so far, by a hash of their bytes (a later key with the same hash
 * replaces the earlier one). Instrumentations send the same few dozen keys with every span;
 * the bound keeps a sender of endless distinct keys from growing it.
 */
const KEYS = new Map<number, string>();
const MAX_KEYS = 4096;
const MAX_KEY_BYTES = 64;

/** A cursor over protobuf bytes. */
export class Reader {
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

  /**
   * A string. Short ASCII ones are built here (cheaper than a TextDecoder call), in one call:
   * appending a character at a time makes a chain of cons strings past 12 characters, and
   * V8's fast JSON.stringify gives up on a whole row holding one (twice the time per row).
   */
  string(): string {
    const end = this.span();
    if (end - this.pos > 24) return this.stringFromSpan(end);
    const { buf } = this;
    for (let i = this.pos; i < end; i++) {
      if (buf[i] >= 0x80) return this.stringFromSpan(end);
    }
    const s = String.fromCharCode.apply(null, buf.subarray(this.pos, end) as never);
    this.pos = end;
    return s;
  }

  /**
   * An attribute key: one string per distinct key (see KEYS), so that the maps built from
   * attributes hash each key once in the process, not once per span. Keys of up to 64 ASCII
   * bytes are looked up by a hash of their bytes and compared byte by byte; others decoded.
   */
  key(): string {
    const start = this.pos;
    const end = this.span();
    const { buf } = this;
    const n = end - this.pos;
    if (n === 0 || n > MAX_KEY_BYTES) return this.stringFromSpan(end);
    let h = n;
    for (let i = this.pos; i < end; i++) {
      const c = buf[i];
      if (c >= 0x80) return this.stringFromSpan(end);
      h = (Math.imul(h, 31) + c) | 0;
    }
    const known = KEYS.get(h);
    if (known !== undefined && known.length === n) {
      let same = true;
      for (let i = 0; i < n && same; i++) same = known.charCodeAt(i) === buf[this.pos + i];
      if (same) {
        this.pos = end;
        return known;
      }
    }
    this.pos = start;
    const key = this.string();
    if (KEYS.size >= MAX_KEYS) KEYS.clear();
    KEYS.set(h, key);
    return key;
  }

  private stringFromSpan(end: number): string {
    const s = utf8.decode(this.buf.subarray(this.pos, end));
    this.pos = end;
    return s;
  }

  /**
   * Bytes as lowercase hex, built in one call (as in `string`): ids built a pair of digits at
   * a time were cons strings, and each made JSON.stringify of its row ~2 µs slower.
   */
  hex(): string {
    const end = this.span();
    const { buf } = this;
    const n = end - this.pos;
    let s = "";
    if (n <= MAX_HEX_BYTES) {
      for (let i = 0; i < n; i++) {
        const b = buf[this.pos + i];
        HEX_SCRATCH[2 * i] = HEX_CODES[2 * b];
        HEX_SCRATCH[2 * i + 1] = HEX_CODES[2 * b + 1];
      }
      s = String.fromCharCode.apply(null, HEX_SCRATCH.subarray(0, 2 * n) as never);
    } else { // never a valid id: only read to be reported
      for (let i = this.pos; i < end; i++) s += HEX[buf[i]];
    }
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
