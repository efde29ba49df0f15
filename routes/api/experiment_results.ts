/**
 * The experiment read side (web UI): `experiments/results/batch_get` and
 * `aggr_results/batch_get` (workspace_id and paging in the query, experiment ids in the body,
 * as the IDL splits them), `:expt_id/aggr_results` (aggregates are computed on read: it checks
 * access and answers OK), and result exports: `:expt_id/results/export`,
 * `:expt_id/export_records/list`, `:expt_id/export_records/:export_id` (answered under
 * `expt_result_export_records`, one object, as the IDL names it).
 */
import { z } from "@hono/zod-openapi";
import type { ExperimentResults } from "../../domains/evaluation/experiments/results_mod.ts";
import type { ResultFilter } from "../../domains/evaluation/experiments/results.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, int64, routeGroup } from "../_wire/routes.ts";
import { id64, jsonBody } from "../_wire/schemas.ts";
import { aggregateToWire, exportToWire, resultsToWire } from "../_wire/convert_expt_results.ts";
import type { RouteApp } from "../_env.ts";
import { exportRecordOut, exptAggregateOut, resultsFields } from "./_schemas_expt_results.ts";

const tags = ["evaluation"];
const base = "/api/evaluation/v1/experiments";
const idParam = z.object({ expt_id: id64 });
const ws = z.object({ workspace_id: id64 });
const queryInt = (min: number, max: number) =>
  z.string().regex(/^\d{1,6}$/, "expected an integer").transform(Number)
    .refine((n) => n >= min && n <= max, `expected ${min}..${max}`)
    .openapi({ type: "integer", minimum: min, maximum: max });
const queryBool = z.enum(["true", "false"]).transform((v) => v === "true");

const filterIn = z.object({
  filters: z.object({
    filter_conditions: z.array(z.object({
      field: z.object({ field_type: z.number().int(), field_key: z.string().max(64).optional() }),
      operator: z.number().int(),
      value: z.string().max(20_000),
    })).max(20).optional(),
    logic_op: z.number().int().min(0).max(2).optional(),
  }).optional(),
  keyword_search: z.object({ keyword: z.string().max(256).optional() }).optional(),
}).openapi("ExperimentFilter", {
  description: "Supported conditions: field_type 1 EvaluatorScore (field_key: evaluator " +
    "version id; the corrected score where one exists), 4 TurnRunState, 47 ItemID, 48 " +
    "ItemRunState; operators 1 = 2 != 3 > 4 >= 5 < 6 <= 7 in 8 not in (lists comma-separated)",
});

const results = apiRoute({
  method: "post",
  path: `${base}/results/batch_get`,
  tags,
  summary: "Item results of experiments aligned by item and turn, paged by the baseline; " +
    "beyond the IDL, each non-baseline result carries its score deltas (`comparison`)",
  request: {
    query: z.object({
      workspace_id: id64,
      page_number: queryInt(1, 100_000).optional(),
      page_size: queryInt(1, 200).optional(),
      use_accelerator: queryBool.optional(),
      full_trajectory: queryBool.optional(),
    }),
    body: jsonBody(z.object({
      experiment_ids: z.array(id64).min(1).max(10),
      baseline_experiment_id: id64.optional(),
      filters: z.record(z.string().regex(/^\d{1,19}$/), filterIn).optional(),
    })),
  },
}, resultsFields);
const aggrBatch = apiRoute({
  method: "post",
  path: `${base}/aggr_results/batch_get`,
  tags,
  summary: "Aggregates per evaluator version and of the target; beyond the IDL, pass " +
    "thresholds (`passed`) and counts improved / regressed / unchanged against the baseline",
  request: {
    query: ws,
    body: jsonBody(z.object({
      experiment_ids: z.array(id64).min(1).max(10),
      baseline_experiment_id: id64.optional().openapi({
        description: "Beyond the IDL: the experiment compared against (default: the first)",
      }),
    })),
  },
}, { expt_aggregate_result: z.array(exptAggregateOut) });
const calc = apiRoute({
  method: "post",
  path: `${base}/{expt_id}/aggr_results`,
  tags,
  summary: "Recalculate aggregates (they are computed on every read: checks access, answers OK)",
  request: { params: idParam, body: jsonBody(ws) },
});
const exportColumns = z.object({
  eval_set_fields: z.array(z.string().max(128)).max(500).optional(),
  eval_target_outputs: z.array(z.string().max(128)).max(50).optional(),
  metrics: z.array(z.string().max(128)).max(50).optional(),
  evaluator_version_ids: z.array(id64).max(500).optional(),
  weighted_score: z.boolean().optional(),
  tag_key_ids: z.array(id64).max(0, "annotation columns are not supported").optional(),
});
const exportRun = apiRoute({
  method: "post",
  path: `${base}/{expt_id}/results/export`,
  tags,
  summary: "Export the results as CSV to object storage, as a background job",
  request: {
    params: idParam,
    body: jsonBody(ws.extend({
      export_columns: exportColumns.optional(),
      export_type: z.literal("CSV").optional(),
    })),
  },
}, { export_id: int64 });
const exportList = apiRoute({
  method: "post",
  path: `${base}/{expt_id}/export_records/list`,
  tags,
  summary: "An experiment's exports, newest first, with download URLs once written",
  request: {
    params: idParam,
    body: jsonBody(ws.extend({
      page_number: z.number().int().min(1).max(100_000).optional(),
      page_size: z.number().int().min(1).max(100).optional(),
    })),
  },
}, { expt_result_export_records: z.array(exportRecordOut), total: int64 });
const exportGet = apiRoute({
  method: "post",
  path: `${base}/{expt_id}/export_records/{export_id}`,
  tags,
  summary: "One export: status and, once written, a presigned download URL",
  request: { params: idParam.extend({ export_id: id64 }), body: jsonBody(ws) },
}, { expt_result_export_records: exportRecordOut });

