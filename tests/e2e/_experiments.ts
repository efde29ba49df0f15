/**
 * Helpers for the experiment tests: an evaluation set of question / reference rows,
 * committed; a submit; polling until a run ends (with every snapshot of its counts).
 */
import assert from "node:assert/strict";
import type { ServerProcess } from "../_server.ts";
import { post, type TestUser } from "./_client.ts";

/** The experiment routes. */
export const X = "/api/evaluation/v1/experiments";
const S = "/api/evaluation/v1/evaluation_sets";
/** Final statuses: Success, Failed, Terminated. */
export const FINAL = [11, 12, 13];

/** Creates a set with fields question and reference_output, adds `rows`, commits 1.0.0. */
export async function committedSet(
  server: ServerProcess,
  u: TestUser,
  name: string,
  rows: { question: string; reference: string }[],
): Promise<{ setId: string; versionId: string; itemIds: string[] }> {
  const ws = { workspace_id: u.spaceId };
  const r = await post(server, S, {
    ...ws,
    name,
    evaluation_set_schema: {
      field_schemas: [
        { name: "question", content_type: "Text" },
        { name: "reference_output", content_type: "Text" },
      ],
    },
  }, u);
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  const setId = r.body.evaluation_set_id;
  const itemIds: string[] = [];
  for (let i = 0; i < rows.length; i += 100) {
    const b = await post(server, `${S}/${setId}/items/batch_create`, {
      ...ws,
      items: rows.slice(i, i + 100).map((row) => ({
        turns: [{
          field_data_list: [
            { name: "question", content: { content_type: "Text", text: row.question } },
            { name: "reference_output", content: { content_type: "Text", text: row.reference } },
          ],
        }],
      })),
    }, u);
    assert.equal(b.body.code, 0, JSON.stringify(b.body));
    const added = b.body.added_items as Record<string, string>;
    for (let k = 0; k < Object.keys(added).length; k++) itemIds.push(added[`${k}`]);
  }
  const v = await post(server, `${S}/${setId}/versions`, { ...ws, version: "1.0.0" }, u);
  assert.equal(v.body.code, 0, JSON.stringify(v.body));
  return { setId, versionId: v.body.id, itemIds };
}

/** The id of an evaluator's submitted version `version`. */
export async function versionIdOf(
  server: ServerProcess,
  u: TestUser,
  evaluatorId: string,
  version = "1.0.0",
): Promise<string> {
  const r = await post(
    server,
    `/api/evaluation/v1/evaluators/${evaluatorId}/versions/list`,
    { workspace_id: u.spaceId, page_size: 50 },
    u,
  );
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  const v = r.body.evaluator_versions.find((x: { version: string }) => x.version === version);
  assert.ok(v, `version ${version} of evaluator ${evaluatorId}`);
  return v.id;
}

/** Submits; returns the experiment. */
// deno-lint-ignore no-explicit-any
export async function submit(server: ServerProcess, u: TestUser, body: unknown): Promise<any> {
  const r = await post(server, `${X}/submit`, body, u);
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return r.body.experiment;
}

/** One experiment by id. */
// deno-lint-ignore no-explicit-any
export async function getExpt(server: ServerProcess, u: TestUser, id: string): Promise<any> {
  const r = await post(server, `${X}/batch_get`, { workspace_id: u.spaceId, expt_ids: [id] }, u);
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return r.body.experiments[0];
}

/** Polls until the run ends; returns the experiment and every snapshot seen. */
export async function waitExpt(
  server: ServerProcess,
  u: TestUser,
  id: string,
  o: { timeoutMs?: number; until?: (e: { status: number }) => boolean } = {},
  // deno-lint-ignore no-explicit-any
): Promise<{ expt: any; snapshots: any[] }> {
  const until = o.until ?? ((e) => FINAL.includes(e.status));
  const end = Date.now() + (o.timeoutMs ?? 120_000);
  const snapshots = [];
  while (Date.now() < end) {
    const e = await getExpt(server, u, id);
    snapshots.push(e);
    if (until(e)) return { expt: e, snapshots };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`experiment ${id} did not end: ${JSON.stringify(snapshots.at(-1))}`);
}

/** The counts of an experiment, as one line. */
// deno-lint-ignore no-explicit-any
export function counts(e: any): Record<string, number> {
  const s = e.expt_stats;
  return {
    pending: s.pending_turn_cnt,
    processing: s.processing_turn_cnt,
    success: s.success_turn_cnt,
    fail: s.fail_turn_cnt,
    terminated: s.terminated_turn_cnt,
  };
}
