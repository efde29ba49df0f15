/**
 * otlpToInputSpans: Coze Loop's attribute conventions (`cozeloop.*`, GenAI semconv,
 * OpenInference), typed tags, errors, resource/system tags, and dropping of bad spans.
 */
import assert from "node:assert/strict";
import {
  type ExportTraceServiceRequestShape,
  MAX_REASONS,
  type OtlpAnyValue,
  type OtlpAttributes,
  type OtlpSpan,
  otlpToInputSpans,
  StatusCode,
} from "../../domains/observability/otlp/mod.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";
const START = 1_748_736_000_000_000_000n;

/** Attribute maps from plain values: string, bigint -> int, number -> double, boolean. */
function attrs(values: Record<string, string | bigint | number | boolean | OtlpAnyValue>) {
  const out: OtlpAttributes = new Map();
  for (const [key, v] of Object.entries(values)) {
    out.set(
      key,
      typeof v === "string"
        ? { type: "string", value: v }
        : typeof v === "bigint"
        ? { type: "int", value: v }
        : typeof v === "number"
        ? { type: "double", value: v }
        : typeof v === "boolean"
        ? { type: "bool", value: v }
        : v,
    );
  }
  return out;
}

function span(overrides: Partial<OtlpSpan> = {}): OtlpSpan {
  return {
    traceId: TRACE,
    spanId: SPAN,
    parentSpanId: "",
    traceState: "",
    name: "op",
    kind: 1,
    startTimeUnixNano: START + 1_999n,
    endTimeUnixNano: START + 2_501_000n,
    attributes: new Map(),
    events: [],
    links: [],
    status: { code: StatusCode.UNSET, message: "" },
    ...overrides,
  };
}

function request(spans: OtlpSpan[], resource: OtlpAttributes = new Map()) {
  const scope = { name: "lib", version: "2.0", attributes: new Map() };
  const shape: ExportTraceServiceRequestShape = {
    resourceSpans: [{
      resource: { attributes: resource },
      scopeSpans: [{ scope, spans, schemaUrl: "" }],
      schemaUrl: "",
    }],
  };
  return shape;
}

const mapOne = (s: OtlpSpan, resource?: OtlpAttributes) => {
  const result = otlpToInputSpans(request([s], resource), "7001");
  assert.deepEqual(result.reasons, []);
  return result.spans[0];
};

Deno.test("mapping: ids, times and parent links", () => {
  const root = mapOne(span());
  assert.equal(root.trace_id, TRACE);
  assert.equal(root.span_id, SPAN);
  assert.equal(root.parent_id, "0", "no parent: root");
  assert.equal(root.started_at_micros, 1_748_736_000_000_001, "ns / 1000, truncated");
  assert.equal(root.duration_micros, 2_499);
  assert.equal(root.workspace_id, "7001");
  assert.equal(root.span_type, "custom", "no type attribute");
  assert.equal(root.status_code, 0);
  assert.equal(mapOne(span({ parentSpanId: "0000000000000000" })).parent_id, "0");
  assert.equal(mapOne(span({ parentSpanId: "53995c3f42cd8ad8" })).parent_id, "53995c3f42cd8ad8");
});

Deno.test("mapping: other attributes land in the tag map of their type", () => {
  const s = mapOne(span({
    attributes: attrs({
      str: "v",
      long: 42n,
      huge: 9007199254740993n,
      dbl: 0.5,
      inf: Infinity,
      flag: true,
      raw: { type: "bytes", value: new Uint8Array([1, 2, 255]) },
      list: { type: "array", value: [{ type: "string", value: "a" }, { type: "int", value: 1n }] },
      kv: { type: "kvlist", value: attrs({ k: "v", n: 2n }) },
      ["__proto__"]: "safe",
      "cozeloop.workspace_id": "7001",
    }),
  }));
  assert.deepEqual({ ...s.tags_string }, {
    str: "v",
    inf: "Infinity",
    list: '["a",1]',
    kv: '{"k":"v","n":2}',
    ["__proto__"]: "safe",
  });
  assert.equal(Object.getPrototypeOf(s.tags_string), Object.prototype, "no prototype pollution");
  assert.deepEqual(s.tags_long, { long: 42, huge: "9007199254740993" });
  assert.deepEqual(s.tags_double, { dbl: 0.5 });
  assert.deepEqual(s.tags_bool, { flag: true });
  assert.deepEqual(s.tags_bytes, { raw: "AQL/" });
});

