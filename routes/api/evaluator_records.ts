/**
 * Evaluator records of experiments (web UI): `GET evaluator_records/:id` (workspace_id in the
 * query), `POST evaluator_records/batch_get`, and `PATCH evaluator_records/:id`: a person's
 * correction of the score (with why); the caller is recorded as `updated_by`, and results,
 * aggregates, comparisons and exports use the corrected score from then on.
 */
import { z } from "@hono/zod-openapi";
import type { ExperimentResults } from "../../domains/evaluation/experiments/results_mod.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, routeGroup } from "../_wire/routes.ts";
import { id64, jsonBody } from "../_wire/schemas.ts";
import { recordToWire } from "../_wire/convert_expt_results.ts";
import type { RouteApp } from "../_env.ts";
import { storedRecordOut } from "./_schemas_expt_results.ts";

const tags = ["evaluation"];
const base = "/api/evaluation/v1/evaluator_records";
const idParam = z.object({ evaluator_record_id: id64 });
const queryBool = z.enum(["true", "false"]).transform((v) => v === "true");

/** The IDL's Correction as sent (the score is required: a correction without one says nothing). */
export const correctionIn = z.object({
  score: z.number().finite(),
  explain: z.string().max(4096).optional(),
  updated_by: z.string().max(64).optional().openapi({ description: "ignored: the caller" }),
});

const get = apiRoute({
  method: "get",
  path: `${base}/{evaluator_record_id}`,
  tags,
  summary: "One evaluator record of an experiment",
  request: {
    params: idParam,
    query: z.object({ workspace_id: id64, include_deleted: queryBool.optional() }),
  },
}, { record: storedRecordOut });
const batchGet = apiRoute({
  method: "post",
  path: `${base}/batch_get`,
  tags,
  summary: "Evaluator records by id (unknown ids left out)",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      evaluator_record_ids: z.array(id64).max(200).optional(),
      include_deleted: z.boolean().optional(),
    })),
  },
}, { records: z.array(storedRecordOut) });
const correct = apiRoute({
  method: "patch",
  path: `${base}/{evaluator_record_id}`,
  tags,
  summary: "Correct a record's score by hand (aggregates then use it)",
  request: {
    params: idParam,
    body: jsonBody(z.object({ workspace_id: id64, correction: correctionIn })),
  },
}, { record: storedRecordOut });

/** The routes. */
export function evaluatorRecordRoutes(deps: ExperimentResults): RouteApp {
  const app = routeGroup();
  const user = (c: { get(k: "caller"): { userId: bigint } }) => c.get("caller").userId;
  app.openapi(get, async (c) => {
    const q = c.req.valid("query");
    const r = await deps.records.get(
      user(c),
      q.workspace_id,
      c.req.valid("param").evaluator_record_id,
      q.include_deleted,
    );
    return apiOk(c, { record: recordToWire(r) });
  });
  app.openapi(batchGet, async (c) => {
    const b = c.req.valid("json");
    const list = await deps.records.batchGet(
      user(c),
      b.workspace_id,
      b.evaluator_record_ids ?? [],
      b.include_deleted,
    );
    return apiOk(c, { records: list.map(recordToWire) });
  });
  app.openapi(correct, async (c) => {
    const b = c.req.valid("json");
    const r = await deps.records.correct(
      user(c),
      b.workspace_id,
      c.req.valid("param").evaluator_record_id,
      {
        score: b.correction.score,
        explain: b.correction.explain,
      },
    );
    return apiOk(c, { record: recordToWire(r) });
  });
  return app;
}
