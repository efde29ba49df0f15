/**
 * Running a prompt: render the template with the caller's variables and messages, call the
 * model from the catalogue (the prompt's, or the caller's override), and answer whole or as
 * a stream. Tool calls pass through to the caller. Every run reports its own span (model
 * call, tokens, prompt key and version) into the observability pipeline of the workspace.
 */
import type { Logger } from "../../infra/log.ts";
import type { ModelCatalogue } from "../llm/catalogue.ts";
import type {
  ChatChunk,
  ChatMessage,
  ChatParams,
  ChatResult,
  ContentPart,
  LlmRuntime,
  ToolChoice,
  ToolDef,
} from "../llm/runtime/mod.ts";
import { invalidParam } from "../errors.ts";
import type { IngestService } from "../observability/ingest.ts";
import {
  type Message,
  type PromptTemplate,
  renderMessages,
  type VariableVal,
} from "./template/mod.ts";
import type { PromptDetail } from "./detail.ts";

/** What one run needs, whatever asked for it (SDK execute or the playground). */
export interface RunSpec {
  workspaceId: bigint;
  promptKey: string;
  version: string;
  template: NonNullable<PromptDetail["prompt_template"]>;
  tools?: PromptDetail["tools"];
  toolCallConfig?: PromptDetail["tool_call_config"];
  modelConfig?: PromptDetail["model_config"];
  variableVals?: VariableVal[];
  messages?: Message[];
  /** The caller's span (W3C trace context): the run's span joins that trace as its child. */
  parent?: { traceId: string; spanId: string };
  /** Without a parent: the trace the run's span starts (as a root) instead of a new one. */
  traceId?: string;
}

/** The prompt runtime. */
export interface PromptRuntime {
  run(userId: bigint, spec: RunSpec, signal?: AbortSignal): Promise<ChatResult>;
  stream(userId: bigint, spec: RunSpec, signal?: AbortSignal): AsyncIterable<ChatChunk>;
}

