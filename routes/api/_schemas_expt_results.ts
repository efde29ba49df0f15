/**
 * Answer schemas of the experiment read side (web API): item results aligned across
 * experiments, aggregates, evaluator records and export records, with the extra fields of
 * this server (`comparison`, `passed`, `pass_thresholds`) described where they appear.
 */
import { z } from "@hono/zod-openapi";
import { int64 } from "../_wire/routes.ts";

const obj = z.record(z.string(), z.unknown());
const runError = z.object({ code: int64, message: z.string() });

/** ColumnEvalSetField. */
export const columnSetFieldOut = z.object({
  key: z.string(),
  name: z.string(),
  description: z.string().optional(),
  content_type: z.string().optional(),
  text_schema: z.string().optional(),
}).openapi("ColumnEvalSetField");

/** ColumnEvaluator. */
export const columnEvaluatorOut = z.object({
  evaluator_version_id: int64,
  evaluator_id: int64,
  evaluator_type: z.number().int().openapi({ description: "1 LLM judge, 2 code" }),
  name: z.string(),
  version: z.string(),
  description: z.string().optional(),
  builtin: z.boolean().optional(),
}).openapi("ColumnEvaluator");

/** ColumnEvalTarget. */
export const columnTargetOut = z.object({
  name: z.string(),
  label: z.string().optional(),
  content_type: z.string().optional(),
}).openapi("ColumnEvalTarget");

/** A stored EvaluatorRecord, with a person's correction. */
export const storedRecordOut = z.object({
  id: int64,
  experiment_id: int64,
  experiment_run_id: int64,
  item_id: int64,
  turn_id: int64,
  evaluator_version_id: int64,
  trace_id: z.string(),
  evaluator_input_data: obj,
  evaluator_output_data: z.object({
    evaluator_result: z.object({
      score: z.number().optional(),
      correction: z.object({ score: z.number(), explain: z.string(), updated_by: z.string() })
        .optional().openapi({ description: "A person's score: the one aggregates use" }),
      reasoning: z.string(),
    }),
    evaluator_usage: z.object({ input_tokens: int64, output_tokens: int64 }),
    evaluator_run_error: z.object({ code: z.number().int(), message: z.string() }).optional(),
    time_consuming_ms: int64,
    stdout: z.string().optional(),
  }),
  status: z.number().int().openapi({ description: "1 Success, 2 Fail" }),
  ext: z.record(z.string(), z.string()).openapi({
    description: "raw_output: an LLM judge's raw reply (kept when no score was read from it)",
  }),
  base_info: obj,
}).openapi("ExptEvaluatorRecord");

/** Score deltas of one experiment's item against the baseline (beyond the IDL). */
export const deltasOut = z.object({
  baseline_experiment_id: int64,
  evaluator_deltas: z.array(z.object({
    evaluator_id: int64,
    evaluator_version_id: int64,
    baseline_evaluator_version_id: int64,
    score: z.number().nullable(),
    baseline_score: z.number().nullable(),
    delta: z.number().nullable().openapi({
      description: "score - baseline_score (corrected scores count); null when a side has none",
    }),
  })),
}).openapi("ExperimentResultComparison", {
  description: "Beyond the IDL: per evaluator (aligned by evaluator id, versions may differ) " +
    "this item's score change against the baseline experiment",
});

const payloadOut = z.object({
  turn_id: int64,
  eval_set: z.object({ turn: obj }).optional(),
  target_output: z.object({ eval_target_record: obj }).optional(),
  evaluator_output: z.object({
    evaluator_records: z.record(z.string(), storedRecordOut).openapi({
      description: "by evaluator version id",
    }),
  }),
  system_info: z.object({
    turn_run_state: z.number().int().openapi({
      description: "TurnRunState: 0 queueing, 1 success, 2 fail, 3 processing, 4 terminal",
    }),
    error: runError.optional(),
  }),
}).openapi("ExperimentTurnPayload");

