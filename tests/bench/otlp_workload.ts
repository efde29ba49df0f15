/**
 * The OTLP benchmark's workload: requests of 100 spans in traces of 10 (an agent root, a
 * retriever, 5 LLM calls, 3 tool calls) with GenAI semantic-convention and OpenInference
 * attributes, about 1.2 KB of input and 0.8 KB of output per span, encoded with the official
 * OTLP protobuf messages and gzipped. One root in ten fails (ERROR status, exception event).
 */
import { ExportTraceServiceRequest } from "../../domains/observability/otlp/proto.ts";
import { gzip } from "../e2e/_traces.ts";

/** Spans per request and per trace. */
export const OTLP_BATCH = 100;
const TRACE_SPANS = 10;
const MODELS = ["gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "qwen-max", "deepseek-v3"];
const WORDS = ("refund invoice weather paris summary translate code poem sql travel order " +
  "account shipping delay policy customer agent answer question context document search " +
  "ticket status payment billing update error retry model token prompt result").split(" ");

/** One encoded request, and the ids the benchmark looks for. */
export interface OtlpRequest {
  body: Uint8Array;
  rawBytes: number;
  /** One span id of the request: its presence means the request's batch was written. */
  marker: string;
  spanIds: string[];
}

let seed = 42;
function rand(n: number): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
}

function text(bytes: number): string {
  let s = "";
  while (s.length < bytes) s += WORDS[rand(WORDS.length)] + (rand(9) === 0 ? ". " : " ");
  return s.slice(0, bytes);
}