/** Creates the prompt runtime. */
export function createPromptRuntime(deps: {
  catalogue: ModelCatalogue;
  llm: LlmRuntime;
  ingest?: IngestService;
  logger?: Logger;
}): PromptRuntime {
  const prepare = (spec: RunSpec) => {
    const id = spec.modelConfig?.model_id;
    if (id === undefined || id === "") {
      throw invalidParam("model_config.model_id", "the prompt names no model");
    }
    const model = deps.catalogue.resolve(BigInt(id));
    const template = { template_type: "normal", ...spec.template } as PromptTemplate;
    const messages = renderMessages(template, spec.variableVals ?? [], {
      messages: spec.messages ?? [],
    }).map(toChat);
    const m = spec.modelConfig ?? {};
    const params: ChatParams = {
      temperature: m.temperature,
      max_tokens: m.max_tokens,
      top_p: m.top_p,
      top_k: m.top_k,
      presence_penalty: m.presence_penalty,
      frequency_penalty: m.frequency_penalty,
      json_mode: m.json_mode,
    };
    const tools: ToolDef[] = (spec.tools ?? [])
      .filter((t) => (t.type ?? "function") === "function" && t.function)
      .map((t) => ({ type: "function", function: t.function! }));
    const tc = spec.toolCallConfig;
    const toolChoice: ToolChoice | undefined = tc?.tool_choice === "specific"
      ? { name: tc.tool_choice_specification?.name ?? "" }
      : tc?.tool_choice;
    return { request: { model, messages, tools, toolChoice, params }, model };
  };

  const report = (userId: bigint, spec: RunSpec, o: {
    startedUs: number;
    input: ChatMessage[];
    result?: Partial<ChatResult>;
    error?: unknown;
    stream: boolean;
    modelName: string;
    protocol: string;
    firstTokenUs?: number;
  }) => {
    if (!deps.ingest) return;
    const now = Date.now() * 1000;
    const span = {
      started_at_micros: o.startedUs,
      duration_micros: now - o.startedUs,
      trace_id: spec.parent?.traceId ?? spec.traceId ?? hex(16),
      span_id: hex(8),
      parent_id: spec.parent?.spanId ?? "0",
      workspace_id: spec.workspaceId.toString(),
      span_name: `prompt.execute ${spec.promptKey}`,
      span_type: "model",
      method: o.stream ? "execute_streaming" : "execute",
      status_code: o.error ? 1 : 0,
      input: JSON.stringify({ messages: o.input }),
      output: o.result?.message
        ? JSON.stringify({
          choices: [{ message: o.result.message, finish_reason: o.result.finish_reason }],
        })
        : "",
      tags_string: {
        model_name: o.modelName,
        model_provider: o.protocol,
        prompt_key: spec.promptKey,
        prompt_version: spec.version,
        ...(o.error
          ? { error: String((o.error as Error)?.message ?? o.error).slice(0, 1000) }
          : {}),
      },
      tags_long: {
        input_tokens: o.result?.usage?.input_tokens ?? 0,
        output_tokens: o.result?.usage?.output_tokens ?? 0,
        tokens: (o.result?.usage?.input_tokens ?? 0) + (o.result?.usage?.output_tokens ?? 0),
        ...(o.firstTokenUs ? { latency_first_resp: o.firstTokenUs - o.startedUs } : {}),
      },
      tags_bool: { stream: o.stream },
    };
    deps.ingest.ingest(userId, [span]).catch((err) =>
      deps.logger?.warn("could not report the execution span", { error: (err as Error).message })
    );
  };

  return {
    async run(userId, spec, signal) {
      const { request, model } = prepare(spec);
      const startedUs = Date.now() * 1000;
      const base = {
        startedUs,
        input: request.messages,
        stream: false,
        modelName: model.model,
        protocol: model.protocol,
      };
      try {
        const result = await deps.llm.chat({ ...request, signal });
        report(userId, spec, { ...base, result });
        return result;
      } catch (error) {
        report(userId, spec, { ...base, error });
        throw error;
      }
    },
    async *stream(userId, spec, signal) {
      const { request, model } = prepare(spec);
      const startedUs = Date.now() * 1000;
      const acc = {
        content: "",
        reasoning: "",
        finish: "",
        usage: undefined as ChatResult["usage"] | undefined,
      };
      let firstTokenUs: number | undefined;
      const base = {
        startedUs,
        input: request.messages,
        stream: true,
        modelName: model.model,
        protocol: model.protocol,
      };
      const sofar = (): Partial<ChatResult> => ({
        message: {
          role: "assistant",
          content: acc.content,
          ...(acc.reasoning ? { reasoning_content: acc.reasoning } : {}),
        },
        finish_reason: acc.finish,
        usage: acc.usage,
      });
      try {
        for await (const chunk of deps.llm.stream({ ...request, signal })) {
          firstTokenUs ??= Date.now() * 1000;
          acc.content += chunk.message.content ?? "";
          acc.reasoning += chunk.message.reasoning_content ?? "";
          if (chunk.finish_reason) acc.finish = chunk.finish_reason;
          if (chunk.usage) acc.usage = chunk.usage;
          yield chunk;
        }
        report(userId, spec, { ...base, result: sofar(), firstTokenUs });
      } catch (error) {
        report(userId, spec, { ...base, result: sofar(), error, firstTokenUs });
        throw error;
      }
    },
  };
}

function toChat(m: Message): ChatMessage {
  const parts = m.parts?.flatMap((p): ContentPart[] => {
    if (p.type === "text") return [{ type: "text", text: p.text ?? "" }];
    if (p.type === "image_url" && p.image_url?.url) {
      return [{ type: "image_url", image_url: { url: p.image_url.url } }];
    }
    return [];
  });
  return {
    role: m.role as ChatMessage["role"],
    ...(m.content !== undefined ? { content: m.content } : {}),
    ...(parts?.length ? { parts } : {}),
    ...(m.reasoning_content ? { reasoning_content: m.reasoning_content } : {}),
    ...(m.tool_call_id ? { tool_call_id: m.tool_call_id } : {}),
    ...(m.tool_calls?.length
      ? {
        tool_calls: m.tool_calls.map((t, i) => ({
          index: Number(t.index ?? i),
          id: t.id ?? "",
          type: "function" as const,
          function_call: {
            name: t.function_call?.name ?? "",
            arguments: t.function_call?.arguments ?? "",
          },
        })),
      }
      : {}),
  };
}

/** `bytes` random bytes as lowercase hex (a trace id is 16, a span id 8). */
export function hex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}
