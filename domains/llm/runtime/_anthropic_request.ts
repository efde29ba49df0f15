/**
 * The body of an Anthropic messages call: system messages lifted into `system`, tool answers
 * turned into `tool_result` blocks of a user turn, tools and parameters in Anthropic's names.
 */
import type Anthropic from "@anthropic-ai/sdk";
import type { Logger } from "../../../infra/log.ts";
import { textOf, toolArguments, toolSchema } from "./_provider.ts";
import type { ChatMessage, ChatRequest, ContentPart } from "./types.ts";

type Params = Anthropic.MessageCreateParamsNonStreaming;
type MessageParam = Anthropic.MessageParam;
type BlockParam = Anthropic.ContentBlockParam;
type ImageMediaType = Anthropic.Base64ImageSource["media_type"];

// Anthropic requires max_tokens; used when neither the request nor the model's ability sets it.
const DEFAULT_MAX_TOKENS = 4096;

/** The request body for `messages.create`. */
export function toAnthropicParams(req: ChatRequest, logger?: Logger): Params {
  const p = req.params ?? {};
  const abilityMax = req.model.ability?.max_output_tokens;
  const { system, messages } = toMessages(req.messages);
  const params: Params = {
    model: req.model.model,
    max_tokens: p.max_tokens ?? (abilityMax ? Number(abilityMax) : DEFAULT_MAX_TOKENS),
    messages,
  };
  if (system) params.system = system;
  if (p.temperature !== undefined) params.temperature = p.temperature;
  if (p.top_p !== undefined) params.top_p = p.top_p;
  if (p.top_k !== undefined) params.top_k = p.top_k;
  const dropped = (["presence_penalty", "frequency_penalty"] as const).filter((k) =>
    p[k] !== undefined
  );
  if (dropped.length) {
    logger?.debug("llm: parameters Anthropic does not have were not sent", { dropped });
  }
  if (p.json_mode) {
    logger?.warn("llm: json_mode ignored: Anthropic's messages API has no JSON mode", {
      model: req.model.model,
    });
  }
  if (req.tools?.length) {
    params.tools = req.tools.map((t) => ({
      name: t.function.name,
      ...(t.function.description ? { description: t.function.description } : {}),
      input_schema: toolSchema(t) as Anthropic.Tool.InputSchema,
    }));
    const choice = req.toolChoice;
    if (choice) {
      params.tool_choice = typeof choice === "string"
        ? { type: choice }
        : { type: "tool", name: choice.name };
    }
  }
  return params;
}

function toMessages(list: ChatMessage[]): { system: string; messages: MessageParam[] } {
  const system: string[] = [];
  const messages: MessageParam[] = [];
  for (const m of list) {
    switch (m.role) {
      case "system":
        system.push(textOf(m));
        break;
      case "user":
        messages.push({
          role: "user",
          content: m.parts?.length ? m.parts.map(toBlock) : m.content ?? "",
        });
        break;
      case "assistant":
        messages.push({ role: "assistant", content: assistantContent(m) });
        break;
      case "tool": {
        const result: BlockParam = {
          type: "tool_result",
          tool_use_id: m.tool_call_id ?? "",
          content: textOf(m),
        };
        // Answers to parallel calls belong in one user turn, right after the calls.
        const last = messages.at(-1);
        if (last?.role === "user" && Array.isArray(last.content) && isToolResults(last.content)) {
          last.content.push(result);
        } else messages.push({ role: "user", content: [result] });
        break;
      }
    }
  }
  return { system: system.filter(Boolean).join("\n\n"), messages };
}

function isToolResults(blocks: BlockParam[]): boolean {
  return blocks.every((b) => b.type === "tool_result");
}

function assistantContent(m: ChatMessage): string | BlockParam[] {
  const text = textOf(m);
  if (!m.tool_calls?.length) return text;
  // Anthropic rejects empty text blocks, so a call-only turn has none.
  const blocks: BlockParam[] = text ? [{ type: "text", text }] : [];
  for (const c of m.tool_calls) {
    blocks.push({
      type: "tool_use",
      id: c.id,
      name: c.function_call.name,
      input: toolArguments(c.function_call.name, c.function_call.arguments),
    });
  }
  return blocks;
}

function toBlock(p: ContentPart): BlockParam {
  if (p.type === "text") return { type: "text", text: p.text };
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(p.image_url.url);
  if (data) {
    return {
      type: "image",
      source: { type: "base64", media_type: data[1] as ImageMediaType, data: data[2] },
    };
  }
  return { type: "image", source: { type: "url", url: p.image_url.url } };
}