/** ItemResult: one item, each experiment's payload aligned. */
export const itemResultOut = z.object({
  item_id: int64,
  item_index: int64,
  system_info: z.object({
    run_state: z.number().int().openapi({
      description: "the baseline's ItemRunState (0 queueing, 1 processing, 2 success, 3 fail, " +
        "5 terminal; -1 not in the experiment)",
    }),
    error: runError.optional(),
  }),
  turn_results: z.array(z.object({
    turn_id: int64,
    turn_index: int64,
    experiment_results: z.array(z.object({
      experiment_id: int64,
      payload: payloadOut.optional().openapi({ description: "absent: no such item in it" }),
      comparison: deltasOut.optional(),
    })),
  })),
}).openapi("ItemResult");

/** BatchGetExperimentResultResponse's fields. */
export const resultsFields = {
  column_eval_set_fields: z.array(columnSetFieldOut),
  column_evaluators: z.array(columnEvaluatorOut),
  expt_column_evaluators: z.array(
    z.object({ experiment_id: int64, column_evaluators: z.array(columnEvaluatorOut) }),
  ),
  expt_column_eval_target: z.array(
    z.object({ experiment_id: int64, column_eval_targets: z.array(columnTargetOut) }),
  ),
  item_results: z.array(itemResultOut),
  total: int64,
};

/** AggregatorResult (web: numeric enums). */
export const aggregatorOut = z.object({
  aggregator_type: z.number().int().openapi({
    description: "1 Average, 2 Sum, 3 Max, 4 Min, 5 Distribution",
  }),
  data: z.object({
    data_type: z.number().int().openapi({ description: "0 Double, 1 ScoreDistribution" }),
    value: z.number().nullable().optional(),
    score_distribution: z.object({
      score_distribution_items: z.array(z.object({
        score: z.string(),
        count: int64,
        percentage: z.number().openapi({ description: "fraction of the scores, 0..1" }),
      })),
    }).optional(),
  }),
}).openapi("AggregatorResult");

/** Pass thresholds and the comparison counts (beyond the IDL), shared by both families. */
export const passFields = {
  passed: z.boolean().openapi({
    description: "Beyond the IDL: every pass threshold reached (true when there are none)",
  }),
  pass_thresholds: z.array(z.object({
    evaluator_version_id: int64,
    min_score: z.number(),
    average: z.number().nullable().openapi({ description: "null: no scores (not passed)" }),
    passed: z.boolean(),
  })).openapi({ description: "Beyond the IDL: each threshold of the experiment" }),
  comparison: z.object({
    baseline_experiment_id: int64,
    evaluators: z.array(z.object({
      evaluator_id: int64,
      evaluator_version_id: int64,
      baseline_evaluator_version_id: int64,
      improved: z.number().int(),
      regressed: z.number().int(),
      unchanged: z.number().int(),
    })),
  }).optional().openapi({
    description: "Beyond the IDL, on experiments other than the baseline: items whose score " +
      "went up, down or stayed against the baseline, per evaluator aligned by evaluator id " +
      "(items scored in both)",
  }),
};

/** EvalTargetAggregateResult, of either family's aggregator shape. */
export function targetAggrOut(aggregator: z.ZodType): z.ZodType {
  return z.object({
    target_id: int64,
    target_version_id: int64,
    latency: z.array(aggregator),
    input_tokens: z.array(aggregator),
    output_tokens: z.array(aggregator),
    total_tokens: z.array(aggregator),
  });
}

/** ExptAggregateResult. */
export const exptAggregateOut = z.object({
  experiment_id: int64,
  evaluator_results: z.record(
    z.string(),
    z.object({
      evaluator_version_id: int64,
      aggregator_results: z.array(aggregatorOut),
      name: z.string(),
      version: z.string(),
      passed: z.boolean().optional().openapi({
        description: "Beyond the IDL: whether its pass threshold is reached (when it has one)",
      }),
    }),
  ),
  status: z.number().int(),
  eval_target_aggr_result: targetAggrOut(aggregatorOut).optional(),
  update_time: int64,
  ...passFields,
}).openapi("ExptAggregateResult");

/** ExptResultExportRecord. */
export const exportRecordOut = z.object({
  export_id: int64,
  workspace_id: int64,
  expt_id: int64,
  csv_export_status: z.enum(["Unknown", "Running", "Success", "Failed"]),
  base_info: obj,
  start_time: int64.optional(),
  end_time: int64.optional(),
  URL: z.string().optional(),
  url: z.string().optional().openapi({ description: "presigned download URL, once written" }),
  expired: z.boolean(),
  error: runError.optional(),
}).openapi("ExptResultExportRecord");
