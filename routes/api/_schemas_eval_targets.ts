/**
 * Request and answer schemas of the evaluation target routes, after the IDL
 * (coze.loop.evaluation.eval_target.thrift, domain/eval_target.thrift): EvalTarget,
 * EvalTargetVersion, EvalTargetContent (the prompt, input and output schemas) and
 * EvalTargetRecord, with the conversions of the domain's views to them.
 */
import { z } from "@hono/zod-openapi";
import type { Stamp, TargetVersionView, TargetView } from "../../domains/evaluation/targets.ts";
import type { EvalTargetVersion, TargetRunOutput } from "../../domains/evaluation/target_types.ts";
import { int64 } from "../_wire/routes.ts";

const ms = int64.openapi({ description: "epoch ms" });

/** An EvalTargetType (2 CozeLoopPrompt is the one this server runs). */
export const targetTypeIn = z.number().int().min(0).max(1000).openapi({
  description: "EvalTargetType: 2 CozeLoopPrompt (the only type served here); 1 CozeBot, " +
    "4 CozeWorkflow, ... are refused",
  example: 2,
});

/** An EvalTargetType in a query string. */
export const targetTypeQuery = z.union([
  z.number().int(),
  z.string().regex(/^\d{1,4}$/).transform(Number),
]).openapi({ type: "integer", example: 2 });

/** A source object's id (a prompt id, as a string). */
export const sourceIdIn = z.string().max(64).openapi({ example: "7300000000000000001" });

/** The IDL's SharedResourceOption: sharing across workspaces is not served. */
export const sharedOptionIn = z.object({
  is_shared: z.boolean().optional(),
  source_space_id: z.union([z.string().max(20), z.number().int()]).optional(),
}).refine((o) => o.is_shared !== true, "resources shared across workspaces are not supported");

const mediaIn = z.object({
  name: z.string().max(1024).optional(),
  url: z.string().max(8192).optional(),
  uri: z.string().max(1024).optional(),
  thumb_url: z.string().max(8192).optional(),
});
const contentBase = {
  content_type: z.string().max(32).optional(),
  format: z.number().int().optional(),
  text: z.string().max(4 * 1024 * 1024).optional(),
  image: mediaIn.optional(),
};
/** Content as sent (Text, Image or MultiPart of those). */
export const contentIn = z.object({
  ...contentBase,
  multi_part: z.array(z.object(contentBase)).max(100).optional(),
}).openapi("EvalTargetContentValueIn");

/** EvalTargetInputData: input fields by key, history, ext. */
export const inputDataIn = z.object({
  history_messages: z.array(z.object({
    role: z.union([z.number().int().min(1).max(4), z.enum(["system", "user", "assistant", "tool"])])
      .optional(),
    content: contentIn.optional(),
    ext: z.record(z.string(), z.string()).optional(),
  })).max(200).optional(),
  input_fields: z.record(z.string().max(128), contentIn).refine(
    (r) => Object.keys(r).length <= 200,
    "at most 200 fields",
  ).optional(),
  ext: z.record(z.string().max(128), z.string().max(65_536)).optional().openapi({
    description: "builtin_runtime_param: JSON {model_config: {model_id, temperature, " +
      "max_tokens, top_p}} overriding the prompt's model settings",
  }),
}).openapi("EvalTargetInputData");

const baseInfoOut = z.object({
  created_by: z.object({ user_id: z.string() }).strict().optional(),
  updated_by: z.object({ user_id: z.string() }).strict().optional(),
  created_at: ms.optional(),
  updated_at: ms.optional(),
  deleted_at: ms.optional().openapi({ description: "set when the source prompt is gone" }),
}).strict().openapi("EvalTargetBaseInfo");

const argsSchemaOut = z.object({
  key: z.string(),
  support_content_types: z.array(z.string()),
  json_schema: z.string(),
}).strict().openapi("EvalTargetArgsSchema");

const promptOut = z.object({
  prompt_id: z.string(),
  version: z.string().optional(),
  prompt_key: z.string().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  submit_status: z.number().int().optional().openapi({ description: "1 uncommitted, 2 committed" }),
}).strict().openapi("EvalPrompt");

const contentOut = z.object({
  input_schemas: z.array(argsSchemaOut).optional(),
  output_schemas: z.array(argsSchemaOut).optional(),
  runtime_param_json_demo: z.string().optional(),
  prompt: promptOut.optional(),
}).strict().openapi("EvalTargetContent");

