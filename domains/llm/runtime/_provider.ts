/**
 * What a provider adapter implements, and the message helpers both adapters share. An adapter
 * only translates; timeouts, cancellation, error mapping and metering are the runtime's.
 */
import type { Logger } from "../../../infra/log.ts";
import { AppError, Codes } from "../../errors.ts";
import type { ChatChunk, ChatMessage, ChatRequest, ChatResult, ToolDef } from "./types.ts";

/** A provider's translation of chat calls to its API. */
export interface Provider {
  /** The complete answer; `signal` aborts the HTTP request. */
  chat(req: ChatRequest, signal: AbortSignal): Promise<ChatResult>;
  /** The answer as deltas, the last one with finish_reason and usage. */
  stream(req: ChatRequest, signal: AbortSignal): AsyncIterable<ChatChunk>;
}

/** What adapters are built with. */
export interface ProviderDeps {
  fetch?: typeof fetch;
  maxRetries: number;
  logger?: Logger;
}

/** Stands in for the key of a model that needs none: both SDKs refuse to build without one. */
export const NO_KEY = "no-key";

/** The text of a message: its content, or its text parts joined. */
export function textOf(m: ChatMessage): string {
  if (!m.parts?.length) return m.content ?? "";
  return m.parts.flatMap((p) => p.type === "text" ? [p.text] : []).join("");
}

/** A tool's JSON schema, parsed; an empty object schema when it has none. */
export function toolSchema(tool: ToolDef): Record<string, unknown> {
  const text = tool.function.parameters?.trim();
  if (!text) return { type: "object", properties: {} };
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch {
    schema = undefined;
  }
  if (!schema || typeof schema !== "object" || Array.isArray(schema)) {
    throw new AppError(
      Codes.llmInvalidRequest,
      `tool "${tool.function.name}": parameters is not a JSON schema object`,
    );
  }
  return schema as Record<string, unknown>;
}

/** Parses a tool call's arguments for providers that want an object (Anthropic). */
export function toolArguments(name: string, args: string): Record<string, unknown> {
  if (!args.trim()) return {};
  try {
    const value = JSON.parse(args);
    if (value && typeof value === "object" && !Array.isArray(value)) return value;
  } catch {
    // reported below
  }
  throw new AppError(
    Codes.llmInvalidRequest,
    `tool call "${name}": arguments are not a JSON object`,
  );
}

/** The error for a stream that ended without a finish reason: the provider stopped early. */
export function truncatedStream(model: string): AppError {
  return new AppError(
    Codes.llmCallFailed,
    `LLM call to model "${model}" failed: the provider ended the stream before the answer`,
  );
}
