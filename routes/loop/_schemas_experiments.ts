/**
 * Request and answer schemas of the experiment routes on the OpenAPI
 * (`/v1/loop/evaluation/experiments`, coze.loop.evaluation.openapi.thrift and
 * domain_openapi/experiment.thrift): sets and evaluators by id and version string, the
 * target by its source (a prompt) and the type's string, string enums for status and retry
 * mode; beyond the IDL, pass thresholds. And the conversion of an experiment to the
 * OpenAPI's Experiment.
 */
import { z } from "@hono/zod-openapi";
import type { ExperimentDetail } from "../../domains/evaluation/experiments/oapi.ts";
import { ExptStatus, RetryMode } from "../../domains/evaluation/experiments/types.ts";
import { int64 } from "../_wire/routes.ts";
import { id64 } from "../_wire/schemas.ts";

const version = z.string().min(1).max(64);

/** The OpenAPI's EvalTargetType strings, with the domain's numbers. */
export const TARGET_TYPES = {
  coze_bot: 1,
  coze_loop_prompt: 2,
  trace: 3,
  coze_workflow: 4,
  volcengine_agent: 5,
  custom_rpc_server: 6,
  a2a_agent: 9,
  custom_agent: 10,
  sandbox_agent: 17,
} as const;
const targetTypeName = Object.fromEntries(
  Object.entries(TARGET_TYPES).map(([k, v]) => [v, k]),
) as Record<number, string>;
const targetType = z.enum(Object.keys(TARGET_TYPES) as [keyof typeof TARGET_TYPES]);

/** ExperimentStatus strings; `terminating` (a kill under way) is beyond the IDL's list. */
export const STATUS_NAMES: Record<number, string> = {
  [ExptStatus.Pending]: "pending",
  [ExptStatus.Processing]: "processing",
  [ExptStatus.Success]: "success",
  [ExptStatus.Failed]: "failed",
  [ExptStatus.Terminated]: "terminated",
  [ExptStatus.SystemTerminated]: "system_terminated",
  [ExptStatus.Terminating]: "terminating",
};
const statusEnum = z.enum([
  "pending",
  "processing",
  "success",
  "failed",
  "terminated",
  "system_terminated",
  "terminating",
]).openapi({
  description: "Final: success, failed, terminated, system_terminated. Beyond the IDL: " +
    "terminating (a kill under way; it ends terminated)",
});

/** ExptRetryMode strings, with the domain's numbers. */
export const RETRY_MODES = {
  retry_all: RetryMode.All,
  retry_failure: RetryMode.Failure,
  retry_target_items: RetryMode.TargetItems,
} as const;

const fieldMapping = z.object({
  field_name: z.string().max(255).optional(),
  from_field_name: z.string().max(255).optional(),
}).openapi("OApiFieldMapping");
const targetFieldMapping = z.object({
  from_eval_set: z.array(fieldMapping).max(200).optional(),
}).openapi("OApiTargetFieldMapping");
const evaluatorFieldMapping = z.object({
  evaluator_id: id64.optional(),
  version: version.optional(),
  from_eval_set: z.array(fieldMapping).max(200).optional(),
  from_target: z.array(fieldMapping).max(200).optional(),
}).openapi("OApiEvaluatorFieldMapping");

/** A pass threshold (beyond the IDL). */
export const oapiThresholdIn = z.object({
  evaluator_version_id: id64.optional(),
  evaluator_id: id64.optional(),
  version: version.optional(),
  min_score: z.number().refine(Number.isFinite, "expected a finite number"),
}).openapi("OApiPassThreshold", {
  description: "The evaluator (its version id, or evaluator_id and version) must average at " +
    "least min_score for the experiment to pass (aggr_results answers `passed`)",
});

