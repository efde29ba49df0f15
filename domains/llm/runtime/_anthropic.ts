/**
 * Anthropic's messages API (protocol claude) through the official `@anthropic-ai/sdk`:
 * requests built from the neutral messages, answers and stream events mapped back to the
 * OpenAI-style shapes the rest of the runtime speaks.
 */
import Anthropic from "@anthropic-ai/sdk";
import { NO_KEY, type Provider, type ProviderDeps, truncatedStream } from "./_provider.ts";
import { toAnthropicParams } from "./_anthropic_request.ts";
import type { ChatChunk, ChatRequest, ChatResult, ToolCall, Usage } from "./types.ts";

type StreamEvent = Anthropic.RawMessageStreamEvent;

// The SDK's own per-attempt timeout: the runtime enforces the real one with its signal. Set
// explicitly because without it the SDK refuses non-streamed calls with a large max_tokens.
const SDK_TIMEOUT_MS = 10 * 60_000;

/**
 * The adapter for protocol claude. The SDK reads ANTHROPIC_CUSTOM_HEADERS when a client is
 * built, without catching a permission error: the process needs env access to it.
 */
export function createAnthropicProvider(deps: ProviderDeps): Provider {
  const client = (req: ChatRequest): Anthropic =>
    new Anthropic({
      // The SDK appends /v1/messages; catalogues often give the base with /v1 already.
      baseURL: req.model.baseUrl.replace(/\/+$/, "").replace(/\/v1$/, ""),
      apiKey: req.model.apiKey || NO_KEY,
      // Explicit null: otherwise ANTHROPIC_AUTH_TOKEN from the environment is sent too.
      authToken: null,
      webhookKey: null,
      defaultHeaders: req.model.apiKey ? undefined : { "x-api-key": null },
      fetch: deps.fetch,
      maxRetries: deps.maxRetries,
      timeout: SDK_TIMEOUT_MS,
      logLevel: "off",
      // Our own spans cover LLM calls.
      openTelemetry: false,
    });

  return {
    async chat(req, signal) {
      const body = toAnthropicParams(req, deps.logger);
      const message = await client(req).messages.create(body, { signal });
      return fromMessage(message);
    },
    async *stream(req, signal) {
      const body = { ...toAnthropicParams(req, deps.logger), stream: true as const };
      const events = await client(req).messages.create(body, { signal });
      const state = newStreamState();
      for await (const event of events) {
        const chunk = fromEvent(event, state);
        if (chunk) yield chunk;
      }
      if (!state.stop) throw truncatedStream(req.model.model);
      yield {
        message: { role: "assistant" },
        finish_reason: finishReason(state.stop),
        usage: state.usage,
      };
    },
  };
}

/** OpenAI's words for Anthropic's stop reasons, as the wire uses them. */
function finishReason(stop: string): string {
  switch (stop) {
    case "end_turn":
    case "stop_sequence":
    case "pause_turn":
      return "stop";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      return stop;
  }
}

// Anthropic counts cached prompt tokens apart from input_tokens; callers want the total.
function inputTokens(u: {
  input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}): number {
  return (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) +
    (u.cache_read_input_tokens ?? 0);
}

function fromMessage(m: Anthropic.Message): ChatResult {
  let content = "";
  let reasoning = "";
  const calls: ToolCall[] = [];
  for (const block of m.content) {
    if (block.type === "text") content += block.text;
    else if (block.type === "thinking") reasoning += block.thinking;
    else if (block.type === "tool_use") {
      calls.push({
        index: calls.length,
        id: block.id,
        type: "function",
        function_call: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      });
    }
  }
  return {
    message: {
      role: "assistant",
      content,
      ...(reasoning ? { reasoning_content: reasoning } : {}),
      ...(calls.length ? { tool_calls: calls } : {}),
    },
    finish_reason: finishReason(m.stop_reason ?? "end_turn"),
    usage: { input_tokens: inputTokens(m.usage), output_tokens: m.usage.output_tokens ?? 0 },
  };
}

interface StreamState {
  usage: Usage;
  stop?: string;
  /** Content block index -> tool call index (tool calls count from 0 among tool_use blocks). */
  tools: Map<number, number>;
}

function newStreamState(): StreamState {
  return { usage: { input_tokens: 0, output_tokens: 0 }, tools: new Map() };
}

function fromEvent(e: StreamEvent, s: StreamState): ChatChunk | undefined {
  switch (e.type) {
    case "message_start":
      s.usage = {
        input_tokens: inputTokens(e.message.usage),
        output_tokens: e.message.usage.output_tokens ?? 0,
      };
      return undefined;
    case "content_block_start": {
      const b = e.content_block;
      if (b.type === "text") return b.text ? delta({ content: b.text }) : undefined;
      if (b.type === "thinking") {
        return b.thinking ? delta({ reasoning_content: b.thinking }) : undefined;
      }
      if (b.type !== "tool_use") return undefined;
      const index = s.tools.size;
      s.tools.set(e.index, index);
      // Some compatible servers send the whole input here instead of as json deltas.
      const input = b.input && Object.keys(b.input).length ? JSON.stringify(b.input) : "";
      return delta({ tool_calls: [toolDelta(index, b.id, b.name, input)] });
    }
    case "content_block_delta": {
      const d = e.delta;
      if (d.type === "text_delta") return d.text ? delta({ content: d.text }) : undefined;
      if (d.type === "thinking_delta") {
        return d.thinking ? delta({ reasoning_content: d.thinking }) : undefined;
      }
      if (d.type !== "input_json_delta" || !d.partial_json) return undefined;
      const index = s.tools.get(e.index) ?? 0;
      return delta({ tool_calls: [toolDelta(index, "", "", d.partial_json)] });
    }
    case "message_delta":
      if (e.delta.stop_reason) s.stop = e.delta.stop_reason;
      if (e.usage.input_tokens != null) s.usage.input_tokens = inputTokens(e.usage);
      if (e.usage.output_tokens != null) s.usage.output_tokens = e.usage.output_tokens;
      return undefined;
    default:
      return undefined;
  }
}

function delta(message: Omit<ChatChunk["message"], "role">): ChatChunk {
  return { message: { role: "assistant", ...message } };
}

function toolDelta(index: number, id: string, name: string, args: string): ToolCall {
  return { index, id, type: "function", function_call: { name, arguments: args } };
}
