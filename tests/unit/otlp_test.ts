/**
 * OTLP/HTTP trace decoding (protobuf through the official generated messages, OTLP/JSON),
 * gzip with its size cap, the response body, and the fixture's mapping to SDK spans.
 * Mapping rules in detail: otlp_mapping_test.ts.
 */
import assert from "node:assert/strict";
import {
  decodeOtlpJson,
  decodeOtlpProtobuf,
  encodeOtlpResponse,
  maybeGunzip,
  OtlpDecodeError,
  otlpFormatOf,
  otlpToInputSpans,
  SpanKind,
  StatusCode,
} from "../../domains/observability/otlp/mod.ts";
import {
  ExportTraceServiceRequest,
  ExportTraceServiceResponse,
} from "../../domains/observability/otlp/proto.ts";

const FIXTURE = new URL("../fixtures/otlp_trace.json", import.meta.url);
const TRACE = "5b8efff798038103d269b633813fc60c";
const bytesOf = (hex: string) => Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));

/** One span of every AnyValue type, an event, a link and an error status, as protobuf. */
function protobufRequest(): Uint8Array {
  const message = ExportTraceServiceRequest.fromObject({
    resourceSpans: [{
      resource: { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] },
      scopeSpans: [{
        scope: { name: "lib", version: "1.0" },
        spans: [{
          traceId: bytesOf(TRACE.toUpperCase()),
          spanId: bytesOf("00f067aa0ba902b7"),
          parentSpanId: bytesOf("53995c3f42cd8ad8"),
          name: "op",
          kind: SpanKind.CLIENT,
          startTimeUnixNano: "1748736000123456789",
          endTimeUnixNano: "1748736001123456789",
          attributes: [
            { key: "s", value: { stringValue: "text" } },
            { key: "b", value: { boolValue: true } },
            { key: "i", value: { intValue: "9007199254740993" } },
            { key: "d", value: { doubleValue: 1.5 } },
            { key: "raw", value: { bytesValue: new Uint8Array([1, 2, 255]) } },
            {
              key: "arr",
              value: { arrayValue: { values: [{ stringValue: "x" }, { intValue: "-3" }] } },
            },
            {
              key: "kv",
              value: { kvlistValue: { values: [{ key: "k", value: { boolValue: false } }] } },
            },
          ],
          events: [{
            timeUnixNano: "1748736000500000000",
            name: "retry",
            attributes: [{ key: "n", value: { intValue: 1 } }],
          }],
          links: [{ traceId: bytesOf(TRACE), spanId: bytesOf("1111111111111111") }],
          status: { code: StatusCode.ERROR, message: "boom" },
        }],
      }],
    }],
  });
  return new Uint8Array(ExportTraceServiceRequest.encode(message).finish()); // not a Buffer
}

/** The same request in OTLP/JSON: hex ids, int64 as strings or numbers, enum names, snake_case. */
const jsonRequest = JSON.stringify({
  resource_spans: [{
    resource: { attributes: [{ key: "service.name", value: { string_value: "svc" } }] },
    scopeSpans: [{
      scope: { name: "lib", version: "1.0" },
      spans: [{
        traceId: TRACE.toUpperCase(),
        span_id: "00f067aa0ba902b7",
        parentSpanId: "53995c3f42cd8ad8",
        name: "op",
        kind: "SPAN_KIND_CLIENT",
        start_time_unix_nano: "1748736000123456789",
        endTimeUnixNano: "1748736001123456789",
        attributes: [
          { key: "s", value: { stringValue: "text" } },
          { key: "b", value: { boolValue: true } },
          { key: "i", value: { intValue: "9007199254740993" } },
          { key: "d", value: { doubleValue: 1.5 } },
          { key: "raw", value: { bytesValue: "AQL/" } },
          {
            key: "arr",
            value: { arrayValue: { values: [{ stringValue: "x" }, { intValue: -3 }] } },
          },
          {
            key: "kv",
            value: { kvlist_value: { values: [{ key: "k", value: { boolValue: false } }] } },
          },
        ],
        events: [{
          time_unix_nano: 1748736000500000000, // a number: accepted too
          name: "retry",
          attributes: [{ key: "n", value: { intValue: 1 } }],
        }],
        links: [{ traceId: TRACE, spanId: "1111111111111111" }],
        status: { code: 2, message: "boom" },
      }],
    }],
  }],
});