/** SubmitExperimentOApiRequest (the fields this server runs). */
export const oapiSubmitBody = z.object({
  workspace_id: id64,
  name: z.string().max(255).optional(),
  description: z.string().max(2000).optional(),
  eval_set_param: z.object({ eval_set_id: id64, version }),
  evaluator_params: z.array(z.object({ evaluator_id: id64, version })).max(20).optional(),
  eval_target_param: z.object({
    source_target_id: z.string().min(1).max(64),
    source_target_version: version,
    eval_target_type: targetType.optional().openapi({ description: "default coze_loop_prompt" }),
  }).optional().openapi({ description: "none: the evaluators read the set's columns only" }),
  target_field_mapping: targetFieldMapping.optional(),
  evaluator_field_mapping: z.array(evaluatorFieldMapping).max(20).optional(),
  eval_set_configs: z.array(z.unknown()).max(0).optional().openapi({
    description: "multi-set experiments are not supported: empty or absent",
  }),
  eval_set_source_type: z.enum(["single_set"]).optional(),
  item_concur_num: z.number().int().optional(),
  item_retry_num: z.number().int().optional(),
  pass_thresholds: z.array(oapiThresholdIn).max(20).optional(),
}).openapi("SubmitExperimentOApiRequest");

const filterFieldType = z.enum(["expt_status", "eval_set_id", "creator_by"]).openapi({
  description: "the filters this server applies (others are refused)",
});

/** ListExperimentsOApiRequest. */
export const oapiListBody = z.object({
  workspace_id: id64,
  page_number: z.number().int().optional(),
  page_size: z.number().int().optional(),
  filter_option: z.object({
    fuzzy_name: z.string().max(255).optional(),
    filters: z.object({
      filter_conditions: z.array(z.object({
        field: z.object({ field_type: filterFieldType, field_key: z.string().max(255).optional() }),
        operator: z.enum(["equal", "in"]).optional(),
        value: z.string().max(4096).openapi({
          description: "comma-separated; statuses by name (success) or number (11)",
        }),
      })).max(20).optional(),
      logic_op: z.enum(["and"]).optional().openapi({ description: "conditions all hold" }),
    }).optional(),
  }).optional(),
  order_bys: z.array(z.object({
    field: z.enum(["created_at"]).optional(),
    is_asc: z.literal(false).optional(),
  })).max(1).optional().openapi({ description: "newest first is the only order" }),
}).openapi("ListExperimentsOApiRequest");

const userInfo = z.object({ user_id: z.string() });
const baseInfo = z.object({
  created_by: userInfo,
  updated_by: userInfo,
  created_at: int64.openapi({ description: "epoch ms" }),
  updated_at: int64.openapi({ description: "epoch ms" }),
});
const mappingOut = z.object({ field_name: z.string(), from_field_name: z.string() });

/** The OpenAPI's Experiment. */
export const oapiExperimentOut = z.object({
  id: int64,
  name: z.string(),
  description: z.string(),
  status: statusEnum,
  status_message: z.string().openapi({ description: "beyond the IDL: why it failed" }),
  started_at: int64.optional().openapi({ description: "epoch seconds" }),
  ended_at: int64.optional().openapi({ description: "epoch seconds" }),
  item_concur_num: z.number().int(),
  item_retry_num: z.number().int(),
  target_field_mapping: z.object({ from_eval_set: z.array(mappingOut) }),
  evaluator_field_mapping: z.array(z.object({
    evaluator_id: int64,
    version: z.string(),
    from_eval_set: z.array(mappingOut),
    from_target: z.array(mappingOut),
  })),
  eval_set: z.object({
    id: int64,
    name: z.string(),
    description: z.string(),
    current_version: z.object({
      id: int64,
      version: z.string(),
      description: z.string(),
      item_count: int64,
    }).openapi({ description: "the version the experiment runs" }),
  }).optional(),
  eval_target: z.object({
    id: int64,
    workspace_id: int64,
    source_target_id: z.string(),
    eval_target_type: z.string(),
    eval_target_version: z.object({
      id: int64,
      workspace_id: int64,
      target_id: int64,
      source_target_version: z.string(),
    }),
  }).optional(),
  evaluator_id_version_list: z.array(z.object({
    evaluator_id: int64,
    version: z.string(),
    evaluator_version_id: int64,
  })),
  expt_stats: z.object({
    pending_turn_count: z.number().int(),
    success_turn_count: z.number().int(),
    failed_turn_count: z.number().int(),
    terminated_turn_count: z.number().int(),
    processing_turn_count: z.number().int(),
  }),
  total_item_count: int64,
  eval_set_source_type: z.literal("single_set"),
  pass_thresholds: z.array(z.object({
    evaluator_id: int64.optional(),
    version: z.string().optional(),
    evaluator_version_id: int64,
    min_score: z.number(),
  })).openapi({ description: "beyond the IDL: aggr_results says whether they are reached" }),
  base_info: baseInfo,
}).openapi("OApiExperiment");

