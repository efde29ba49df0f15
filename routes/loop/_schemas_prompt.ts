/**
 * Answer schemas of the SDK prompt routes: the `domain_openapi` prompt (openapi_prompt.ts:
 * content parts with plain URL strings), mget items, execution results and stream events, and
 * the prompt list. Documentation only.
 */
import { z } from "@hono/zod-openapi";
import { messageSchema, toolCallConfigSchema, toolSchema } from "../../domains/prompt/detail.ts";
import { PART_TYPES } from "../../domains/prompt/template/types.ts";
import { int64 } from "../_wire/routes.ts";
import { assistantMessageOut, usageOut } from "../_wire/chat_schemas.ts";

const ms = int64.openapi({ description: "epoch ms" });

const sdkPart = z.object({
  type: z.enum(PART_TYPES),
  text: z.string().optional(),
  image_url: z.string().optional(),
  image_uri: z.string().optional(),
  video_url: z.string().optional(),
  video_uri: z.string().optional(),
  base64_data: z.string().optional(),
  config: z.object({ fps: z.number().optional() }).strict().optional(),
  signature: z.string().optional(),
}).strict().openapi("SdkContentPart");

// Built with this module's zod (schemas made before the OpenAPI extension cannot be named).
const sdkMessage = z.object({ ...messageSchema.shape, parts: z.array(sdkPart).optional() })
  .strict().openapi("SdkMessage");

/** A prompt version as the SDKs read it (`domain_openapi` Prompt). */
export const sdkPromptOut = z.object({
  id: int64,
  workspace_id: int64,
  prompt_key: z.string(),
  version: z.string(),
  display_name: z.string(),
  description: z.string(),
  prompt_type: z.string(),
  prompt_template: z.object({
    template_type: z.enum(["normal", "jinja2"]),
    messages: z.array(sdkMessage),
    variable_defs: z.array(
      z.object({
        key: z.string(),
        desc: z.string(),
        type: z.string().optional(),
        type_tags: z.array(z.string()).optional(),
      }).strict(),
    ),
  }).strict(),
  tools: z.array(toolSchema),
  tool_call_config: toolCallConfigSchema.optional(),
  llm_config: z.object({
    temperature: z.number().optional(),
    max_tokens: z.number().int().optional(),
    top_k: z.number().int().optional(),
    top_p: z.number().optional(),
    presence_penalty: z.number().optional(),
    frequency_penalty: z.number().optional(),
    json_mode: z.boolean().optional(),
    id: int64.optional().openapi({ description: "the model's id" }),
  }).strict().optional(),
  created_at: ms,
  updated_at: ms,
}).strict().openapi("SdkPrompt");

/** `data` of mget: one item per query, in request order, the query echoed as sent. */
export const mgetDataOut = z.object({
  items: z.array(
    z.object({
      query: z.object({
        prompt_key: z.string(),
        version: z.string().optional(),
        label: z.string().optional(),
      }).strict(),
      prompt: sdkPromptOut,
    }).strict(),
  ),
}).strict();

/** `data` of execute. */
export const executeDataOut = z.object({
  message: assistantMessageOut,
  finish_reason: z.string(),
  usage: usageOut,
}).strict();

/** One event of execute_streaming (`data: <this JSON>`, no envelope). */
export const executeEventOut = z.object({
  message: assistantMessageOut,
  finish_reason: z.string().openapi({ description: "empty until the last event" }),
  usage: usageOut.optional(),
}).strict().openapi("ExecuteStreamingEvent");

/** `data` of the SDK prompt list (`domain_openapi` PromptBasic). */
export const promptListDataOut = z.object({
  prompts: z.array(
    z.object({
      id: int64,
      workspace_id: int64,
      prompt_key: z.string(),
      display_name: z.string(),
      description: z.string(),
      latest_version: z.string(),
      created_by: z.string(),
      updated_by: z.string(),
      created_at: ms,
      updated_at: ms,
      latest_committed_at: ms.optional(),
    }).strict().openapi("SdkPromptBasic"),
  ),
  total: z.number().int(),
}).strict();
