/**
 * What the API fuzzer needs on the server before it starts: a user with a session and a token,
 * a committed prompt that calls a (fake) model, a label, an OAuth app, a second token it may
 * revoke, a span and a tag; and the schemathesis configuration that makes generated requests
 * name these real ids some of the time, so that success answers are checked too, not only
 * refusals.
 */
import assert from "node:assert/strict";
import type { ServerProcess } from "../_server.ts";
import { createToken, post, registerUser, type TestUser } from "../e2e/_client.ts";
import { commitPrompt, P } from "../e2e/_prompts.ts";
import { sdkSpan } from "../e2e/_traces.ts";
import { DATA_BINDINGS, seedDatasets } from "./_seed_data.ts";

/** The fuzz user's credentials and the ids the fuzzer may use. */
export interface FuzzWorld {
  user: TestUser;
  /** Personal access token authenticating /v1/loop (its id is never offered to the fuzzer). */
  token: string;
  /** Dictionaries of real values: ids as strings, enum values (a target type) as numbers. */
  ids: Record<string, (string | number)[]>;
}

/** Seeds the server; the prompt calls model `modelId` of the server's catalogue. */
export async function seed(server: ServerProcess, modelId: string): Promise<FuzzWorld> {
  const user = await registerUser(server);
  const token = await createToken(server, user.cookie, { name: "fuzz", duration_day: "1" });
  // A token the fuzzer may rename or revoke: not the one it authenticates with.
  const spare = await post(server, "/api/auth/v1/personal_access_tokens", {
    name: "spare",
    duration_day: "1",
  }, { cookie: user.cookie });
  assert.equal(spare.body.code, 0, JSON.stringify(spare.body));
  const key = "fuzz_prompt";
  await commitPrompt(server, user, key, modelId);
  // The prompt the fuzzer may delete: the other one stays for every other operation.
  await commitPrompt(server, user, "fuzz_doomed", modelId);
  const prompts = await post(server, `${P}/list`, { workspace_id: user.spaceId }, user);
  const idOf = (k: string): string =>
    prompts.body.prompts.find((p: { prompt_key: string }) => p.prompt_key === k).id;
  const promptId = idOf(key);
  const label = await post(server, "/api/prompt/v1/labels", {
    workspace_id: user.spaceId,
    label: { key: "fuzz" },
  }, user);
  assert.equal(label.body.code, 0, JSON.stringify(label.body));
  await post(
    server,
    `${P}/${promptId}/commits/1.0.0/labels_update`,
    { label_keys: ["fuzz"] },
    user,
  );
  const app = await post(server, "/api/permission/oauth2/apps", { name: "fuzz" }, user);
  assert.equal(app.body.code, 0, JSON.stringify(app.body));
  const span = sdkSpan({ workspace_id: user.spaceId, span_name: "fuzz", span_type: "model" });
  const ingested = await post(server, "/v1/loop/traces/ingest", { spans: [span] }, { token });
  assert.equal(ingested.body.code, 0, JSON.stringify(ingested.body));
  const tag = await post(server, "/api/data/v1/tags", {
    workspace_id: user.spaceId,
    tag_key_name: "fuzz_tag",
    tag_values: [{ tag_value_name: "good" }, { tag_value_name: "bad" }],
  }, user);
  assert.equal(tag.body.code, 0, JSON.stringify(tag.body));
  const data = await seedDatasets(server, user);
  const target = await post(server, "/api/evaluation/v1/eval_targets", {
    workspace_id: user.spaceId,
    param: { source_target_id: promptId, source_target_version: "1.0.0", eval_target_type: 2 },
  }, user);
  assert.equal(target.body.code, 0, JSON.stringify(target.body));
  const now = Date.now();
  const fresh = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => `${prefix}${i}${crypto.randomUUID().slice(0, 6)}`);
  return {
    user,
    token,
    ids: {
      workspaces: [user.spaceId],
      users: [user.userId],
      prompts: [promptId],
      doomed_prompts: [idOf("fuzz_doomed")],
      prompt_keys: [key],
      new_prompt_keys: fresh("fuzz_new_", 4),
      versions: ["1.0.0", "1.0.1", "1.1.0"],
      labels: ["fuzz"],
      new_labels: fresh("fuzz_l", 4),
      emails: fresh("fuzz", 6).map((n) => `${n}@example.com`),
      file_keys: ["fuzz/a.txt", "fuzz/b/c.json"],
      pems: [await publicKeyPem()],
      objects: [spare.body.personal_access_token.id, app.body.app.id],
      models: [modelId],
      ...data,
      tags: [tag.body.tag_key_id],
      eval_targets: [target.body.id],
      eval_target_versions: [target.body.version_id],
      eval_target_types: [2],
      traces: [span.trace_id],
      spans: [span.span_id],
      starts: [String(now - 3_600_000)],
      ends: [String(now + 3_600_000)],
    },
  };
}

