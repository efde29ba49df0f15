/**
 * Server-side checks of the SDK scenarios: after a scenario printed PASS (the SDK was happy),
 * what the server stored must be right too: spans with their parents, status, tags and
 * payload files (read back through `/v1/loop/traces/search`), and what reached the model.
 */
import assert from "node:assert/strict";
import { eventually } from "../_env.ts";
import { searchTrace } from "../e2e/_traces.ts";
import type { SdkWorld } from "./_setup.ts";

// deno-lint-ignore no-explicit-any
type Span = any;
// deno-lint-ignore no-explicit-any
type Data = any;
/** Checks one scenario's outcome on the server, given the DATA it printed. */
export type Verifier = (world: SdkWorld, data: Data, marker: string) => Promise<void>;

/** The spans of `traceId`, once every one of `ids` is stored; keyed by span id. */
async function storedSpans(
  world: SdkWorld,
  traceId: string,
  ids: string[],
): Promise<Map<string, Span>> {
  return await eventually(async () => {
    const spans = await searchTrace(world.server, world.token, world.user.spaceId, traceId);
    const byId = new Map<string, Span>(spans.map((s: Span) => [s.span_id, s]));
    return ids.every((id) => byId.has(id)) ? byId : null;
  }, { what: `spans ${ids.join(", ")} of trace ${traceId}`, timeoutMs: 30_000 });
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function download(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  const body = new Uint8Array(await res.arrayBuffer());
  assert.equal(res.status, 200, `GET ${url}: ${res.status} ${new TextDecoder().decode(body)}`);
  return body;
}

function requireData(data: Data, name: string): void {
  assert.ok(data, `${name} printed no DATA line`);
}

const traceTree: Verifier = async (w, d) => {
  requireData(d, "trace_tree");
  const s = await storedSpans(w, d.trace_id, [d.root, d.child, d.grandchild, d.sibling]);
  const [root, child, grand, sibling] = [d.root, d.child, d.grandchild, d.sibling].map((id) =>
    s.get(id)
  );
  assert.deepEqual(
    [root.parent_id, child.parent_id, grand.parent_id, sibling.parent_id],
    ["0", d.root, d.child, d.root],
    "parent links",
  );
  assert.deepEqual(
    [root, child, grand, sibling].map((x) => [x.span_name, x.span_type, x.status]),
    [
      ["sdk_root", "custom", "success"],
      ["sdk_child", "tool", "success"],
      ["sdk_grandchild", "custom", "success"],
      ["sdk_sibling", "retriever", "success"],
    ],
  );
  assert.equal(root.tags_string.scenario, "tree");
  assert.equal(String(root.tags_long.attempt), "2");
  assert.equal(root.tags_double.ratio, 0.5);
  assert.equal(root.tags_bool.cached, true);
  assert.match(root.input, /^tree input /);
  assert.equal(root.output, "tree output");
};

const traceError: Verifier = async (w, d) => {
  requireData(d, "trace_error");
  const span = (await storedSpans(w, d.trace_id, [d.span_id])).get(d.span_id);
  assert.equal(span.status, "error");
  assert.equal(span.status_code, d.status_code);
  assert.equal(span.tags_string.error, d.message);
};

const traceModel: Verifier = async (w, d) => {
  requireData(d, "trace_model");
  const span = (await storedSpans(w, d.trace_id, [d.span_id])).get(d.span_id);
  assert.equal(span.span_type, "model");
  assert.equal(span.tags_string.model_name, "gpt-sdk");
  assert.equal(span.tags_string.model_provider, "openai");
  assert.deepEqual(
    [span.tags_long.input_tokens, span.tags_long.output_tokens, span.tags_long.tokens].map(String),
    ["11", "7", "18"],
  );
  assert.match(span.input, /hi model/);
  assert.match(span.output, /hello human/);
};

const traceLargeInput: Verifier = async (w, d) => {
  requireData(d, "trace_large_input");
  const span = (await storedSpans(w, d.trace_id, [d.span_id])).get(d.span_id);
  assert.ok(span.input.length < d.size, "the span itself holds a truncated input");
  const storage = JSON.parse(span.object_storage || "{}");
  assert.ok(storage.input_tos_key, `object_storage names the input: ${span.object_storage}`);
  const url = span.attr_tos?.input_data_url;
  assert.ok(url, `a download URL for the input: ${JSON.stringify(span.attr_tos)}`);
  const body = await download(url);
  assert.equal(body.length, d.size, "the whole input was uploaded");
  assert.equal(await sha256Hex(body), d.sha256);
};

const traceAttachment: Verifier = async (w, d) => {
  requireData(d, "trace_attachment");
  const span = (await storedSpans(w, d.trace_id, [d.span_id])).get(d.span_id);
  assert.ok(span.object_storage, "object_storage names the attachment");
  const urls = Object.entries(span.attr_tos?.multimodal_data ?? {}) as [string, string][];
  assert.equal(
    urls.length,
    1,
    `one attachment URL; object_storage ${span.object_storage}, attr_tos ${
      JSON.stringify(span.attr_tos)
    }`,
  );
  const [key, url] = urls[0];
  assert.ok(span.input.includes(key), "the input names the attachment by its key");
  const png = Uint8Array.from(atob(d.png_base64), (c) => c.charCodeAt(0));
  assert.deepEqual(await download(url), png, "the image, byte for byte");
};

const traceHeader: Verifier = async (w, d) => {
  requireData(d, "trace_header");
  const s = await storedSpans(w, d.trace_id, [d.parent, d.child]);
  const child = s.get(d.child);
  assert.equal(child.parent_id, d.parent, "the downstream span's parent came from the header");
  assert.equal(child.trace_id, d.trace_id);
  assert.equal(child.tags_string.tenant, "acme", "baggage travelled in the tracestate header");
};

const execTraceContext: Verifier = async (w, d) => {
  requireData(d, "exec_trace_context");
  const byId = await eventually(async () => {
    const spans = await searchTrace(w.server, w.token, w.user.spaceId, d.trace_id);
    const exec = spans.find((s: Span) =>
      s.span_id !== d.span_id && s.tags_string?.prompt_key === d.prompt_key
    );
    return spans.some((s: Span) => s.span_id === d.span_id) && exec ? { exec } : null;
  }, {
    what: `the server's execution span in the caller's trace ${d.trace_id}`,
    timeoutMs: 30_000,
  });
  assert.equal(byId.exec.parent_id, d.span_id, "the execution span's parent is the caller's");
};

const execImage: Verifier = (w, _d, marker) => {
  const sent = JSON.stringify(w.llm.requests);
  for (const url of [`${marker}-extra.png`, `${marker}-look.png`, "example.com/cat.png"]) {
    assert.ok(sent.includes(url), `the model received the image ${url}`);
  }
  return Promise.resolve();
};

const jwtOAuth: Verifier = async (w, d) => {
  requireData(d, "jwt_oauth");
  await storedSpans(w, d.trace_id, [d.span_id]);
};

/** Server-side checks by scenario name (scenarios without one are judged by the SDK alone). */
export const VERIFIERS: Record<string, Verifier> = {
  trace_tree: traceTree,
  trace_error: traceError,
  trace_model: traceModel,
  trace_large_input: traceLargeInput,
  trace_attachment: traceAttachment,
  trace_header: traceHeader,
  exec_trace_context: execTraceContext,
  exec_image: execImage,
  jwt_oauth: jwtOAuth,
};