function id(bytes: number): Uint8Array {
  const b = new Uint8Array(bytes);
  crypto.getRandomValues(b);
  b[0] |= 1; // never all zero
  return b;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const s = (key: string, v: string) => ({ key, value: { stringValue: v } });
const i = (key: string, v: number) => ({ key, value: { intValue: v } });
const d = (key: string, v: number) => ({ key, value: { doubleValue: v } });
const b = (key: string, v: boolean) => ({ key, value: { boolValue: v } });
const ns = (us: number) => `${us}000`;

type Attr = ReturnType<typeof s> | ReturnType<typeof i> | ReturnType<typeof d>;

function llmAttrs(k: number, user: string): (Attr | ReturnType<typeof b>)[] {
  const model = MODELS[k % MODELS.length];
  const common = [
    s("gen_ai.operation.name", "chat"),
    s("gen_ai.system", "openai"),
    s("gen_ai.request.model", model),
    s("gen_ai.response.model", model),
    i("gen_ai.usage.input_tokens", 200 + rand(800)),
    i("gen_ai.usage.output_tokens", 50 + rand(400)),
    d("gen_ai.request.temperature", 0.7),
    i("gen_ai.request.max_tokens", 1024),
    b("llm.is_streaming", k % 2 === 0),
    s("user.id", user),
  ];
  if (k % 2 === 0) { // OpenInference, flattened messages
    return [
      ...common,
      s("openinference.span.kind", "LLM"),
      s("llm.input_messages.0.message.role", "system"),
      s("llm.input_messages.0.message.content", text(300)),
      s("llm.input_messages.1.message.role", "user"),
      s("llm.input_messages.1.message.content", text(850)),
      s("llm.output_messages.0.message.role", "assistant"),
      s("llm.output_messages.0.message.content", text(780)),
    ];
  }
  const input = [
    { role: "system", parts: [{ type: "text", content: text(300) }] },
    { role: "user", parts: [{ type: "text", content: text(800) }] },
  ];
  const output = [{
    role: "assistant",
    parts: [{ type: "text", content: text(700) }],
    finish_reason: "stop",
  }];
  return [
    ...common,
    s("gen_ai.input.messages", JSON.stringify(input)),
    s("gen_ai.output.messages", JSON.stringify(output)),
  ];
}

function span(o: {
  trace: Uint8Array;
  parent?: Uint8Array;
  name: string;
  kind: number;
  startUs: number;
  durUs: number;
  attributes: unknown[];
  error?: boolean;
}) {
  const spanId = id(8);
  return {
    spanId,
    proto: {
      traceId: o.trace,
      spanId,
      parentSpanId: o.parent,
      name: o.name,
      kind: o.kind,
      startTimeUnixNano: ns(o.startUs),
      endTimeUnixNano: ns(o.startUs + o.durUs),
      attributes: o.attributes,
      events: o.error
        ? [{
          timeUnixNano: ns(o.startUs + o.durUs),
          name: "exception",
          attributes: [s("exception.type", "TimeoutError"), s("exception.message", text(60))],
        }]
        : [],
      status: o.error ? { code: 2, message: "agent failed: upstream timeout" } : { code: 0 },
    },
  };
}

/** The 10 spans of trace number `t` (global), starting at `startUs`. */
function trace(t: number, startUs: number) {
  const traceId = id(16);
  const user = `user-${t % 1000}`;
  const failed = t % 10 === 3;
  const root = span({
    trace: traceId,
    name: "agent.run",
    kind: 1,
    startUs,
    durUs: 3_000_000,
    error: failed,
    attributes: [
      s("openinference.span.kind", "AGENT"),
      s("gen_ai.operation.name", "invoke_agent"),
      s("gen_ai.agent.name", "support-agent"),
      s("session.id", `session-${t % 5000}`),
      s("user.id", user),
      s("input.value", text(1200)),
      s("output.value", text(800)),
    ],
  });
  const children = [span({
    trace: traceId,
    parent: root.spanId,
    name: "retriever.search",
    kind: 1,
    startUs: startUs + 1_000,
    durUs: 80_000,
    attributes: [
      s("openinference.span.kind", "RETRIEVER"),
      s("input.value", text(1200)),
      s("output.value", JSON.stringify([{ id: "doc-1", text: text(760) }])),
    ],
  })];
  for (let k = 0; k < 5; k++) {
    children.push(span({
      trace: traceId,
      parent: root.spanId,
      name: `chat ${MODELS[k]}`,
      kind: 3,
      startUs: startUs + 100_000 + k * 400_000,
      durUs: 350_000,
      attributes: llmAttrs(k, user),
    }));
  }
  for (let k = 0; k < 3; k++) {
    children.push(span({
      trace: traceId,
      parent: root.spanId,
      name: `execute_tool lookup_${k}`,
      kind: 1,
      startUs: startUs + 2_200_000 + k * 200_000,
      durUs: 150_000,
      attributes: [
        s("gen_ai.operation.name", "execute_tool"),
        s("gen_ai.tool.name", `lookup_${k}`),
        s("gen_ai.tool.call.id", `call_${t}_${k}`),
        s("gen_ai.tool.call.arguments", JSON.stringify({ query: text(1170) })),
        s("gen_ai.tool.call.result", JSON.stringify({ result: text(770) })),
      ],
    }));
  }
  return [root, ...children];
}

const RESOURCE = {
  attributes: [
    s("service.name", "support-bot"),
    s("service.version", "1.4.2"),
    s("deployment.environment", "bench"),
    s("telemetry.sdk.language", "python"),
    s("telemetry.sdk.name", "opentelemetry"),
    s("telemetry.sdk.version", "1.38.0"),
    s("host.name", "bench-host"),
  ],
};

/**
 * Request number `r` (traces r*10 .. r*10+9), trace t starting at `baseUs + t * 1 ms`;
 * protobuf, gzipped.
 */
export async function otlpRequest(r: number, baseUs: number): Promise<OtlpRequest> {
  const spans = [];
  for (let k = 0; k < OTLP_BATCH / TRACE_SPANS; k++) {
    const t = r * (OTLP_BATCH / TRACE_SPANS) + k;
    spans.push(...trace(t, baseUs + t * 1_000));
  }
  const message = ExportTraceServiceRequest.fromObject({
    resourceSpans: [{
      resource: RESOURCE,
      scopeSpans: [{
        scope: { name: "openinference.instrumentation.openai", version: "0.1.30" },
        spans: spans.map((x) => x.proto),
      }],
    }],
  });
  const raw = ExportTraceServiceRequest.encode(message).finish();
  return {
    body: await gzip(new Uint8Array(raw)),
    rawBytes: raw.length,
    marker: hex(spans[0].spanId),
    spanIds: spans.map((x) => hex(x.spanId)),
  };
}