/** A fresh EC P-256 public key as SPKI PEM (what an OAuth app registers). */
async function publicKeyPem(): Promise<string> {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  const der = new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey));
  const b64 = btoa(String.fromCharCode(...der)).replace(/.{64}/g, "$&\n");
  return `-----BEGIN PUBLIC KEY-----\n${b64}\n-----END PUBLIC KEY-----\n`;
}

// Where generated requests use a dictionary of real values, and how often.
const BINDINGS: [string, string, number][] = [
  ["body.workspace_id", "workspaces", 0.8],
  ["query.workspace_id", "workspaces", 0.8],
  ["path.space_id", "workspaces", 0.8],
  ["body.annotation.workspace_id", "workspaces", 0.8],
  ["path.user_id", "users", 0.8],
  ["path.prompt_id", "prompts", 0.8],
  ["path.id", "objects", 0.5],
  ["path.model_id", "models", 0.8],
  ["body.queries[*].prompt_key", "prompt_keys", 0.8],
  ["body.prompt_identifier.prompt_key", "prompt_keys", 0.8],
  ["body.queries[*].version", "versions", 0.5],
  ["body.prompt_identifier.version", "versions", 0.5],
  ["body.queries[*].label", "labels", 0.3],
  ["path.commit_version", "versions", 0.7],
  ["body.commit_version", "versions", 0.5],
  ["body.commit_version_reverting_from", "versions", 0.7],
  ["body.trace_id", "traces", 0.7],
  ["query.trace_id", "traces", 0.7],
  ["path.trace_id", "traces", 0.7],
  ["body.annotation.trace_id", "traces", 0.7],
  ["body.span_id", "spans", 0.7],
  ["body.annotation.span_id", "spans", 0.7],
  ["body.start_time", "starts", 0.7],
  ["query.start_time", "starts", 0.7],
  ["body.end_time", "ends", 0.7],
  ["query.end_time", "ends", 0.7],
  ["body.prompt_key", "new_prompt_keys", 0.5],
  ["body.cloned_prompt_key", "new_prompt_keys", 0.5],
  ["body.label.key", "new_labels", 0.7],
  ["body.email", "emails", 0.5],
  ["body.keys[*]", "file_keys", 0.7],
  ["body.public_key", "pems", 0.7],
  ...DATA_BINDINGS,
  ["path.tag_key_id", "tags", 0.8],
  ["body.tag_key_ids[*]", "tags", 0.7],
  ["path.eval_target_id", "eval_targets", 0.8],
  ["path.eval_target_version_id", "eval_target_versions", 0.8],
  ["body.eval_target_version_ids[*]", "eval_target_versions", 0.7],
  ["body.source_target_id", "prompts", 0.7],
  ["query.source_target_id", "prompts", 0.7],
  ["body.source_target_ids[*]", "prompts", 0.7],
  ["body.param.source_target_id", "prompts", 0.7],
  ["body.param.source_target_version", "versions", 0.7],
  ["query.source_target_version", "versions", 0.5],
  ["body.target_type", "eval_target_types", 0.7],
  ["query.target_type", "eval_target_types", 0.7],
  ["body.eval_target_type", "eval_target_types", 0.7],
  ["body.param.eval_target_type", "eval_target_types", 0.7],
];

/** The schemathesis.toml of a run over `world`: its dictionaries and where they apply. */
export function fuzzConfig(world: FuzzWorld): string {
  const lines: string[] = [];
  for (const [name, values] of Object.entries(world.ids)) {
    lines.push(`[dictionaries.${name}]`, `values = ${JSON.stringify(values)}`, "");
  }
  const binding = (dictionary: string, probability: number) =>
    `{ dictionary = "${dictionary}", probability = ${probability} }`;
  lines.push("[parameters]");
  for (const [key, dictionary, probability] of BINDINGS) {
    lines.push(`"${key}" = ${binding(dictionary, probability)}`);
  }
  lines.push(
    "",
    "[[operations]]",
    'include-method = "DELETE"',
    'include-path = "/api/prompt/v1/prompts/{prompt_id}"',
    `parameters = { "path.prompt_id" = ${binding("doomed_prompts", 0.8)} }`,
    "",
    "[[operations]]",
    'include-method = "DELETE"',
    'include-path = "/api/data/v1/datasets/{dataset_id}"',
    `parameters = { "path.dataset_id" = ${binding("doomed_datasets", 0.8)} }`,
  );
  return lines.join("\n") + "\n";
}
