/** Helpers for tests that use evaluation targets: prompt ids and targets of committed prompts. */
import assert from "node:assert/strict";
import type { ServerProcess } from "../_server.ts";
import { post, type TestUser } from "./_client.ts";
import { P } from "./_prompts.ts";

/** The target routes. */
export const T = "/api/evaluation/v1/eval_targets";
/** The target version routes. */
export const TV = "/api/evaluation/v1/eval_target_versions";
/** EvalTargetType CozeLoopPrompt. */
export const PROMPT_TARGET = 2;

/** The id of the workspace's prompt `key`. */
export async function promptIdOf(server: ServerProcess, u: TestUser, key: string): Promise<string> {
  const r = await post(server, `${P}/list`, { workspace_id: u.spaceId, key_word: key }, u);
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  const p = r.body.prompts.find((p: { prompt_key: string }) => p.prompt_key === key);
  assert.ok(p, `prompt ${key} is listed`);
  return p.id;
}

/** Creates (or finds) the target of a committed prompt version; returns its ids. */
export async function createPromptTarget(
  server: ServerProcess,
  u: TestUser,
  promptId: string,
  version = "1.0.0",
): Promise<{ id: string; versionId: string }> {
  const r = await post(server, T, {
    workspace_id: u.spaceId,
    param: {
      source_target_id: promptId,
      source_target_version: version,
      eval_target_type: PROMPT_TARGET,
    },
  }, u);
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return { id: r.body.id, versionId: r.body.version_id };
}

/** Text content. */
export const text = (t: string) => ({ content_type: "Text", text: t });