/** EvalTargetVersion. */
export const versionOut = z.object({
  id: int64.optional(),
  workspace_id: int64,
  target_id: int64.optional(),
  source_target_version: z.string().optional(),
  eval_target_content: contentOut,
  base_info: baseInfoOut.optional(),
}).strict().openapi("EvalTargetVersion");

/** EvalTarget. */
export const targetOut = z.object({
  id: int64.optional(),
  workspace_id: int64,
  source_target_id: z.string(),
  eval_target_type: z.number().int(),
  eval_target_version: versionOut.optional(),
  base_info: baseInfoOut.optional(),
}).strict().openapi("EvalTarget");

const contentValueOut = z.record(z.string(), z.unknown()).openapi("EvalTargetContentValue", {
  description: "Content: {content_type: Text|Image|MultiPart, text?, image?, multi_part?}",
});

/** EvalTargetRecord (of a run that is not stored: no id). */
export const recordOut = z.object({
  workspace_id: int64,
  target_id: int64,
  target_version_id: int64,
  experiment_run_id: int64.optional(),
  trace_id: z.string(),
  eval_target_input_data: z.record(z.string(), z.unknown()),
  eval_target_output_data: z.object({
    output_fields: z.record(z.string(), contentValueOut),
    eval_target_usage: z.object({
      input_tokens: int64,
      output_tokens: int64,
      total_tokens: int64,
    }).strict(),
    eval_target_run_error: z.object({ code: z.number().int(), message: z.string() }).strict()
      .optional(),
    time_consuming_ms: int64,
  }).strict(),
  status: z.number().int().openapi({ description: "1 Success, 2 Fail" }),
  base_info: baseInfoOut,
}).strict().openapi("EvalTargetRecord");

function baseInfo(s: Stamp | undefined, deleted: boolean): Record<string, unknown> | undefined {
  if (!s && !deleted) return undefined;
  return {
    ...(s
      ? {
        created_by: { user_id: s.createdBy.toString() },
        updated_by: { user_id: s.updatedBy.toString() },
        created_at: String(s.createdAt.getTime()),
        updated_at: String(s.updatedAt.getTime()),
      }
      : {}),
    ...(deleted ? { deleted_at: "1" } : {}),
  };
}

/** A target version on the wire. */
export function versionView(v: TargetVersionView): Record<string, unknown> {
  const base = baseInfo(v.stamp, false);
  return {
    ...(v.id !== undefined ? { id: v.id } : {}),
    workspace_id: v.workspaceId,
    ...(v.targetId !== undefined ? { target_id: v.targetId } : {}),
    ...(v.sourceTargetVersion !== undefined
      ? { source_target_version: v.sourceTargetVersion }
      : {}),
    eval_target_content: v.content,
    ...(base ? { base_info: base } : {}),
  };
}

/** A target (with its version, when the view has one) on the wire. */
export function targetView(t: TargetView): Record<string, unknown> {
  const base = baseInfo(t.stamp, t.sourceDeleted ?? false);
  return {
    ...(t.id !== undefined ? { id: t.id } : {}),
    workspace_id: t.workspaceId,
    source_target_id: t.sourceTargetId,
    eval_target_type: t.targetType,
    ...(t.version ? { eval_target_version: versionView(t.version) } : {}),
    ...(base ? { base_info: base } : {}),
  };
}

/** A run's record on the wire. */
export function recordView(
  v: EvalTargetVersion,
  input: unknown,
  o: TargetRunOutput,
  extra: { experimentRunId?: bigint; userId: bigint },
): Record<string, unknown> {
  const at = String(Date.now());
  return {
    workspace_id: v.workspaceId,
    target_id: v.targetId,
    target_version_id: v.id,
    ...(extra.experimentRunId !== undefined ? { experiment_run_id: extra.experimentRunId } : {}),
    trace_id: o.traceId,
    eval_target_input_data: input as Record<string, unknown>,
    eval_target_output_data: {
      output_fields: o.output,
      eval_target_usage: {
        input_tokens: String(o.tokens.input),
        output_tokens: String(o.tokens.output),
        total_tokens: String(o.tokens.input + o.tokens.output),
      },
      ...(o.error ? { eval_target_run_error: o.error } : {}),
      time_consuming_ms: String(o.latencyMs),
    },
    status: o.status === "success" ? 1 : 2,
    base_info: {
      created_by: { user_id: extra.userId.toString() },
      updated_by: { user_id: extra.userId.toString() },
      created_at: at,
      updated_at: at,
    },
  };
}
