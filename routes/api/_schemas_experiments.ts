/**
 * Request and answer schemas of the experiment routes, and the conversion of an experiment
 * to the IDL's `Experiment` (domain/expt.thrift), with `expt_stats` counted from its items
 * and, beyond the reference, its `pass_thresholds`.
 */
import { z } from "@hono/zod-openapi";
import type { ExperimentView } from "../../domains/evaluation/experiments/mod.ts";
import { int64 } from "../_wire/routes.ts";
import { id64 } from "../_wire/schemas.ts";

const ms = int64.openapi({ description: "epoch ms" });
const secs = int64.openapi({ description: "epoch seconds" });

/** The IDL's FieldMapping. */
export const fieldMapping = z.object({
  field_name: z.string().max(255).optional(),
  const_value: z.string().max(65_536).optional(),
  from_field_name: z.string().max(255).optional(),
}).openapi("ExptFieldMapping");

/** The IDL's TargetFieldMapping. */
export const targetFieldMapping = z.object({
  from_eval_set: z.array(fieldMapping).max(200).optional(),
}).openapi("TargetFieldMapping");

/** The IDL's EvaluatorFieldMapping. */
export const evaluatorFieldMapping = z.object({
  evaluator_version_id: id64.optional(),
  from_eval_set: z.array(fieldMapping).max(200).optional(),
  from_target: z.array(fieldMapping).max(200).optional(),
  evaluator_id_version_item: z.object({
    evaluator_id: id64.optional(),
    version: z.string().max(64).optional(),
  }).optional(),
}).openapi("EvaluatorFieldMapping");

/** A pass threshold (beyond the reference). */
export const passThreshold = z.object({
  evaluator_version_id: id64,
  min_score: z.number(),
}).openapi("ExptPassThreshold", {
  description: "The evaluator's average score must reach min_score for the run to pass",
});

/** The submit body (the IDL's SubmitExperimentRequest, the fields this server runs). */
export const submitBody = z.object({
  workspace_id: id64,
  eval_set_version_id: id64.optional(),
  target_version_id: id64.optional(),
  evaluator_version_ids: z.array(id64).max(20).optional(),
  name: z.string().max(255).optional(),
  desc: z.string().max(2000).optional(),
  eval_set_id: id64.optional(),
  target_id: id64.optional(),
  target_field_mapping: targetFieldMapping.optional(),
  evaluator_field_mapping: z.array(evaluatorFieldMapping).max(20).optional(),
  item_concur_num: z.number().int().optional(),
  evaluators_concur_num: z.number().int().optional(),
  create_eval_target_param: z.object({
    source_target_id: z.string().max(64).optional(),
    source_target_version: z.string().max(64).optional(),
    eval_target_type: z.number().int().optional(),
  }).optional(),
  expt_type: z.number().int().optional(),
  source_type: z.number().int().optional(),
  source_id: z.string().max(255).optional(),
  evaluator_id_version_list: z.array(z.object({
    evaluator_id: id64.optional(),
    version: z.string().max(64).optional(),
  })).max(20).optional(),
  item_retry_num: z.number().int().optional(),
  pass_thresholds: z.array(passThreshold).max(20).optional(),
}).openapi("SubmitExperimentRequest");

const stats = z.object({
  pending_turn_cnt: z.number().int(),
  success_turn_cnt: z.number().int(),
  fail_turn_cnt: z.number().int(),
  terminated_turn_cnt: z.number().int(),
  processing_turn_cnt: z.number().int(),
}).strict().openapi("ExptStatistics");

/** The IDL's Experiment. */
export const experimentOut = z.object({
  id: int64,
  name: z.string(),
  desc: z.string(),
  creator_by: z.string(),
  status: z.number().int().openapi({
    description: "2 Pending, 3 Processing, 11 Success, 12 Failed, 13 Terminated, 15 Terminating",
  }),
  status_message: z.string(),
  start_time: secs.optional(),
  end_time: secs.optional(),
  item_concur_num: z.number().int(),
  item_retry_num: z.number().int(),
  create_time: secs,
  eval_set_version_id: int64,
  target_version_id: int64.optional(),
  evaluator_version_ids: z.array(int64),
  eval_set_id: int64,
  target_id: int64.optional(),
  base_info: z.object({
    created_by: z.object({ user_id: z.string() }).strict(),
    created_at: ms,
    updated_at: ms,
  }).strict(),
  expt_stats: stats,
  total_item_count: int64,
  target_field_mapping: targetFieldMapping,
  evaluator_field_mapping: z.array(
    z.object({
      evaluator_version_id: int64,
      from_eval_set: z.array(fieldMapping).optional(),
      from_target: z.array(fieldMapping).optional(),
    }).strict(),
  ),
  expt_type: z.number().int(),
  source_type: z.number().int(),
  source_id: z.string(),
  pass_thresholds: z.array(z.object({ evaluator_version_id: int64, min_score: z.number() })),
}).strict().openapi("Experiment");

/** An experiment on the wire. */
export function experimentView(v: ExperimentView): Record<string, unknown> {
  const e = v.experiment;
  const c = v.counts;
  const s = (ms: number) => String(Math.floor(ms / 1000));
  return {
    id: `${e.id}`,
    name: e.name,
    desc: e.description,
    creator_by: `${e.createdBy}`,
    status: e.status,
    status_message: e.statusMessage,
    ...(e.startAt ? { start_time: s(e.startAt) } : {}),
    ...(e.endAt ? { end_time: s(e.endAt) } : {}),
    item_concur_num: e.itemConcurNum,
    item_retry_num: e.itemRetryNum,
    create_time: s(e.createdAt.getTime()),
    eval_set_version_id: `${e.evalSetVersionId}`,
    ...(e.targetVersionId ? { target_version_id: `${e.targetVersionId}` } : {}),
    evaluator_version_ids: e.evaluatorVersionIds.map(String),
    eval_set_id: `${e.evalSetId}`,
    ...(e.targetId ? { target_id: `${e.targetId}` } : {}),
    base_info: {
      created_by: { user_id: `${e.createdBy}` },
      created_at: String(e.createdAt.getTime()),
      updated_at: String(e.updatedAt.getTime()),
    },
    expt_stats: {
      pending_turn_cnt: c.pending,
      success_turn_cnt: c.success,
      fail_turn_cnt: c.fail,
      terminated_turn_cnt: c.terminated,
      processing_turn_cnt: c.processing,
    },
    total_item_count: String(c.pending + c.processing + c.success + c.fail + c.terminated),
    target_field_mapping: e.targetFieldMapping,
    evaluator_field_mapping: e.evaluatorFieldMapping,
    expt_type: e.exptType,
    source_type: e.sourceType,
    source_id: e.sourceId,
    pass_thresholds: e.passThresholds,
  };
}
