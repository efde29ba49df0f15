/**
 * Answer schemas of the experiment read side on the OpenAPI (`/v1/loop/evaluation/...`): the
 * domain_openapi shapes (string enums, lower-case content types, records as lists), plus
 * this server's pass thresholds, so that a CI job can fail on a regression.
 */
import { z } from "@hono/zod-openapi";
import { int64 } from "../_wire/routes.ts";
import { passFields, targetAggrOut } from "../api/_schemas_expt_results.ts";

const obj = z.record(z.string(), z.unknown());
const runError = z.object({ code: int64, message: z.string() });

/** EvaluatorRecord (OpenAPI). */
export const oapiRecordOut = z.object({
  id: int64,
  evaluator_version_id: int64,
  item_id: int64,
  turn_id: int64,
  status: z.enum(["success", "failed"]),
  evaluator_output_data: obj.openapi({
    description: "evaluator_result {score, reasoning, correction {score, explain, updated_by}}, " +
      "evaluator_usage, evaluator_run_error, time_consuming_ms, stdout",
  }),
  trace_id: z.string(),
  base_info: obj,
}).openapi("OApiEvaluatorRecord");

const state = z.enum(["queueing", "processing", "success", "fail", "terminal"]);

/** ListExperimentResultOpenAPIData. */
export const oapiResultsOut = z.object({
  column_eval_set_fields: z.array(obj),
  column_evaluators: z.array(obj),
  column_eval_targets: z.array(obj),
  item_results: z.array(z.object({
    item_id: int64,
    turn_results: z.array(z.object({
      turn_id: z.string(),
      payload: z.object({
        eval_set_turn: obj.optional(),
        target_record: obj.optional(),
        evaluator_records: z.array(oapiRecordOut),
        system_info: z.object({ turn_run_state: state, error: runError.optional() }),
      }),
    })),
    system_info: z.object({ run_state: state, error: runError.optional() }),
  })),
  total: int64,
}).openapi("OApiExperimentResults");

const oapiAggregator = z.object({
  aggregator_type: z.enum(["average", "sum", "max", "min", "distribution"]),
  data: z.object({
    data_type: z.enum(["double", "score_distribution"]),
    value: z.number().nullable().optional(),
    score_distribution: z.object({
      score_distribution_items: z.array(
        z.object({ score: z.string(), count: int64, percentage: z.number() }),
      ),
    }).optional(),
  }),
}).openapi("OApiAggregatorResult");

/** GetExperimentAggrResultOpenAPIData, with pass thresholds. */
export const oapiAggregateOut = z.object({
  evaluator_results: z.array(z.object({
    evaluator_id: int64,
    evaluator_version_id: int64,
    name: z.string(),
    version: z.string(),
    aggregator_results: z.array(oapiAggregator),
    passed: z.boolean().optional().openapi({
      description: "Beyond the IDL: whether its pass threshold is reached (when it has one)",
    }),
  })),
  eval_target_aggr_result: targetAggrOut(oapiAggregator).optional(),
  ...passFields,
}).openapi("OApiExperimentAggregates");

/** ExptResultExportRecord (OpenAPI). */
export const oapiExportOut = z.object({
  export_id: int64,
  workspace_id: int64,
  expt_id: int64,
  csv_export_status: z.enum(["Unknown", "Running", "Success", "Failed"]),
  base_info: obj,
  start_time: int64.optional(),
  end_time: int64.optional(),
  url: z.string().optional(),
  expired: z.boolean(),
  error: runError.optional(),
}).openapi("OApiExptResultExportRecord");
