/**
 * An SDK user's flow against a running server, step by step, for the zero-setup tests:
 * register, token, prompt commit and fetch, trace ingest and search back, file upload.
 */
import assert from "node:assert/strict";
import type { ServerProcess } from "../_server.ts";
import { eventually } from "../_env.ts";
import { createToken, post, registerUser, type TestUser } from "../e2e/_client.ts";
import { hexId, sdkSpan, searchTrace } from "../e2e/_traces.ts";

/** What the flow created, to look for again (after a restart). */
export interface FlowState {
  user: TestUser;
  token: string;
  promptKey: string;
  traceId: string;
  fileKey: string;
  fileText: string;
}

const P = "/api/prompt/v1/prompts";

/** Registers a user and runs the SDK flow; returns what it created. */
export async function sdkFlow(server: ServerProcess): Promise<FlowState> {
  const user = await registerUser(server);
  const token = await createToken(server, user.cookie);

  const promptKey = `flow_${hexId(4)}`;
  const created = await post(server, P, {
    workspace_id: user.spaceId,
    prompt_key: promptKey,
    prompt_name: promptKey,
    draft_detail: {
      prompt_template: {
        template_type: "normal",
        messages: [{ role: "user", content: "Hello {{name}}" }],
        variable_defs: [{ key: "name", type: "string" }],
      },
    },
  }, user);
  assert.equal(created.body.code, 0, JSON.stringify(created.body));
  const commit = await post(server, `${P}/${created.body.prompt_id}/drafts/commit`, {
    commit_version: "1.0.0",
    label_keys: ["production"],
  }, user);
  assert.equal(commit.body.code, 0, JSON.stringify(commit.body));
  await assertPrompt(server, token, user.spaceId, promptKey);

  const traceId = hexId(16);
  const spans = [
    sdkSpan({ workspace_id: user.spaceId, trace_id: traceId, span_name: "root", input: "hi" }),
    sdkSpan({
      workspace_id: user.spaceId,
      trace_id: traceId,
      parent_id: hexId(8),
      span_name: "llm",
      span_type: "model",
      tags_string: { model_name: "gpt-4o" },
    }),
  ];
  const ingest = await post(server, "/v1/loop/traces/ingest", { spans }, { token });
  assert.equal(ingest.body.code, 0, JSON.stringify(ingest.body));
  await assertTrace(server, token, user.spaceId, traceId);

  const fileKey = `flow/${hexId(4)}.txt`;
  const fileText = `file written at ${new Date().toISOString()}`;
  const form = new FormData();
  form.append("workspace_id", user.spaceId);
  form.append("file", new Blob([fileText], { type: "text/plain" }), fileKey);
  const up = await fetch(`${server.url}/v1/loop/files/upload`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const upBody = await up.json();
  assert.equal(upBody.code, 0, JSON.stringify(upBody));
  await assertFile(server, user, fileKey, fileText);
  return { user, token, promptKey, traceId, fileKey, fileText };
}

/** The SDK fetches the committed prompt by key, version and label. */
export async function assertPrompt(
  server: ServerProcess,
  token: string,
  spaceId: string,
  key: string,
): Promise<void> {
  const r = await post(server, "/v1/loop/prompts/mget", {
    workspace_id: spaceId,
    queries: [{ prompt_key: key }, { prompt_key: key, version: "1.0.0" }, {
      prompt_key: key,
      label: "production",
    }],
  }, { token });
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  for (const item of r.body.data.items) {
    assert.equal(item.prompt.version, "1.0.0");
    assert.equal(item.prompt.prompt_template.messages[0].content, "Hello {{name}}");
  }
}

/** Both spans of the trace come back from search (waiting for the writer). */
export async function assertTrace(
  server: ServerProcess,
  token: string,
  spaceId: string,
  traceId: string,
): Promise<void> {
  const spans = await eventually(async () => {
    const found = await searchTrace(server, token, spaceId, traceId);
    return found.length === 2 ? found : undefined;
  }, { what: `trace ${traceId} searchable`, timeoutMs: 60_000 });
  assert.deepEqual(spans.map((s) => s.span_name).sort(), ["llm", "root"]);
}

/** The uploaded file downloads through a presigned URL with its bytes. */
export async function assertFile(
  server: ServerProcess,
  user: TestUser,
  key: string,
  text: string,
): Promise<void> {
  const signed = await post(server, "/api/foundation/v1/sign_download_files", {
    keys: [key],
    workspace_id: user.spaceId,
  }, user);
  assert.equal(signed.body.code, 0, JSON.stringify(signed.body));
  const res = await fetch(signed.body.uris[0]);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), text);
}

/** Only what a fresh machine has: no COZE_LOOP_* variable but the port and data directory. */
export function bareEnvironment(extra: Record<string, string>): Record<string, string> {
  const keep = ["HOME", "PATH", "DENO_DIR", "TMPDIR", "LANG"];
  const env: Record<string, string> = {};
  for (const k of keep) {
    const v = Deno.env.get(k);
    if (v !== undefined) env[k] = v;
  }
  return { ...env, NO_COLOR: "1", ...extra };
}
