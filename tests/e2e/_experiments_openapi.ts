/**
 * Helpers for the OpenAPI experiment tests: the scenario's setup over the web API (an
 * evaluation set, a prompt with a good 1.0.0 and a regressed 1.1.0, two JavaScript code
 * evaluators), calls with a bearer token, polling get until a run ends, and the CI gate a
 * job would run: wait, read aggr_results, fail unless the run succeeded and passed.
 */
import assert from "node:assert/strict";
import type { ServerProcess } from "../_server.ts";
import { post, type TestUser } from "./_client.ts";
import { codeContent, createEvaluator } from "./_evaluators.ts";
import { commitPrompt } from "./_prompts.ts";
import { P } from "./_prompts.ts";
import { promptIdOf } from "./_eval_targets.ts";
import { committedSet, versionIdOf } from "./_experiments.ts";

/** The OpenAPI experiment routes. */
export const OX = "/v1/loop/evaluation/experiments";
/** Final statuses of the OpenAPI's ExperimentStatus. */
export const FINAL = ["success", "failed", "terminated", "system_terminated"];

/** The output equals the reference: 1, else 0. */
const EXACT_JS = `function exec_evaluation(turn) {
  const a = turn.evaluate_target_output_fields.actual_output.text;
  const e = turn.evaluate_dataset_fields.reference_output.text;
  return { score: a === e ? 1 : 0, reason: "exact: " + (a === e) };
}`;
/** The output mentions the question: 1, else 0. */
const CONTAINS_JS = `function exec_evaluation(turn) {
  const a = turn.evaluate_target_output_fields.actual_output.text;
  const q = turn.evaluate_dataset_fields.question.text;
  return { score: a.includes(q) ? 1 : 0, reason: "mentions the question" };
}`;

/** What the scenario is made of. */
export interface Scenario {
  set: { setId: string; versionId: string; itemIds: string[] };
  slow: { setId: string; versionId: string };
  promptId: string;
  exact: { id: string; versionId: string };
  contains: { id: string; versionId: string };
}

/**
 * Sets up over the web API: a set of `n` rows whose reference is the fake model's echo of
 * the question (committed 1.0.0), a slow set, a prompt whose 1.0.0 asks the question as is
 * and whose 1.1.0 adds words (the echo then differs from the reference: a regression),
 * and the two evaluators.
 */
export async function setupScenario(
  server: ServerProcess,
  u: TestUser,
  tag: string,
  n: number,
): Promise<Scenario> {
  const set = await committedSet(
    server,
    u,
    `ci ${tag}`,
    Array.from({ length: n }, (_, i) => ({
      question: `${tag} q${i}`,
      reference: `echo: ${tag} q${i}`,
    })),
  );
  const slow = await committedSet(
    server,
    u,
    `slow ${tag}`,
    Array.from({ length: 3 }, (_, i) => ({ question: `#slow ${tag} s${i}`, reference: "x" })),
  );
  const key = `ci_${tag}`;
  await commitPrompt(server, u, key, "1");
  const promptId = await promptIdOf(server, u, key);
  const saved = await post(server, `${P}/${promptId}/drafts/save`, {
    prompt_draft: {
      detail: {
        prompt_template: {
          template_type: "normal",
          messages: [{ role: "user", content: "{{question}} (answer briefly)" }],
          variable_defs: [{ key: "question", type: "string" }],
        },
        model_config: { model_id: "1" },
      },
    },
  }, u);
  assert.equal(saved.body.code, 0, JSON.stringify(saved.body));
  const c = await post(server, `${P}/${promptId}/drafts/commit`, {
    commit_version: "1.1.0",
  }, u);
  assert.equal(c.body.code, 0, JSON.stringify(c.body));
  const evaluator = async (name: string, code: string) => {
    const id = await createEvaluator(server, u, 2, name, codeContent("JS", code));
    return { id, versionId: await versionIdOf(server, u, id) };
  };
  return {
    set,
    slow,
    promptId,
    exact: await evaluator(`exact ${tag}`, EXACT_JS),
    contains: await evaluator(`contains ${tag}`, CONTAINS_JS),
  };
}

/** A call with a bearer token. */
export async function call(
  server: ServerProcess,
  token: string,
  path: string,
  body?: unknown,
  method = "POST",
  // deno-lint-ignore no-explicit-any
): Promise<{ status: number; body: any }> {
  const r = await post(server, path, body, { token }, method);
  return { status: r.status, body: r.body };
}

/** GET an experiment. */
export async function getOapi(
  server: ServerProcess,
  token: string,
  workspaceId: string,
  id: string,
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  const r = await call(server, token, `${OX}/${id}?workspace_id=${workspaceId}`, undefined, "GET");
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return r.body.data.experiment;
}

/** Polls get until `until` (default: a final status); returns the experiment. */
export async function waitOapi(
  server: ServerProcess,
  token: string,
  workspaceId: string,
  id: string,
  // deno-lint-ignore no-explicit-any
  until: (e: any) => boolean = (e) => FINAL.includes(e.status),
  timeoutMs = 120_000,
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    last = await getOapi(server, token, workspaceId, id);
    if (until(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`experiment ${id} did not get there: ${JSON.stringify(last)}`);
}

/** What a CI job concludes about a run. */
export interface Verdict {
  /** The job's exit code: 0 passes the build, 1 fails it. */
  exitCode: 0 | 1;
  status: string;
  /** Why it fails, one line per reason. */
  failures: string[];
  // deno-lint-ignore no-explicit-any
  aggregates: any;
}

/**
 * The CI gate, as a job would script it with nothing but a token: wait for the run to end,
 * read its aggregates, and fail unless it succeeded and every pass threshold is reached.
 */
export async function ciGate(
  server: ServerProcess,
  token: string,
  workspaceId: string,
  id: string,
): Promise<Verdict> {
  const e = await waitOapi(server, token, workspaceId, id);
  const a = await call(server, token, `${OX}/${id}/aggr_results`, { workspace_id: workspaceId });
  assert.equal(a.body.code, 0, JSON.stringify(a.body));
  const failures: string[] = [];
  if (e.status !== "success") {
    const r = await call(server, token, `${OX}/${id}/results`, {
      workspace_id: workspaceId,
      page_size: 200,
    });
    const errors = (r.body.data?.item_results ?? []).flatMap((
      it: { system_info: { error?: { message: string } } },
    ) => it.system_info.error ? [it.system_info.error.message] : []);
    failures.push(`run ended ${e.status}: ${e.status_message} (${errors.slice(0, 3).join("; ")})`);
  }
  for (const t of a.body.data.pass_thresholds) {
    if (!t.passed) {
      failures.push(`evaluator version ${t.evaluator_version_id}: ${t.average} < ${t.min_score}`);
    }
  }
  if (!a.body.data.passed && !failures.length) failures.push("not passed");
  return { exitCode: failures.length ? 1 : 0, status: e.status, failures, aggregates: a.body.data };
}
