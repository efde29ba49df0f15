/**
 * Answer schemas of the web prompt routes (convert_prompt.ts and the route modules): prompts,
 * drafts, commits, labels and the playground. Documentation only.
 */
import { z } from "@hono/zod-openapi";
import { detailSchema } from "../../domains/prompt/detail.ts";
import { int64 } from "../_wire/routes.ts";
import { assistantMessageOut, usageOut } from "../_wire/chat_schemas.ts";

const ms = int64.openapi({ description: "epoch ms" });

/**
 * `prompt.PromptDetail`: template, tools, tool call config, model config (rebuilt with this
 * module's zod: schemas made before the OpenAPI extension cannot be named).
 */
export const detailOut = z.object(detailSchema.shape).strict().openapi("PromptDetail");

/** `prompt.PromptBasic`. */
export const promptBasicOut = z.object({
  display_name: z.string(),
  description: z.string(),
  latest_version: z.string().openapi({ description: "empty before the first commit" }),
  created_by: z.string(),
  updated_by: z.string(),
  created_at: ms.optional(),
  updated_at: ms.optional(),
  latest_committed_at: ms.optional(),
  prompt_type: z.string(),
  security_level: z.string(),
}).strict().openapi("PromptBasic");

/** `prompt.CommitInfo`. */
export const commitInfoOut = z.object({
  version: z.string(),
  base_version: z.string(),
  description: z.string(),
  committed_by: z.string(),
  committed_at: ms.optional(),
}).strict().openapi("CommitInfo");

/** `prompt.DraftInfo`. */
export const draftInfoOut = z.object({
  user_id: z.string(),
  base_version: z.string(),
  is_modified: z.boolean(),
  created_at: ms.optional(),
  updated_at: ms.optional(),
}).strict().openapi("DraftInfo");

/** `prompt.Prompt`, with the caller's draft and/or a commit when asked for. */
export const promptOut = z.object({
  id: int64,
  workspace_id: int64,
  prompt_key: z.string(),
  prompt_basic: promptBasicOut,
  prompt_draft: z.object({ detail: detailOut, draft_info: draftInfoOut }).strict().optional(),
  prompt_commit: z.object({ detail: detailOut, commit_info: commitInfoOut }).strict().optional(),
}).strict().openapi("Prompt");

/** A label (`prompt.Label`). */
export const labelOut = z.object({ key: z.string() }).strict().openapi("Label");

/** One label move (`label_changes` of the label history). */
export const labelChangeOut = z.object({
  label_key: z.string(),
  from_version: z.string().openapi({ description: "empty when the label was new" }),
  to_version: z.string().openapi({ description: "empty when the label was removed" }),
  changed_by: z.string(),
  changed_at: ms,
}).strict().openapi("LabelChange");

/** One event of `debug_streaming` (`data: <this JSON>`). */
export const debugEventOut = z.object({
  delta: assistantMessageOut,
  finish_reason: z.string().optional(),
  usage: usageOut.optional(),
  debug_id: int64,
  debug_step: z.number().int(),
  debug_trace_key: z.string().openapi({
    description: "the run's trace id (32 hex digits): each step's span is in this trace",
  }),
}).strict().openapi("DebugStreamingEvent");

/** A playground run of the history. */
export const debugLogOut = z.object({
  id: int64,
  prompt_id: int64,
  workspace_id: int64,
  debug_id: int64,
  input_tokens: int64,
  output_tokens: int64,
  cost_ms: int64,
  status_code: z.number().int(),
  debugged_by: z.string(),
  started_at: ms,
  ended_at: ms,
}).strict().openapi("DebugLog");
