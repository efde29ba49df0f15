/**
 * Request and answer schemas of the evaluator routes, and the conversions of evaluators,
 * versions and run records to the wire (the IDL's evaluator.thrift; content types are strings
 * here: "Text", "Image", "MultiPart"). Evaluator content is validated by the domain.
 */
import { z } from "@hono/zod-openapi";
import type { EvaluatorView } from "../../domains/evaluation/evaluators.ts";
import type {
  Evaluator,
  EvaluatorRecord,
  EvaluatorVersion,
} from "../../domains/evaluation/types.ts";
import { int64 } from "../_wire/routes.ts";

const ms = int64.openapi({ description: "epoch ms" });

/** A boolean in a query string. */
export const queryBool = z.union([
  z.boolean(),
  z.enum(["true", "false"]).transform((v) => v === "true"),
]);

/** EvaluatorType: 1 LLM judge, 2 code. */
export const evaluatorType = z.union([z.literal(1), z.literal(2)]).openapi({
  type: "integer",
  enum: [1, 2],
  description: "1 LLM judge (Prompt), 2 Code",
});

/** Content (the domain checks it): the IDL's EvaluatorContent. */
export const contentIn = z.record(z.string(), z.unknown()).openapi("EvaluatorContentIn", {
  description: "EvaluatorContent: receive_chat_history, input_schemas, output_schemas, " +
    "prompt_evaluator {message_list, model_config, tools} or code_evaluator " +
    "{language_type: Python|JS, code_content}",
});

const contentValue = z.record(z.string(), z.unknown()).openapi("EvaluatorContentValue", {
  description: "Content: {content_type: Text|Image|MultiPart, text?, image?, multi_part?}",
});

/** EvaluatorInputData. */
export const inputDataIn = z.object({
  history_messages: z.array(z.record(z.string(), z.unknown())).max(200).optional(),
  input_fields: z.record(z.string(), contentValue).optional(),
  evaluate_dataset_fields: z.record(z.string(), contentValue).optional(),
  evaluate_target_output_fields: z.record(z.string(), contentValue).optional(),
  ext: z.record(z.string(), z.string()).optional(),
}).openapi("EvaluatorInputData");

const baseInfoOut = z.object({
  created_by: z.object({ user_id: z.string() }).strict(),
  updated_by: z.object({ user_id: z.string() }).strict(),
  created_at: ms,
  updated_at: ms,
  deleted_at: ms.optional(),
}).strict().openapi("EvaluationBaseInfo");

/** EvaluatorVersion. */
export const versionOut = z.object({
  id: int64,
  version: z.string().openapi({ description: "empty for the draft" }),
  description: z.string(),
  base_info: baseInfoOut,
  evaluator_content: z.record(z.string(), z.unknown()),
}).strict().openapi("EvaluatorVersion");

/** Evaluator. */
export const evaluatorOut = z.object({
  evaluator_id: int64,
  workspace_id: int64,
  evaluator_type: z.number().int(),
  name: z.string(),
  description: z.string(),
  draft_submitted: z.boolean(),
  base_info: baseInfoOut,
  current_version: versionOut.optional(),
  latest_version: z.string(),
  builtin: z.boolean(),
  benchmark: z.string(),
  vendor: z.string(),
  tags: z.record(z.string(), z.array(z.string())),
}).strict().openapi("Evaluator");

/** EvaluatorOutputData. */
export const outputDataOut = z.object({
  evaluator_result: z.object({ score: z.number().optional(), reasoning: z.string() }).strict()
    .optional(),
  evaluator_usage: z.object({ input_tokens: int64, output_tokens: int64 }).strict(),
  evaluator_run_error: z.object({ code: z.number().int(), message: z.string() }).strict()
    .optional(),
  time_consuming_ms: int64,
  stdout: z.string().optional(),
}).strict().openapi("EvaluatorOutputData");

/** EvaluatorRecord (of a run that is not stored). */
export const recordOut = z.object({
  evaluator_version_id: int64,
  trace_id: z.string(),
  evaluator_input_data: z.record(z.string(), z.unknown()),
  evaluator_output_data: outputDataOut,
  status: z.number().int().openapi({ description: "1 Success, 2 Fail" }),
  ext: z.record(z.string(), z.string()),
}).strict().openapi("EvaluatorRecord");

const base = (
  at: { by: bigint; upBy: bigint; created: Date; updated: Date; deleted?: number },
) => ({
  created_by: { user_id: at.by.toString() },
  updated_by: { user_id: at.upBy.toString() },
  created_at: String(at.created.getTime()),
  updated_at: String(at.updated.getTime()),
  ...(at.deleted ? { deleted_at: String(at.deleted) } : {}),
});

/** A version on the wire. */
export function versionView(v: EvaluatorVersion): Record<string, unknown> {
  return {
    id: v.id,
    version: v.version,
    description: v.description,
    base_info: base({
      by: v.createdBy,
      upBy: v.updatedBy,
      created: v.createdAt,
      updated: v.updatedAt,
    }),
    evaluator_content: v.content,
  };
}

/** An evaluator on the wire, with the version of the view as its current version. */
export function evaluatorView(view: EvaluatorView | Evaluator): Record<string, unknown> {
  const { evaluator: e, version } = "evaluator" in view
    ? view
    : { evaluator: view, version: undefined };
  return {
    evaluator_id: e.id,
    workspace_id: e.workspaceId,
    evaluator_type: e.type,
    name: e.name,
    description: e.description,
    draft_submitted: e.draftSubmitted,
    base_info: base({
      by: e.createdBy,
      upBy: e.updatedBy,
      created: e.createdAt,
      updated: e.updatedAt,
      deleted: e.deletedAt,
    }),
    ...(version ? { current_version: versionView(version) } : {}),
    latest_version: e.latestVersion,
    builtin: e.builtin,
    benchmark: e.benchmark,
    vendor: e.vendor,
    tags: {},
  };
}

/** A run's output data on the wire; a judge's unreadable answer is quoted in the error. */
export function outputDataView(r: EvaluatorRecord): Record<string, unknown> {
  const error = r.error && {
    code: r.error.code,
    message: r.rawOutput !== undefined && r.score === undefined
      ? `${r.error.message}; the answer was: ${r.rawOutput.slice(0, 2000)}`
      : r.error.message,
  };
  return {
    ...(r.score !== undefined ? { evaluator_result: { score: r.score, reasoning: r.reason } } : {}),
    evaluator_usage: {
      input_tokens: String(r.tokens.input),
      output_tokens: String(r.tokens.output),
    },
    ...(error ? { evaluator_run_error: error } : {}),
    time_consuming_ms: String(r.latencyMs),
    ...(r.stdout !== undefined ? { stdout: r.stdout } : {}),
  };
}

/** A run's record on the wire (not stored: no id). */
export function recordView(
  versionId: bigint,
  input: unknown,
  r: EvaluatorRecord,
): Record<string, unknown> {
  return {
    evaluator_version_id: versionId,
    trace_id: r.traceId,
    evaluator_input_data: input as Record<string, unknown>,
    evaluator_output_data: outputDataView(r),
    status: r.status === "success" ? 1 : 2,
    ext: r.rawOutput !== undefined ? { raw_output: r.rawOutput } : {},
  };
}
