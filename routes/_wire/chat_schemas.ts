/**
 * Answer schemas of a model's answer (domains/llm/runtime/types.ts), shared by the playground
 * and the SDK execution routes. Documentation only.
 */
import { z } from "@hono/zod-openapi";

/** Token counts of a model call. */
export const usageOut = z.object({
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
}).strict().openapi("TokenUsage");

const toolCall = z.object({
  index: z.number().int(),
  id: z.string(),
  type: z.literal("function"),
  function_call: z.object({ name: z.string(), arguments: z.string() }).strict(),
}).strict().openapi("ToolCall");

/**
 * The model's message, or a streamed delta of it (in deltas a call's `id` and `name` come
 * with its first fragment, and `arguments` are fragments to append).
 */
export const assistantMessageOut = z.object({
  role: z.literal("assistant"),
  content: z.string().optional(),
  reasoning_content: z.string().optional(),
  tool_calls: z.array(toolCall).optional(),
}).strict().openapi("AssistantMessage");
