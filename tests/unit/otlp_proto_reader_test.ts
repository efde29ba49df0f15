/**
 * The direct protobuf reader against protobufjs's messages plus the normalizer (the path it
 * replaced): the same shape for the unit fixture, the benchmark's GenAI workload, odd inputs
 * (duplicate and unknown fields, groups, every AnyValue member, extreme integers), and the
 * same refusals for malformed bytes.
 */
import assert from "node:assert/strict";
import { decodeOtlpProtobuf } from "../../domains/observability/otlp/mod.ts";
import { ExportTraceServiceRequest } from "../../domains/observability/otlp/proto.ts";
import { decodeOtlpProtobufViaMessages } from "../../domains/observability/otlp/decode_via_messages.ts";
import { otlpRequest } from "../bench/otlp_workload.ts";

const gunzip = async (b: Uint8Array) =>
  new Uint8Array(
    await new Response(
      new Blob([b as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
        new DecompressionStream("gzip"),
      ),
    ).arrayBuffer(),
  );

const same = (bytes: Uint8Array) =>
  assert.deepEqual(decodeOtlpProtobuf(bytes), decodeOtlpProtobufViaMessages(bytes));

Deno.test("proto reader: the benchmark workload decodes as through protobufjs", async () => {
  for (let r = 0; r < 3; r++) {
    same(await gunzip((await otlpRequest(r, 1_750_000_000_000_000)).body));
  }
});

Deno.test("proto reader: every value type, extremes, duplicates, unknown fields", () => {
  const v = (value: Record<string, unknown>) => ({ key: "k", value });
  const message = ExportTraceServiceRequest.fromObject({
    resourceSpans: [{
      resource: { attributes: [v({ stringValue: "a" }), v({ stringValue: "b" })] },
      scopeSpans: [{
        scope: { name: "s", version: "v", attributes: [v({ boolValue: false })] },
        spans: [{
          traceId: new Uint8Array([0xab, 0, 1]),
          name: "héllo wörld, a longer name past the short-string path",
          kind: 5,
          startTimeUnixNano: "18446744073709551615",
          attributes: [
            { key: "i1", value: { intValue: "-9223372036854775808" } },
            { key: "i2", value: { intValue: "9223372036854775807" } },
            { key: "i3", value: { intValue: "-1" } },
            { key: "i4", value: { intValue: "2147483648" } },
            { key: "d", value: { doubleValue: -0.1 } },
            { key: "e", value: {} },
            { key: "n" },
            { key: "by", value: { bytesValue: new Uint8Array() } },
            { key: "a", value: { arrayValue: { values: [{ kvlistValue: { values: [v({})] } }] } } },
            { key: "ü", value: { stringValue: "" } },
          ],
          events: [{ name: "e1" }, { timeUnixNano: "1", attributes: [v({ intValue: 7 })] }],
          links: [{ spanId: new Uint8Array(8), traceState: "x=1" }],
          status: { code: 2 },
        }, {}],
      }, {}],
    }, {}],
  });
  const bytes = ExportTraceServiceRequest.encode(message).finish();
  same(bytes);
  // Unknown fields of every wire type (varint, fixed64, length, group, fixed32), a field
  // given twice, and a second status replacing the first.
  const extra = new Uint8Array([
    ...bytes,
    0x10,
    0x96,
    0x01, // field 2, varint
    0x19,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8, // field 3, fixed64
    0x22,
    2,
    0x41,
    0x42, // field 4, length
    0x2b,
    0x08,
    0x01,
    0x2c, // field 5, group with a varint inside
    0x35,
    1,
    2,
    3,
    4, // field 6, fixed32
  ]);
  same(extra);
});

Deno.test("proto reader: malformed bytes are refused as before", () => {
  for (
    const bad of [
      [0x0a, 100, 1, 2],
      [0x0f, 0, 0],
      [0x0a, 0x03, 0x12, 0x05, 0x0a],
      [0x0c],
      [0x0a, 0x80],
      [0x09, 1, 2],
    ]
  ) {
    const bytes = new Uint8Array(bad);
    assert.throws(() => decodeOtlpProtobufViaMessages(bytes), /OTLP protobuf body/, `${bad}`);
    assert.throws(() => decodeOtlpProtobuf(bytes), /OTLP protobuf body/, `${bad}`);
  }
});

Deno.test("proto reader: attribute keys whose bytes hash alike stay apart", () => {
  // "Aa" and "BB" have the same hash (h * 31 + byte, from the length), as do the 3-byte
  // keys built from them; a key over 64 bytes and a non-ASCII one take the plain path.
  const long = "k".repeat(65);
  const keys = ["Aa", "BB", "AaBB", "BBAa", "AaAa", "BBBB", long, "clé", "Aa"];
  const span = (n: number) => ({
    traceId: new Uint8Array(16).fill(n),
    spanId: new Uint8Array(8).fill(n),
    attributes: keys.map((key, i) => ({ key, value: { intValue: i * 10 + n } })),
  });
  const bytes = ExportTraceServiceRequest.encode(
    ExportTraceServiceRequest.fromObject({
      resourceSpans: [{ scopeSpans: [{ spans: [span(1), span(2), span(3)] }] }],
    }),
  ).finish();
  same(bytes);
  const spans = decodeOtlpProtobuf(bytes).resourceSpans[0].scopeSpans[0].spans;
  for (const [n, s] of spans.entries()) {
    assert.deepEqual([...s.attributes.keys()], keys.slice(0, -1));
    // A repeated key keeps its later value, as protobufjs's decoding then the normalizer did.
    assert.deepEqual(s.attributes.get("Aa"), { type: "int", value: BigInt(80 + n + 1) });
    assert.deepEqual(s.attributes.get("BB"), { type: "int", value: BigInt(10 + n + 1) });
    assert.deepEqual(s.attributes.get(long), { type: "int", value: BigInt(60 + n + 1) });
  }
});

Deno.test("proto reader: ids of any length and short strings of every size", () => {
  // Ids are built in one call up to 64 bytes and a pair of digits at a time past it; ASCII
  // strings of up to 24 bytes in one call, longer or non-ASCII ones through TextDecoder.
  const bytesOf = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255);
  const text = (n: number) => "abcdefghijklmnopqrstuvwxyz0123456789".repeat(2).slice(0, n);
  const spans = [0, 1, 8, 16, 63, 64, 65, 200].map((n) => ({
    traceId: bytesOf(n),
    spanId: bytesOf(Math.max(0, n - 8)),
    parentSpanId: bytesOf(n === 0 ? 0 : 8),
    name: text(n % 30),
    attributes: [12, 13, 24, 25].map((k) => ({ key: `k${k}`, value: { stringValue: text(k) } })),
  }));
  const bytes = ExportTraceServiceRequest.encode(
    ExportTraceServiceRequest.fromObject({ resourceSpans: [{ scopeSpans: [{ spans }] }] }),
  ).finish();
  same(bytes);
  const decoded = decodeOtlpProtobuf(bytes).resourceSpans[0].scopeSpans[0].spans;
  const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  assert.deepEqual(decoded.map((s) => s.traceId), spans.map((s) => hex(s.traceId)));
  assert.equal(decoded[7].attributes.get("k13")?.type, "string");
});
