/**
 * The experiment read side for SDKs and CI (`/v1/loop/evaluation/...`, token auth):
 * results of one experiment, its aggregates with pass thresholds (`passed`: a CI job fails
 * on false), a CSV export and its record, and evaluator records (batch get, correction).
 */
import { z } from "@hono/zod-openapi";
import type { ExperimentResults } from "../../domains/evaluation/experiments/results_mod.ts";
import { invalidParam } from "../../domains/errors.ts";
import { loopOk } from "../_wire/json.ts";
import { int64, loopRoute, routeGroup } from "../_wire/routes.ts";
import { id64, jsonBody } from "../_wire/schemas.ts";
import {
  aggregateToOapi,
  exportToOapi,
  recordToOapi,
  resultsToOapi,
} from "../_wire/convert_expt_results_oapi.ts";
import { correctionIn } from "../api/evaluator_records.ts";
import type { RouteApp } from "../_env.ts";
import {
  oapiAggregateOut,
  oapiExportOut,
  oapiRecordOut,
  oapiResultsOut,
} from "./_schemas_expt_results.ts";

const tags = ["evaluation (OpenAPI)"];
const base = "/v1/loop/evaluation/experiments";
const exptParam = z.object({ experiment_id: id64 });
const ws = z.object({ workspace_id: id64 });

const results = loopRoute({
  method: "post",
  path: `${base}/{experiment_id}/results`,
  tags,
  summary: "An experiment's item results, in set order",
  request: {
    params: exptParam,
    body: jsonBody(ws.extend({
      page_num: z.number().int().min(1).max(100_000).optional(),
      page_size: z.number().int().min(1).max(200).optional(),
      filter: z.object({
        filters: z.object({ filter_conditions: z.array(z.unknown()).optional() }).optional(),
      }).optional().openapi({ description: "not supported yet: must hold no conditions" }),
    })),
  },
}, oapiResultsOut);
const aggr = loopRoute({
  method: "post",
  path: `${base}/{experiment_id}/aggr_results`,
  tags,
  summary: "An experiment's aggregates, with pass thresholds (`passed`) for CI",
  request: { params: exptParam, body: jsonBody(ws) },
}, oapiAggregateOut);
const exportRun = loopRoute({
  method: "post",
  path: `${base}/{experiment_id}/results/export`,
  tags,
  summary: "Export the results as CSV (a background job)",
  request: {
    params: exptParam,
    body: jsonBody(ws.extend({
      export_columns: z.object({
        eval_set_fields: z.array(z.string().max(128)).max(500).optional(),
        eval_target_outputs: z.array(z.string().max(128)).max(50).optional(),
        metrics: z.array(z.string().max(128)).max(50).optional(),
        evaluator_version_ids: z.array(id64).max(500).optional(),
      }).optional(),
      export_type: z.literal("CSV").optional(),
    })),
  },
}, z.object({ export_id: int64 }));
const exportGet = loopRoute({
  method: "get",
  path: `${base}/{experiment_id}/export_records/{export_id}`,
  tags,
  summary: "An export's status and, once written, its download URL",
  request: { params: exptParam.extend({ export_id: id64 }), query: ws },
}, z.object({ expt_result_export_record: oapiExportOut }));
const correct = loopRoute({
  method: "patch",
  path: "/v1/loop/evaluation/evaluator_records/{evaluator_record_id}",
  tags,
  summary: "Correct an evaluator record's score by hand",
  request: {
    params: z.object({ evaluator_record_id: id64 }),
    body: jsonBody(ws.extend({ correction: correctionIn })),
  },
}, z.object({ record: oapiRecordOut }));
const batchGet = loopRoute({
  method: "post",
  path: "/v1/loop/evaluation/evaluator_records/batch_get",
  tags,
  summary: "Evaluator records by id",
  request: {
    body: jsonBody(ws.extend({
      evaluator_record_ids: z.array(id64).max(200).optional(),
      include_deleted: z.boolean().optional(),
    })),
  },
}, z.object({ records: z.array(oapiRecordOut) }));

/** The routes. */
export function loopExperimentResultRoutes(r: ExperimentResults): RouteApp {
  const app = routeGroup();
  const user = (c: { get(k: "caller"): { userId: bigint } }) => c.get("caller").userId;
  app.openapi(results, async (c) => {
    const b = c.req.valid("json");
    if (b.filter?.filters?.filter_conditions?.length) {
      throw invalidParam("filter", "filters are not supported on this route yet");
    }
    const page = await r.results.batchGet(user(c), {
      workspaceId: b.workspace_id,
      experimentIds: [c.req.valid("param").experiment_id],
      pageNumber: b.page_num,
      pageSize: b.page_size,
    });
    return loopOk(c, resultsToOapi(page));
  });
  app.openapi(aggr, async (c) => {
    const [a] = await r.aggregates.batchGet(user(c), c.req.valid("json").workspace_id, [
      c.req.valid("param").experiment_id,
    ]);
    return loopOk(c, aggregateToOapi(a));
  });
  app.openapi(exportRun, async (c) => {
    const b = c.req.valid("json");
    const cols = b.export_columns;
    const id = await r.exports.submit(user(c), b.workspace_id, c.req.valid("param").experiment_id, {
      ...(cols?.eval_set_fields ? { evalSetFields: cols.eval_set_fields } : {}),
      ...(cols?.eval_target_outputs ? { targetOutputs: cols.eval_target_outputs } : {}),
      ...(cols?.metrics ? { metrics: cols.metrics } : {}),
      ...(cols?.evaluator_version_ids
        ? { evaluatorVersionIds: cols.evaluator_version_ids.map(String) }
        : {}),
    });
    return loopOk(c, { export_id: id });
  });
  app.openapi(exportGet, async (c) => {
    const p = c.req.valid("param");
    const x = await r.exports.get(
      user(c),
      c.req.valid("query").workspace_id,
      p.experiment_id,
      p.export_id,
    );
    return loopOk(c, { expt_result_export_record: exportToOapi(x) });
  });
  app.openapi(correct, async (c) => {
    const b = c.req.valid("json");
    const rec = await r.records.correct(
      user(c),
      b.workspace_id,
      c.req.valid("param").evaluator_record_id,
      { score: b.correction.score, explain: b.correction.explain },
    );
    return loopOk(c, { record: recordToOapi(rec) });
  });
  app.openapi(batchGet, async (c) => {
    const b = c.req.valid("json");
    const list = await r.records.batchGet(
      user(c),
      b.workspace_id,
      b.evaluator_record_ids ?? [],
      b.include_deleted,
    );
    return loopOk(c, { records: list.map(recordToOapi) });
  });
  return app;
}
