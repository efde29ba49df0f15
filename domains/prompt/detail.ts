/**
 * PromptDetail (the IDL's: template, tools, tool call config, model config) as stored in a
 * draft or a commit, validated with zod. Unknown fields are refused so typos do not vanish
 * silently; sizes are bounded so one prompt cannot hold megabytes of messages.
 */
import { z } from "zod";
import { invalidParam } from "../errors.ts";
import { checkStoredDepth } from "../json_depth.ts";

const MAX_DETAIL_BYTES = 1024 * 1024;

const part = z.object({
  type: z.enum(["text", "image_url", "video_url", "base64_data", "multi_part_variable"]),
  text: z.string().optional(),
  image_url: z.object({ uri: z.string().optional(), url: z.string().optional() }).optional(),
  video_url: z.object({ uri: z.string().optional(), url: z.string().optional() }).optional(),
  base64_data: z.string().optional(),
  media_config: z.object({ fps: z.number().min(0.2).max(5).optional() }).optional(),
  signature: z.string().optional(),
}).strict();

const toolCall = z.object({
  index: z.union([z.number().int(), z.string().regex(/^\d+$/)]).optional(),
  id: z.string().optional(),
  type: z.enum(["function", "google_search"]).optional(),
  function_call: z.object({ name: z.string().optional(), arguments: z.string().optional() })
    .strict().optional(),
  signature: z.string().optional(),
}).strict();

/** A template message. */
export const messageSchema = z.object({
  role: z.enum(["system", "user", "assistant", "tool", "placeholder"]),
  reasoning_content: z.string().optional(),
  content: z.string().optional(),
  parts: z.array(part).max(100).optional(),
  tool_call_id: z.string().optional(),
  tool_calls: z.array(toolCall).max(100).optional(),
  skip_render: z.boolean().optional(),
  signature: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
}).strict();

const variableDef = z.object({
  key: z.string().min(1).max(128),
  desc: z.string().max(1024).optional(),
  type: z.string().max(32).optional(),
  type_tags: z.array(z.string()).optional(),
}).strict();

/** A tool. */
export const toolSchema = z.object({
  type: z.enum(["function", "google_search"]).optional(),
  function: z.object({
    name: z.string().min(1).max(128),
    description: z.string().max(4096).optional(),
    parameters: z.string().max(65_536).optional(),
  }).strict().optional(),
}).strict();

/** Tool choice. */
export const toolCallConfigSchema = z.object({
  tool_choice: z.enum(["none", "auto", "specific"]).optional(),
  tool_choice_specification: z.object({
    type: z.enum(["function", "google_search"]).optional(),
    name: z.string().optional(),
  }).strict().optional(),
}).strict();

/** Model settings of a prompt (ids as strings or numbers on the wire). */
export const modelConfigSchema = z.object({
  model_id: z.union([z.string().regex(/^\d{1,19}$/), z.number().int()]).optional(),
  max_tokens: z.number().int().min(1).max(1_000_000).optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_k: z.number().int().min(0).optional(),
  top_p: z.number().min(0).max(1).optional(),
  presence_penalty: z.number().min(-2).max(2).optional(),
  frequency_penalty: z.number().min(-2).max(2).optional(),
  json_mode: z.boolean().optional(),
  extra: z.string().optional(),
  thinking: z.object({}).passthrough().optional(),
  param_config_values: z.array(z.object({}).passthrough()).optional(),
}).strict();

/** PromptDetail. */
export const detailSchema = z.object({
  prompt_template: z.object({
    template_type: z.enum(["normal", "jinja2"]).optional(),
    messages: z.array(messageSchema).max(200).optional(),
    variable_defs: z.array(variableDef).max(200).optional(),
    has_snippet: z.boolean().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
  }).strict().optional(),
  tools: z.array(toolSchema).max(128).optional(),
  tool_call_config: toolCallConfigSchema.optional(),
  model_config: modelConfigSchema.optional(),
  mcp_config: z.object({}).passthrough().optional(),
  ext_infos: z.record(z.string(), z.string()).optional(),
}).strict();

/** A validated PromptDetail. */
export type PromptDetail = z.infer<typeof detailSchema>;

/** Validates a detail from a request; `field` names it in errors. */
export function parseDetail(v: unknown, field: string): PromptDetail {
  if (v === undefined || v === null) return {};
  checkStoredDepth(v, field);
  const r = detailSchema.safeParse(v);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw invalidParam([field, ...issue.path].join("."), issue.message);
  }
  if (JSON.stringify(r.data).length > MAX_DETAIL_BYTES) {
    throw invalidParam(field, `larger than ${MAX_DETAIL_BYTES} bytes`);
  }
  return r.data;
}
