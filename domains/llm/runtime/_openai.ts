/**
 * OpenAI-compatible chat completions (openai, ark, deepseek, qwen, ollama, qianfan, gemini,
 * arkbot) through the official `openai` client, pointed at the model's base_url.
 */
import OpenAI from "openai";
import { AppError, Codes } from "../../errors.ts";
import {
  NO_KEY,
  type Provider,
  type ProviderDeps,
  textOf,
  toolSchema,
  truncatedStream,
} from "./_provider.ts";
import type { ChatChunk, ChatMessage, ChatRequest, ChatResult, ToolCall, Usage } from "./types.ts";

type Params = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
type MessageParam = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type ContentPart = OpenAI.Chat.Completions.ChatCompletionContentPart;
type Completion = OpenAI.Chat.Completions.ChatCompletion;
type ChunkDelta = OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta;

// deepseek (and the providers copying it: qwen, ark, ollama...) put the chain of thought in a
// field the OpenAI types do not know.
type WithReasoning<T> = T & { reasoning_content?: string | null };

// top_k is not an OpenAI parameter (api.openai.com rejects it); of our OpenAI-compatible
// protocols only qwen documents it.
const TOP_K_PROTOCOLS = new Set(["qwen"]);

/** The adapter for every OpenAI-compatible protocol. */
export function createOpenAiProvider(deps: ProviderDeps): Provider {
  const client = (req: ChatRequest): OpenAI =>
    new OpenAI({
      baseURL: req.model.baseUrl,
      apiKey: req.model.apiKey || NO_KEY,
      // Explicit nulls: otherwise the client fills these from OPENAI_* environment variables
      // meant for api.openai.com and would send them to every provider.
      adminAPIKey: null,
      organization: null,
      project: null,
      webhookSecret: null,
      // A model without a key sends no Authorization header at all.
      defaultHeaders: req.model.apiKey ? undefined : { Authorization: null },
      fetch: deps.fetch,
      maxRetries: deps.maxRetries,
      logLevel: "off",
    });

  return {
    async chat(req, signal) {
      const completion = await client(req).chat.completions.create(toParams(req), { signal });
      return fromCompletion(completion, req.model.model);
    },
    async *stream(req, signal) {
      const stream = await client(req).chat.completions.create(
        { ...toParams(req), stream: true, stream_options: { include_usage: true } },
        { signal },
      );
      let finish: string | undefined;
      let usage: Usage | undefined;
      for await (const chunk of stream) {
        if (chunk.usage) usage = toUsage(chunk.usage);
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        if (choice.finish_reason) finish = choice.finish_reason;
        const delta = fromDelta(choice.delta);
        if (delta) yield delta;
      }
      if (!finish) throw truncatedStream(req.model.model);
      yield { message: { role: "assistant" }, finish_reason: finish, usage: usage ?? zeroUsage() };
    },
  };
}

function toParams(req: ChatRequest): Params {
  const p = req.params ?? {};
  const params: Params = { model: req.model.model, messages: req.messages.map(toMessage) };
  if (p.temperature !== undefined) params.temperature = p.temperature;
  if (p.top_p !== undefined) params.top_p = p.top_p;
  if (p.presence_penalty !== undefined) params.presence_penalty = p.presence_penalty;
  if (p.frequency_penalty !== undefined) params.frequency_penalty = p.frequency_penalty;
  if (p.max_tokens !== undefined) {
    // OpenAI's own API rejects max_tokens for its reasoning models; compatible servers
    // (vLLM, gateways) often know only max_tokens.
    if (isOpenAiItself(req)) params.max_completion_tokens = p.max_tokens;
    else params.max_tokens = p.max_tokens;
  }
  if (p.json_mode) params.response_format = { type: "json_object" };
  if (req.tools?.length) {
    params.tools = req.tools.map((t) => ({
      type: "function",
      function: {
        name: t.function.name,
        ...(t.function.description ? { description: t.function.description } : {}),
        parameters: toolSchema(t),
      },
    }));
    if (req.toolChoice) {
      params.tool_choice = typeof req.toolChoice === "string"
        ? req.toolChoice
        : { type: "function", function: { name: req.toolChoice.name } };
    }
  }
  if (p.top_k !== undefined && TOP_K_PROTOCOLS.has(req.model.protocol)) {
    (params as Params & { top_k?: number }).top_k = p.top_k;
  }
  return params;
}