Deno.test("mapping: GenAI semconv chat span (attributes)", () => {
  const s = mapOne(span({
    name: "chat",
    attributes: attrs({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "anthropic",
      "gen_ai.response.model": "claude-x-2025",
      "gen_ai.usage.prompt_tokens": 7n,
      "gen_ai.usage.completion_tokens": "5",
      "gen_ai.request.max_tokens": 256n,
      "gen_ai.request.top_p": 0.9,
      "gen_ai.request.stop_sequences": { type: "array", value: [{ type: "string", value: "\n" }] },
      "gen_ai.prompt.0.role": "system",
      "gen_ai.prompt.0.content": "be brief",
      "gen_ai.prompt.1.role": "user",
      "gen_ai.prompt.1.content": '{"looks":"like json"}',
      "gen_ai.completion.0.role": "assistant",
      "gen_ai.completion.0.content": "ok",
      "gen_ai.request.functions.0.name": "f",
      "gen_ai.request.functions.0.parameters": '{"type":"object"}',
      "gen_ai.usage.cache_read_input_tokens": 3n,
    }),
  }));
  assert.equal(s.span_type, "model");
  assert.equal(s.tags_string?.model_provider, "anthropic");
  assert.equal(s.tags_string?.model_name, "claude-x-2025", "response model when no request model");
  assert.deepEqual(s.tags_long, {
    "gen_ai.usage.cache_read_input_tokens": 3,
    input_tokens: 7,
    output_tokens: 5,
    tokens: 12,
  });
  assert.deepEqual(JSON.parse(s.tags_string!.call_options), {
    top_p: 0.9,
    max_tokens: 256,
    stop: ["\n"],
  });
  assert.deepEqual(JSON.parse(s.input!), {
    messages: [
      { role: "system", content: "be brief" },
      { role: "user", content: '{"looks":"like json"}' },
    ],
    tools: [{
      type: "function",
      function: { name: "f", description: "", parameters: { type: "object" } },
    }],
  });
  assert.deepEqual(JSON.parse(s.output!), {
    choices: [{ message: { role: "assistant", content: "ok" } }],
  });
  assert.ok(!Object.keys(s.tags_string!).some((k) => k.startsWith("gen_ai.")), "consumed keys");
});

Deno.test("mapping: GenAI message events and OpenInference attributes", () => {
  const events = mapOne(span({
    attributes: attrs({ "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o" }),
    events: [
      { name: "gen_ai.user.message", timeUnixNano: START, attributes: attrs({ content: "hi" }) },
      {
        name: "gen_ai.choice",
        timeUnixNano: START,
        attributes: attrs({ index: 0n, finish_reason: "stop", "message.content": "hello" }),
      },
      { name: "cache.miss", timeUnixNano: START + 5n, attributes: attrs({ key: "k" }) },
    ],
  }));
  assert.deepEqual(JSON.parse(events.input!), { messages: [{ role: "user", content: "hi" }] });
  assert.deepEqual(JSON.parse(events.output!), {
    choices: [{
      index: 0,
      finish_reason: "stop",
      message: { role: "assistant", content: "hello" },
    }],
  });
  assert.deepEqual(JSON.parse(events.tags_string!.events), [
    { name: "cache.miss", time_unix_nano: String(START + 5n), attributes: { key: "k" } },
  ]);
  const oi = mapOne(span({
    attributes: attrs({
      "openinference.span.kind": "LLM",
      "llm.model_name": "m",
      "llm.token_count.prompt": 2n,
      "llm.input_messages.0.message.role": "user",
      "llm.input_messages.0.message.content": "q",
      "output.value": "a",
    }),
  }));
  assert.equal(oi.span_type, "model");
  assert.deepEqual(oi.tags_long, { input_tokens: 2, tokens: 2 });
  assert.deepEqual(JSON.parse(oi.input!), { messages: [{ role: "user", content: "q" }] });
  assert.equal(oi.output, "a");
});