type Wire = Record<string, unknown>;

const mappings = (list: { field_name?: string; from_field_name?: string }[] = []) =>
  list.map((m) => ({ field_name: m.field_name ?? "", from_field_name: m.from_field_name ?? "" }));

/** An experiment as the OpenAPI's Experiment. */
export function experimentToOapi(d: ExperimentDetail): Wire {
  const e = d.experiment;
  const c = d.counts;
  const secs = (ms: number) => String(Math.floor(ms / 1000));
  const ev = (id: bigint | string) => d.evaluators.get(`${id}`);
  const t = d.target;
  return {
    id: `${e.id}`,
    name: e.name,
    description: e.description,
    status: STATUS_NAMES[e.status] ?? "pending",
    status_message: e.statusMessage,
    ...(e.startAt ? { started_at: secs(e.startAt) } : {}),
    ...(e.endAt ? { ended_at: secs(e.endAt) } : {}),
    item_concur_num: e.itemConcurNum,
    item_retry_num: e.itemRetryNum,
    target_field_mapping: { from_eval_set: mappings(e.targetFieldMapping.from_eval_set) },
    evaluator_field_mapping: e.evaluatorFieldMapping.flatMap((m) => {
      const x = ev(m.evaluator_version_id);
      return x
        ? [{
          evaluator_id: `${x.evaluatorId}`,
          version: x.version,
          from_eval_set: mappings(m.from_eval_set),
          from_target: mappings(m.from_target),
        }]
        : [];
    }),
    ...(d.evalSet
      ? {
        eval_set: {
          id: `${e.evalSetId}`,
          name: d.evalSet.name,
          description: d.evalSet.description,
          current_version: {
            id: `${e.evalSetVersionId}`,
            version: d.evalSet.version,
            description: d.evalSet.versionDescription,
            item_count: `${d.evalSet.itemCount}`,
          },
        },
      }
      : {}),
    ...(t?.id && t.version?.id
      ? {
        eval_target: {
          id: `${t.id}`,
          workspace_id: `${t.workspaceId}`,
          source_target_id: t.sourceTargetId,
          eval_target_type: targetTypeName[t.targetType] ?? `${t.targetType}`,
          eval_target_version: {
            id: `${t.version.id}`,
            workspace_id: `${t.workspaceId}`,
            target_id: `${t.id}`,
            source_target_version: t.version.sourceTargetVersion ?? "",
          },
        },
      }
      : {}),
    evaluator_id_version_list: e.evaluatorVersionIds.flatMap((id) => {
      const x = ev(id);
      return x
        ? [{ evaluator_id: `${x.evaluatorId}`, version: x.version, evaluator_version_id: `${id}` }]
        : [];
    }),
    expt_stats: {
      pending_turn_count: c.pending,
      success_turn_count: c.success,
      failed_turn_count: c.fail,
      terminated_turn_count: c.terminated,
      processing_turn_count: c.processing,
    },
    total_item_count: String(c.pending + c.processing + c.success + c.fail + c.terminated),
    eval_set_source_type: "single_set",
    pass_thresholds: e.passThresholds.map((p) => {
      const x = ev(p.evaluator_version_id);
      return {
        ...(x ? { evaluator_id: `${x.evaluatorId}`, version: x.version } : {}),
        evaluator_version_id: p.evaluator_version_id,
        min_score: p.min_score,
      };
    }),
    base_info: {
      created_by: { user_id: `${e.createdBy}` },
      updated_by: { user_id: `${e.createdBy}` },
      created_at: String(e.createdAt.getTime()),
      updated_at: String(e.updatedAt.getTime()),
    },
  };
}