function isOpenAiItself(req: ChatRequest): boolean {
  if (req.model.protocol !== "openai") return false;
  try {
    return new URL(req.model.baseUrl).hostname === "api.openai.com";
  } catch {
    return false;
  }
}

function toMessage(m: ChatMessage): MessageParam {
  switch (m.role) {
    case "system":
      return { role: "system", content: textOf(m) };
    case "user":
      return { role: "user", content: m.parts?.length ? m.parts.map(toPart) : m.content ?? "" };
    case "tool":
      return { role: "tool", tool_call_id: m.tool_call_id ?? "", content: textOf(m) };
    case "assistant": {
      // reasoning_content of earlier turns is not sent back: deepseek rejects it in input.
      const calls = m.tool_calls?.map((c) => ({
        id: c.id,
        type: "function" as const,
        function: { name: c.function_call.name, arguments: c.function_call.arguments },
      }));
      const text = textOf(m);
      return {
        role: "assistant",
        content: text || (calls?.length ? null : ""),
        ...(calls?.length ? { tool_calls: calls } : {}),
      };
    }
  }
}

function toPart(p: NonNullable<ChatMessage["parts"]>[number]): ContentPart {
  return p.type === "text"
    ? { type: "text", text: p.text }
    : { type: "image_url", image_url: { url: p.image_url.url } };
}

function fromCompletion(c: Completion, model: string): ChatResult {
  const choice = c.choices?.[0];
  if (!choice) {
    throw new AppError(
      Codes.llmParseFailed,
      `LLM call to model "${model}" failed: the provider's answer has no choices`,
    );
  }
  const msg = choice.message as WithReasoning<typeof choice.message>;
  const calls = (msg.tool_calls ?? []).flatMap((t, index): ToolCall[] =>
    t.type === "function"
      ? [{
        index,
        id: t.id,
        type: "function",
        function_call: { name: t.function.name, arguments: t.function.arguments },
      }]
      : []
  );
  return {
    message: {
      role: "assistant",
      content: msg.content ?? "",
      ...(msg.reasoning_content ? { reasoning_content: msg.reasoning_content } : {}),
      ...(calls.length ? { tool_calls: calls } : {}),
    },
    finish_reason: choice.finish_reason ?? "stop",
    usage: c.usage ? toUsage(c.usage) : zeroUsage(),
  };
}

function fromDelta(d: WithReasoning<ChunkDelta> | undefined): ChatChunk | undefined {
  if (!d) return undefined;
  const calls = d.tool_calls?.map((t): ToolCall => ({
    index: t.index,
    id: t.id ?? "",
    type: "function",
    function_call: { name: t.function?.name ?? "", arguments: t.function?.arguments ?? "" },
  }));
  if (!d.content && !d.reasoning_content && !calls?.length) return undefined;
  return {
    message: {
      role: "assistant",
      ...(d.content ? { content: d.content } : {}),
      ...(d.reasoning_content ? { reasoning_content: d.reasoning_content } : {}),
      ...(calls?.length ? { tool_calls: calls } : {}),
    },
  };
}

function toUsage(u: { prompt_tokens?: number; completion_tokens?: number }): Usage {
  return { input_tokens: u.prompt_tokens ?? 0, output_tokens: u.completion_tokens ?? 0 };
}

function zeroUsage(): Usage {
  return { input_tokens: 0, output_tokens: 0 };
}