Deno.test("mapping: cozeloop.* attributes win and fill fields", () => {
  const s = mapOne(span({
    attributes: attrs({
      "cozeloop.span_type": "prompt",
      "cozeloop.input": "in",
      "cozeloop.output": "out",
      "gen_ai.prompt": "ignored",
      "cozeloop.workspace_id": "8002",
      "cozeloop.logid": "log-1",
      "cozeloop.prompt_key": "pk",
      "cozeloop.prompt_version": "1.0.1",
      "cozeloop.stream": "true",
      "cozeloop.time_to_first_token": 1_748_736_000_300_001n,
      "cozeloop.system_tag_runtime": '{"language":"go","library":"eino"}',
      "service.name": "span-svc",
    }),
  }));
  assert.deepEqual([s.span_type, s.input, s.output], ["prompt", "in", "out"]);
  assert.equal(s.workspace_id, "8002", "the span's workspace overrides the header's");
  assert.equal(s.log_id, "log-1");
  assert.deepEqual([s.service_name, s.psm], ["span-svc", "span-svc"]);
  assert.deepEqual(s.tags_string, { prompt_key: "pk", prompt_version: "1.0.1" });
  assert.deepEqual(s.tags_bool, { stream: true });
  assert.deepEqual(s.tags_long, {
    start_time_first_resp: 1_748_736_000_300_001,
    latency_first_resp: 300_000,
  });
  assert.equal(s.system_tags_string?.runtime, '{"language":"go","library":"eino"}');
  const empty = mapOne(span({ attributes: attrs({ "cozeloop.input": "", "input.value": "x" }) }));
  assert.equal(empty.input, "x", "an empty cozeloop.input does not hide other sources");
});

Deno.test("mapping: span types follow Coze Loop's table", () => {
  const typeOf = (key: string, value: string, name = "op") =>
    mapOne(span({ name, attributes: attrs({ [key]: value }) })).span_type;
  assert.equal(typeOf("gen_ai.operation.name", "execute_tool"), "tool");
  assert.equal(typeOf("gen_ai.operation.name", "embeddings"), "embeddings", "unknown: kept");
  assert.equal(typeOf("openinference.span.kind", "RETRIEVER"), "retriever");
  assert.equal(typeOf("gen_ai.request.type", "constructor"), "constructor", "not Object's");
  assert.equal(typeOf("x", "y", "litellm_request"), "model");
});

Deno.test("mapping: errors from the status, exception events and error attributes", () => {
  const failed = mapOne(span({ status: { code: StatusCode.ERROR, message: "boom" } }));
  assert.deepEqual([failed.status_code, failed.tags_string?.error], [-1, "boom"]);
  const exception = mapOne(span({
    status: { code: StatusCode.ERROR, message: "" },
    events: [{
      name: "exception",
      timeUnixNano: START,
      attributes: attrs({
        "exception.type": "TypeError",
        "exception.message": "bad",
        "exception.stacktrace": "at x",
      }),
    }],
  }));
  assert.equal(exception.tags_string?.error, "TypeError: bad");
  assert.equal(
    JSON.parse(exception.tags_string!.events)[0].attributes["exception.stacktrace"],
    "at x",
  );
  const bare = mapOne(span({ status: { code: StatusCode.ERROR, message: "" } }));
  assert.deepEqual([bare.status_code, bare.tags_string?.error], [-1, "error"]);
  const typed = mapOne(span({ attributes: attrs({ "error.type": "timeout" }) }));
  assert.deepEqual([typed.status_code, typed.tags_string?.error], [-1, "timeout"]);
  const explicit = mapOne(span({
    status: { code: StatusCode.ERROR, message: "rate limited" },
    attributes: attrs({ "cozeloop.status_code": 429n }),
  }));
  assert.equal(explicit.status_code, 429, "cozeloop.status_code says how it failed");
  const huge = mapOne(span({ attributes: attrs({ "cozeloop.status_code": 2n ** 40n }) }));
  assert.equal(huge.status_code, -1, "beyond Int32: still failed");
  const fine = mapOne(
    span({ status: { code: StatusCode.OK, message: "" }, attributes: attrs({ error: false }) }),
  );
  assert.deepEqual([fine.status_code, fine.tags_string?.error], [0, undefined]);
});

