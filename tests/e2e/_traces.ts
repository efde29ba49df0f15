/**
 * Helpers for observability end-to-end tests: SDK-format spans, the OTLP fixture moved to
 * now with fresh ids, and calls to the SDK search routes.
 */
import assert from "node:assert/strict";
import type { ServerProcess } from "../_server.ts";
import { post } from "./_client.ts";

/** Random lowercase hex of `bytes` bytes. */
export function hexId(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/** An SDK-format span with sensible defaults. */
export function sdkSpan(o: Record<string, unknown> & { workspace_id: string }) {
  return {
    started_at_micros: Date.now() * 1000 - 2_000_000,
    duration_micros: 1500,
    trace_id: hexId(16),
    span_id: hexId(8),
    parent_id: "0",
    span_name: "span",
    span_type: "custom",
    method: "",
    status_code: 0,
    input: "",
    output: "",
    ...o,
  };
}

/** The OTLP JSON fixture with times moved to the last minute and fresh ids; returns ids too. */
export async function otlpFixture(): Promise<
  { doc: Record<string, unknown>; traceId: string; spanIds: string[] }
> {
  const text = await Deno.readTextFile(new URL("../fixtures/otlp_trace.json", import.meta.url));
  const doc = JSON.parse(text);
  const traceId = hexId(16);
  const idMap = new Map<string, string>();
  const base = 1748736000000000000n;
  const now = BigInt(Date.now() - 60_000) * 1_000_000n;
  for (const rs of doc.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        s.traceId = traceId;
        for (const f of ["spanId", "parentSpanId"]) {
          if (!s[f]) continue;
          if (!idMap.has(s[f])) idMap.set(s[f], hexId(8));
          s[f] = idMap.get(s[f]);
        }
        for (const f of ["startTimeUnixNano", "endTimeUnixNano"]) {
          s[f] = (BigInt(s[f]) - base + now).toString();
        }
        for (const e of s.events ?? []) {
          e.timeUnixNano = (BigInt(e.timeUnixNano) - base + now).toString();
        }
      }
    }
  }
  return { doc, traceId, spanIds: [...idMap.values()] };
}

/** `/v1/loop/traces/search` for one trace over the last hour. */
export async function searchTrace(
  server: ServerProcess,
  token: string,
  workspaceId: string,
  traceId: string,
) {
  const r = await post(server, "/v1/loop/traces/search", {
    workspace_id: workspaceId,
    trace_id: traceId,
    start_time: String(Date.now() - 3_600_000),
    end_time: String(Date.now() + 60_000),
    limit: 1000,
  }, { token });
  if (r.body.code !== 0) throw new Error(`traces/search: ${JSON.stringify(r.body)}`);
  // deno-lint-ignore no-explicit-any
  return r.body.data.spans as any[];
}

/** gzip of `data`. */
export async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const s = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(s).arrayBuffer());
}

/** The last hour, in ms, as the search routes take it. */
export const window = () => ({
  start_time: String(Date.now() - 3_600_000),
  end_time: String(Date.now() + 60_000),
});

/** The OTLP fixture trace read back: every mapped field. */
// deno-lint-ignore no-explicit-any
export function checkFixtureTrace(spans: any[]): void {
  const agent = spans.find((s) => s.span_type === "agent");
  const chat = spans.find((s) => s.span_type === "model");
  const tool = spans.find((s) => s.status === "error");
  assert.ok(agent && chat && tool, JSON.stringify(spans.map((s) => [s.span_type, s.status])));
  assert.equal(agent.parent_id, "0");
  assert.equal(chat.parent_id, agent.span_id);
  assert.equal(tool.parent_id, chat.span_id);
  assert.equal(agent.service_name, "weather-agent");
  assert.equal(agent.input, "What is the weather in Paris?");
  assert.equal(agent.duration, "3000");
  assert.equal(chat.tags_string.model_name, "gpt-4o");
  assert.equal(chat.tags_string.model_provider, "openai");
  assert.deepEqual(
    [chat.tags_long.input_tokens, chat.tags_long.output_tokens, chat.tags_long.tokens],
    ["25", "12", "37"],
  );
  assert.match(tool.tags_string.error, /weather service unavailable/);
  assert.equal(agent.tags_long["app.retries"], "2");
  assert.equal(agent.tags_double["app.score"], 0.75);
  assert.equal(agent.tags_bool["app.cached"], false);
}

// The protobufjs fromObject wants ids as bytes: the JSON fixture has them as hex.
/** The fixture as protobufjs fromObject takes it (ids as bytes). */
// deno-lint-ignore no-explicit-any
export function toProtoObject(doc: any): any {
  const hex = (h: string) => Uint8Array.from(h.match(/../g)!.map((x) => parseInt(x, 16)));
  const copy = structuredClone(doc);
  for (const rs of copy.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        s.traceId = hex(s.traceId);
        s.spanId = hex(s.spanId);
        if (s.parentSpanId) s.parentSpanId = hex(s.parentSpanId);
      }
    }
  }
  return copy;
}
