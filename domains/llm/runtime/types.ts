/**
 * The provider-neutral shapes of the LLM runtime. Messages, tool calls and usage keep the
 * field names of Coze Loop's wire (WIRE.md: execute and its SSE events) so that the prompt
 * hub can hand them to the SDKs without renaming anything.
 */
import type { Logger } from "../../../infra/log.ts";
import type { ModelConfig } from "../types.ts";

/** Who said a message. */
export type ChatRole = "system" | "user" | "assistant" | "tool";

/** One part of a multi-modal message. */
export type ContentPart =
  | { type: "text"; text: string }
  | { type: "image_url"; image_url: { url: string } };

/**
 * A function call the model asked for, in the wire's shape. In stream deltas `id` and `name`
 * are set on a call's first fragment only (empty strings after) and `arguments` is a fragment
 * to append; a full message carries complete values.
 */
export interface ToolCall {
  index: number;
  id: string;
  type: "function";
  function_call: { name: string; arguments: string };
}

/** One message of a conversation. `parts` (when given) replaces `content`. */
export interface ChatMessage {
  role: ChatRole;
  content?: string;
  parts?: ContentPart[];
  reasoning_content?: string;
  /** On a `tool` message: the id of the call it answers. */
  tool_call_id?: string;
  /** On an `assistant` message: the calls it made. */
  tool_calls?: ToolCall[];
}

/** A function the model may call; `parameters` is a JSON schema as a string, like the wire. */
export interface ToolDef {
  type: "function";
  function: { name: string; description?: string; parameters?: string };
}

/** Whether and which tool the model must call. */
export type ToolChoice = "auto" | "none" | { name: string };

/** Sampling parameters (the prompt's `llm_config`); absent ones are left to the provider. */
export interface ChatParams {
  temperature?: number;
  max_tokens?: number;
  top_p?: number;
  top_k?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  /** Ask for a JSON object answer (OpenAI-compatible only; Anthropic has no such switch). */
  json_mode?: boolean;
}

/** One call to a model. */
export interface ChatRequest {
  /** From `catalogue.resolve(modelId)`: the runtime needs its protocol, url and api key. */
  model: ModelConfig;
  messages: ChatMessage[];
  tools?: ToolDef[];
  toolChoice?: ToolChoice;
  params?: ChatParams;
  /** Aborts the provider call, e.g. when the client that asked for it disconnects. */
  signal?: AbortSignal;
  /** Overrides the runtime's default; for streams it bounds each wait for the next chunk. */
  timeoutMs?: number;
}

/** Tokens a call consumed, as the provider counted them. */
export interface Usage {
  input_tokens: number;
  output_tokens: number;
}

/** The model's complete answer. */
export interface ChatResult {
  message: {
    role: "assistant";
    content: string;
    reasoning_content?: string;
    tool_calls?: ToolCall[];
  };
  /** The provider's reason in OpenAI's words: stop, length, tool_calls, content_filter... */
  finish_reason: string;
  usage: Usage;
  /** For a non-streamed call the first token arrives with the last: the whole latency. */
  latencyFirstTokenMs?: number;
}

/**
 * One piece of a streamed answer: deltas as the provider sends them. Only the last chunk has
 * `finish_reason` and `usage` (zeros when the provider reported none).
 */
export interface ChatChunk {
  message: {
    role: "assistant";
    content?: string;
    reasoning_content?: string;
    tool_calls?: ToolCall[];
  };
  finish_reason?: string;
  usage?: Usage;
}

/** Calls models, whatever their provider. Every failure is an AppError with an llm code. */
export interface LlmRuntime {
  /** The whole answer at once. */
  chat(req: ChatRequest): Promise<ChatResult>;
  /**
   * The answer as it is generated. A failure after some chunks is thrown by the iterator once
   * they have been delivered; stopping the iteration early aborts the provider call.
   */
  stream(req: ChatRequest): AsyncIterable<ChatChunk>;
}

/** Options of `createLlmRuntime`. */
export interface LlmRuntimeOptions {
  /** The fetch the provider clients use (default: the global one). */
  fetch?: typeof fetch;
  /** Per-call timeout when a request sets none (default 120 s). */
  defaultTimeoutMs?: number;
  /** Retries of a failed request before any answer arrived (5xx, 429, network); default 1. */
  maxRetries?: number;
  logger?: Logger;
  /** Called after every successful call, for metering; its errors are logged, not thrown. */
  onUsage?: (modelId: bigint, usage: Usage, latencyMs: number) => void;
}