Deno.test("mapping: resource attributes become system tags, with the runtime", () => {
  const s = mapOne(
    span(),
    attrs({
      "service.name": "svc",
      "telemetry.sdk.language": "nodejs",
      "telemetry.sdk.version": "2.0.1",
      "process.pid": 4242n,
      "host.cpu.ghz": 3.2,
      "container.privileged": false,
    }),
  );
  assert.deepEqual([s.service_name, s.psm], ["svc", "svc"]);
  assert.deepEqual(JSON.parse(s.system_tags_string!.runtime), {
    language: "nodejs",
    library: "opentelemetry",
    scene: "lib",
    scene_version: "2.0",
    library_version: "2.0.1",
  });
  assert.equal(s.system_tags_string?.["telemetry.sdk.language"], "nodejs");
  assert.equal(s.system_tags_string?.["container.privileged"], "false");
  assert.equal(s.system_tags_string?.["service.name"], undefined, "a field, not a tag");
  assert.deepEqual(s.system_tags_long, { "process.pid": 4242 });
  assert.deepEqual(s.system_tags_double, { "host.cpu.ghz": 3.2 });
});

Deno.test("mapping: spans with bad ids, times or no workspace are dropped and counted", () => {
  const bad = [
    span({ traceId: "abc" }),
    span({ traceId: "0".repeat(32) }),
    span({ spanId: "0".repeat(16) }),
    span({ spanId: "zz" + SPAN.slice(2) }),
    span({ parentSpanId: "123" }),
    span({ startTimeUnixNano: 0n }),
    span({ endTimeUnixNano: 0n }),
    span({ endTimeUnixNano: START - 1n }),
    span({ endTimeUnixNano: 2n ** 63n }),
  ];
  const result = otlpToInputSpans(request([span({ name: "good" }), ...bad]), "7001");
  assert.deepEqual(result.spans.map((s) => s.span_name), ["good"]);
  assert.equal(result.dropped, bad.length);
  assert.equal(result.reasons.length, bad.length);
  assert.match(
    result.reasons[0],
    /^span "op" \(span id "00f067aa0ba902b7"\): invalid trace id "abc"/,
  );
  assert.match(result.reasons[5], /missing start time/);
  assert.match(result.reasons[7], /is before start time/);
  const noWorkspace = otlpToInputSpans(request([span()]), "");
  assert.equal(noWorkspace.dropped, 1);
  assert.match(noWorkspace.reasons[0], /no workspace/);
  const many = otlpToInputSpans(
    request(Array.from({ length: 80 }, () => span({ traceId: "" }))),
    "1",
  );
  assert.deepEqual([many.dropped, many.reasons.length], [80, MAX_REASONS], "reasons are capped");
});

Deno.test("mapping: parts-based messages, tool results, and hostile keys", () => {
  const messages = [
    {
      role: "user",
      parts: [{ type: "text", content: "see" }, { type: "image_url", image_url: { url: "u" } }],
    },
    {
      role: "tool",
      parts: [{ type: "tool_call_response", id: "c1", response: { t: 1 } }, {
        type: "tool_call_response",
        id: "c2",
        result: "r",
      }],
    },
  ];
  const s = mapOne(
    span({ attributes: attrs({ "gen_ai.input.messages": JSON.stringify(messages) }) }),
  );
  assert.deepEqual(JSON.parse(s.input!).messages, [
    {
      role: "user",
      parts: [{ type: "text", text: "see" }, { type: "image_url", image_url: { url: "u" } }],
    },
    { role: "tool", content: '{"t":1}', tool_call_id: "c1" },
    { role: "tool", content: "r", tool_call_id: "c2" },
  ]);
  const deep = mapOne(span({ attributes: attrs({ ["gen_ai.prompt" + ".x".repeat(5000)]: "?" }) }));
  assert.deepEqual([deep.input, deep.tags_string], ["", {}], "a 5000-segment key is ignored");
});