Deno.test("protobuf: decodes the official messages to the normalized shape", () => {
  const request = decodeOtlpProtobuf(protobufRequest());
  const rs = request.resourceSpans[0];
  assert.deepEqual(rs.resource.attributes.get("service.name"), { type: "string", value: "svc" });
  assert.deepEqual(rs.scopeSpans[0].scope.name, "lib");
  const span = rs.scopeSpans[0].spans[0];
  assert.equal(span.traceId, TRACE, "lowercase hex");
  assert.equal(span.spanId, "00f067aa0ba902b7");
  assert.equal(span.parentSpanId, "53995c3f42cd8ad8");
  assert.equal(span.startTimeUnixNano, 1748736000123456789n, "exact, as bigint");
  assert.equal(span.endTimeUnixNano, 1748736001123456789n);
  assert.equal(span.kind, SpanKind.CLIENT);
  assert.deepEqual(span.status, { code: StatusCode.ERROR, message: "boom" });
  assert.deepEqual(span.attributes.get("i"), { type: "int", value: 9007199254740993n });
  assert.deepEqual(span.attributes.get("b"), { type: "bool", value: true });
  assert.deepEqual(span.attributes.get("d"), { type: "double", value: 1.5 });
  assert.deepEqual(span.attributes.get("raw"), {
    type: "bytes",
    value: new Uint8Array([1, 2, 255]),
  });
  assert.deepEqual(span.attributes.get("arr"), {
    type: "array",
    value: [{ type: "string", value: "x" }, { type: "int", value: -3n }],
  });
  assert.deepEqual(span.attributes.get("kv"), {
    type: "kvlist",
    value: new Map([["k", { type: "bool", value: false }]]),
  });
  assert.deepEqual(span.events, [{
    timeUnixNano: 1748736000500000000n,
    name: "retry",
    attributes: new Map([["n", { type: "int", value: 1n }]]),
  }]);
  assert.equal(span.links[0].spanId, "1111111111111111");
});

Deno.test("json: the same request in OTLP/JSON decodes to the same shape", () => {
  assert.deepEqual(decodeOtlpJson(jsonRequest), decodeOtlpProtobuf(protobufRequest()));
});

Deno.test("json: base64 ids (a generic protobuf JSON encoder's) are accepted too", () => {
  const doc = JSON.parse(jsonRequest);
  const span = doc.resource_spans[0].scopeSpans[0].spans[0];
  span.traceId = btoa(String.fromCharCode(...bytesOf(TRACE)));
  span.span_id = btoa(String.fromCharCode(...bytesOf("00f067aa0ba902b7")));
  const decoded = decodeOtlpJson(JSON.stringify(doc)).resourceSpans[0].scopeSpans[0].spans[0];
  assert.equal(decoded.traceId, TRACE);
  assert.equal(decoded.spanId, "00f067aa0ba902b7");
});

