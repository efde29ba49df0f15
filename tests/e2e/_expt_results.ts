/**
 * Helpers for the experiment result tests: a committed evaluation set of questions, JavaScript
 * code evaluators (no model needed) and two runs over it without a target, the second with a
 * newer version of one evaluator, so that results and aggregates can be compared.
 */
import assert from "node:assert/strict";
import type { ServerProcess } from "../_server.ts";
import { post, type TestUser } from "./_client.ts";
import { codeContent, createEvaluator, E } from "./_evaluators.ts";

/** The experiment routes. */
export const X = "/api/evaluation/v1/experiments";
const S = "/api/evaluation/v1/evaluation_sets";

/** Scores 1 for a question of even length, else 0; the reason names the question. */
export const PARITY_JS = `function exec_evaluation(turn) {
  const f = Object.assign({}, turn.evaluate_dataset_fields, turn.input_fields);
  const q = f.q.text;
  return { score: q.length % 2 === 0 ? 1 : 0, reason: "length of " + q };
}`;
/** Scores 1 always (the parity evaluator's version 2.0.0). */
export const ONE_JS = `function exec_evaluation(turn) { return { score: 1, reason: "always" }; }`;
/** Scores 0.5 always. */
export const HALF_JS = `function exec_evaluation(turn) { return { score: 0.5, reason: "half" }; }`;

/** What the setup made. */
export interface Runs {
  setId: string;
  versionId: string;
  parityV1: string;
  parityV2: string;
  half: string;
  parityId: string;
  /** Run 1: parity 1.0.0 and half; run 2: parity 2.0.0 and half. */
  run1: string;
  run2: string;
}

async function ok(server: ServerProcess, u: TestUser, path: string, body: unknown, m = "POST") {
  const r = await post(server, path, body, u, m);
  assert.equal(r.body.code, 0, `${path}: ${JSON.stringify(r.body)}`);
  return r.body;
}

async function versionId(server: ServerProcess, u: TestUser, id: string, version: string) {
  const b = await ok(server, u, `${E}/${id}/versions/list`, { workspace_id: u.spaceId });
  return b.evaluator_versions.find((v: { version: string }) => v.version === version).id as string;
}

/** Polls an experiment until it ends (Success, Failed or Terminated); answers it. */
// deno-lint-ignore no-explicit-any
export async function waitEnd(server: ServerProcess, u: TestUser, id: string): Promise<any> {
  const end = Date.now() + 120_000;
  while (Date.now() < end) {
    const b = await ok(server, u, `${X}/batch_get`, { workspace_id: u.spaceId, expt_ids: [id] });
    if ([11, 12, 13].includes(b.experiments[0].status)) return b.experiments[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`experiment ${id} did not end`);
}

/** A set of `questions` (field q), the evaluators, and the two runs, both ended. */
export async function setupRuns(
  server: ServerProcess,
  u: TestUser,
  questions: string[],
): Promise<Runs> {
  const ws = { workspace_id: u.spaceId };
  const set = await ok(server, u, S, {
    ...ws,
    name: `set ${crypto.randomUUID().slice(0, 8)}`,
    evaluation_set_schema: { field_schemas: [{ name: "q", content_type: "Text" }] },
  });
  const setId = set.evaluation_set_id;
  await ok(server, u, `${S}/${setId}/items/batch_create`, {
    ...ws,
    items: questions.map((q) => ({
      turns: [{ field_data_list: [{ name: "q", content: { content_type: "Text", text: q } }] }],
    })),
  });
  const versionIdOfSet =
    (await ok(server, u, `${S}/${setId}/versions`, { ...ws, version: "1.0.0" }))
      .id;
  const parityId = await createEvaluator(server, u, 2, "parity", codeContent("JS", PARITY_JS));
  const parityV1 = await versionId(server, u, parityId, "1.0.0");
  await ok(server, u, `${E}/${parityId}/update_draft`, {
    ...ws,
    evaluator_type: 2,
    evaluator_content: codeContent("JS", ONE_JS),
  }, "PATCH");
  await ok(server, u, `${E}/${parityId}/submit_version`, { ...ws, version: "2.0.0" });
  const parityV2 = await versionId(server, u, parityId, "2.0.0");
  const halfId = await createEvaluator(server, u, 2, "half", codeContent("JS", HALF_JS));
  const half = await versionId(server, u, halfId, "1.0.0");
  const submit = async (name: string, parity: string, thresholds: unknown[]) => {
    const b = await ok(server, u, `${X}/submit`, {
      ...ws,
      name,
      eval_set_id: setId,
      eval_set_version_id: versionIdOfSet,
      evaluator_version_ids: [parity, half],
      evaluator_field_mapping: [parity, half].map((v) => ({
        evaluator_version_id: v,
        from_eval_set: [{ field_name: "q", from_field_name: "q" }],
      })),
      item_concur_num: 3,
      item_retry_num: 0,
      pass_thresholds: thresholds,
    });
    return b.experiment.id as string;
  };
  const run1 = await submit("run 1", parityV1, [{
    evaluator_version_id: parityV1,
    min_score: 0.9,
  }]);
  const run2 = await submit("run 2", parityV2, [{
    evaluator_version_id: parityV2,
    min_score: 0.9,
  }]);
  for (const id of [run1, run2]) {
    const e = await waitEnd(server, u, id);
    assert.equal(e.status, 11, JSON.stringify(e));
  }
  return { setId, versionId: versionIdOfSet, parityV1, parityV2, half, parityId, run1, run2 };
}