/** Converts the wire's filters map to the domain's. */
export function filtersFromWire(
  f: Record<string, z.infer<typeof filterIn>> | undefined,
): Map<bigint, ResultFilter> {
  return new Map(
    Object.entries(f ?? {}).map(([id, x]) => [BigInt(id), {
      any: x.filters?.logic_op === 2,
      conditions: (x.filters?.filter_conditions ?? []).map((c) => ({
        fieldType: c.field.field_type,
        fieldKey: c.field.field_key,
        operator: c.operator,
        value: c.value,
      })),
    }]),
  );
}

/** The routes. */
export function experimentResultRoutes(r: ExperimentResults): RouteApp {
  const app = routeGroup();
  const user = (c: { get(k: "caller"): { userId: bigint } }) => c.get("caller").userId;
  app.openapi(results, async (c) => {
    const q = c.req.valid("query");
    const b = c.req.valid("json");
    const page = await r.results.batchGet(user(c), {
      workspaceId: q.workspace_id,
      experimentIds: b.experiment_ids,
      baselineId: b.baseline_experiment_id,
      pageNumber: q.page_number,
      pageSize: q.page_size,
      filters: filtersFromWire(b.filters),
    });
    return apiOk(c, resultsToWire(page));
  });
  app.openapi(aggrBatch, async (c) => {
    const b = c.req.valid("json");
    const list = await r.aggregates.batchGet(
      user(c),
      c.req.valid("query").workspace_id,
      b.experiment_ids,
      { baselineId: b.baseline_experiment_id },
    );
    return apiOk(c, { expt_aggregate_result: list.map(aggregateToWire) });
  });
  app.openapi(calc, async (c) => {
    await r.aggregates.batchGet(user(c), c.req.valid("json").workspace_id, [
      c.req.valid("param").expt_id,
    ]);
    return apiOk(c);
  });
  app.openapi(exportRun, async (c) => {
    const b = c.req.valid("json");
    const cols = b.export_columns;
    const id = await r.exports.submit(user(c), b.workspace_id, c.req.valid("param").expt_id, {
      ...(cols?.eval_set_fields ? { evalSetFields: cols.eval_set_fields } : {}),
      ...(cols?.eval_target_outputs ? { targetOutputs: cols.eval_target_outputs } : {}),
      ...(cols?.metrics ? { metrics: cols.metrics } : {}),
      ...(cols?.evaluator_version_ids
        ? { evaluatorVersionIds: cols.evaluator_version_ids.map(String) }
        : {}),
    });
    return apiOk(c, { export_id: id });
  });
  app.openapi(exportList, async (c) => {
    const b = c.req.valid("json");
    const l = await r.exports.list(user(c), b.workspace_id, c.req.valid("param").expt_id, {
      pageNumber: b.page_number,
      pageSize: b.page_size,
    });
    return apiOk(c, {
      expt_result_export_records: l.exports.map(exportToWire),
      total: BigInt(l.total),
    });
  });
  app.openapi(exportGet, async (c) => {
    const p = c.req.valid("param");
    const x = await r.exports.get(
      user(c),
      c.req.valid("json").workspace_id,
      p.expt_id,
      p.export_id,
    );
    return apiOk(c, { expt_result_export_records: exportToWire(x) });
  });
  return app;
}