Deno.test("decoding: malformed bodies throw OtlpDecodeError with a clear message", () => {
  const refused = (run: () => unknown, pattern: RegExp) =>
    assert.throws(run, (e: unknown) => {
      assert.ok(e instanceof OtlpDecodeError);
      assert.equal(e.kind, "malformed");
      assert.match(e.message, pattern);
      return true;
    });
  // Field 1 (resource_spans), length 100, then 2 bytes: truncated.
  refused(() => decodeOtlpProtobuf(new Uint8Array([0x0a, 100, 1, 2])), /OTLP protobuf body/);
  refused(() => decodeOtlpProtobuf(new Uint8Array([0x0f, 0, 0])), /OTLP protobuf body/);
  refused(() => decodeOtlpJson("{not json"), /^Cannot decode OTLP JSON body: /);
  refused(() => decodeOtlpJson("[]"), /top level: expected an object, got an array/);
  let deep: unknown = { stringValue: "leaf" };
  for (let i = 0; i < 40; i++) deep = { arrayValue: { values: [deep] } };
  const deepDoc = { resourceSpans: [{ resource: { attributes: [{ key: "k", value: deep }] } }] };
  refused(() => decodeOtlpJson(JSON.stringify(deepDoc)), /nested deeper than 32 levels/);
  refused(
    () => decodeOtlpJson(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: "x" }] }] })),
    /resourceSpans\[0\]\.scopeSpans\[0\]\.spans: expected an array, got a string/,
  );
  refused(
    () => decodeOtlpJson(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [null] }] }] })),
    /spans\[0\]: expected an object, got null/,
  );
  assert.deepEqual(decodeOtlpJson("{}"), { resourceSpans: [] }, "an empty export is valid");
  assert.deepEqual(decodeOtlpProtobuf(new Uint8Array()), { resourceSpans: [] });
});

Deno.test("otlpFormatOf: picks the format from Content-Type", () => {
  assert.equal(otlpFormatOf("application/x-protobuf"), "protobuf");
  assert.equal(otlpFormatOf("application/json; charset=utf-8"), "json");
  assert.equal(otlpFormatOf("text/plain"), null);
  assert.equal(otlpFormatOf(undefined), null);
});

async function compress(bytes: Uint8Array, format: CompressionFormat): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

Deno.test("gzip: round trip, identity and deflate, unsupported and corrupt encodings", async () => {
  const body = protobufRequest();
  assert.deepEqual(await maybeGunzip(await compress(body, "gzip"), "gzip"), body);
  assert.deepEqual(await maybeGunzip(await compress(body, "gzip"), " GZIP "), body);
  assert.deepEqual(await maybeGunzip(await compress(body, "deflate"), "deflate"), body);
  assert.equal(await maybeGunzip(body, null), body, "no encoding: the same bytes");
  assert.equal(await maybeGunzip(body, "identity"), body);
  await assert.rejects(maybeGunzip(body, "br"), (e: unknown) => {
    assert.ok(e instanceof OtlpDecodeError);
    assert.equal(e.kind, "unsupported_encoding");
    return true;
  });
  await assert.rejects(maybeGunzip(body, "gzip"), (e: unknown) => {
    assert.ok(e instanceof OtlpDecodeError);
    assert.equal(e.kind, "malformed");
    assert.match(e.message, /^Cannot decompress gzip body/);
    return true;
  });
});

Deno.test("gzip: a decompression bomb is refused at the cap", async () => {
  const bomb = await compress(new Uint8Array(16 * 1024 * 1024), "gzip"); // 16 MiB of zeros
  assert.ok(bomb.byteLength < 64 * 1024, `compressed to ${bomb.byteLength} bytes`);
  await assert.rejects(maybeGunzip(bomb, "gzip", { maxBytes: 1024 * 1024 }), (e: unknown) => {
    assert.ok(e instanceof OtlpDecodeError);
    assert.equal(e.kind, "too_large");
    assert.match(e.message, /larger than the limit of 1048576 bytes/);
    return true;
  });
  const small = await compress(new Uint8Array(1000), "gzip");
  assert.equal((await maybeGunzip(small, "gzip", { maxBytes: 1000 })).byteLength, 1000);
});

Deno.test("response: protobuf and JSON bodies decode back, with partial success", () => {
  assert.equal(encodeOtlpResponse({}, "protobuf").byteLength, 0, "all accepted: empty message");
  assert.equal(encodeOtlpResponse({}, "json"), "{}");
  const bytes = encodeOtlpResponse({ rejectedSpans: 3, errorMessage: "3 bad spans" }, "protobuf");
  const decoded = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(bytes), {
    longs: String,
  });
  assert.deepEqual(decoded, {
    partialSuccess: { rejectedSpans: "3", errorMessage: "3 bad spans" },
  });
  const json = JSON.parse(encodeOtlpResponse({ rejectedSpans: 2, errorMessage: "x" }, "json"));
  assert.deepEqual(json, { partialSuccess: { rejectedSpans: "2", errorMessage: "x" } });
  const warning = JSON.parse(encodeOtlpResponse({ errorMessage: "slow down" }, "json"));
  assert.deepEqual(warning, { partialSuccess: { errorMessage: "slow down" } });
});

Deno.test("response: the protobuf body is what protobufjs's generated class encodes", () => {
  const long = "é".repeat(100) + "😀"; // a message of more than 127 bytes: a 2-byte length
  const cases: { rejectedSpans?: number; errorMessage?: string }[] = [
    { rejectedSpans: 1 },
    { rejectedSpans: 127 },
    { rejectedSpans: 128 },
    { rejectedSpans: 300, errorMessage: "x" },
    { rejectedSpans: 2 ** 40 + 5 },
    { errorMessage: "only a warning" },
    { rejectedSpans: 16_384, errorMessage: long },
    { rejectedSpans: -4, errorMessage: "" },
  ];
  for (const opts of cases) {
    const partial: Record<string, unknown> = {};
    const rejected = Math.max(0, Math.trunc(opts.rejectedSpans ?? 0));
    if (rejected > 0) partial.rejectedSpans = rejected;
    if (opts.errorMessage) partial.errorMessage = opts.errorMessage;
    const message = ExportTraceServiceResponse.fromObject(
      Object.keys(partial).length > 0 ? { partialSuccess: partial } : {},
    );
    const expected = ExportTraceServiceResponse.encode(message).finish();
    assert.deepEqual(
      encodeOtlpResponse(opts, "protobuf"),
      new Uint8Array(expected.buffer, expected.byteOffset, expected.byteLength),
      JSON.stringify(opts),
    );
  }
});

Deno.test("fixture: a 3-span trace maps to linked SDK spans", () => {
  const request = decodeOtlpJson(Deno.readTextFileSync(FIXTURE));
  const { spans, dropped } = otlpToInputSpans(request, "7001");
  assert.equal(dropped, 0);
  const [agent, chat, tool] = spans;
  assert.deepEqual(spans.map((s) => [s.span_type, s.parent_id]), [
    ["agent", "0"],
    ["model", agent.span_id],
    ["tool", chat.span_id],
  ]);
  assert.ok(spans.every((s) => s.trace_id === TRACE && s.workspace_id === "7001"));
  assert.equal(agent.started_at_micros, 1748736000000000);
  assert.equal(agent.duration_micros, 3_000_000);
  assert.equal(agent.input, "What is the weather in Paris?");
  assert.equal(agent.tags_string?.thread_id, "thread-42");
  assert.equal(chat.tags_string?.model_name, "gpt-4o");
  assert.deepEqual(chat.tags_long, { input_tokens: 25, output_tokens: 12, tokens: 37 });
  assert.deepEqual(JSON.parse(chat.input!).messages[0], {
    role: "user",
    parts: [{ type: "text", text: "What is the weather in Paris?" }],
  });
  assert.equal(
    JSON.parse(chat.output!).choices[0].message.tool_calls[0].function.name,
    "get_weather",
  );
  assert.equal(tool.status_code, -1);
  assert.equal(tool.tags_string?.error, "weather service unavailable");
  assert.equal(JSON.parse(tool.tags_string!.events)[0].name, "exception");
  assert.equal(tool.service_name, "weather-agent");
});
