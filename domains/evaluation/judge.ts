/**
 * The LLM judge: fill the messages' {{var}} from the run's fields (missing ones empty), call
 * the catalogue's model through the LLM runtime (with the judge tool, tool choice required,
 * when the model can call functions; otherwise asking for a JSON answer) and read {reason,
 * score} from the answer (judge_parse.ts). Every run is a trace in the workspace: a root span
 * with the render, model call and parse as its children.
 */
import type { Logger } from "../../infra/log.ts";
import type { ModelCatalogue } from "../llm/catalogue.ts";
import type { ChatMessage, ChatResult, LlmRuntime } from "../llm/runtime/mod.ts";
import { AppError, Codes } from "../errors.ts";
import type { IngestService } from "../observability/ingest.ts";
import { parseJudgement } from "./judge_parse.ts";
import { JUDGE_TOOL } from "./templates/mod.ts";
import type { Content, EvaluatorInput, EvaluatorRecord, PromptEvaluator } from "./types.ts";

const ROLES: Record<number, ChatMessage["role"]> = {
  1: "system",
  2: "user",
  3: "assistant",
  4: "tool",
};
const VARIABLE = /\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}/g;
const ANSWER_FORMAT = "\n\nAnswer with one JSON object and nothing else, of the form " +
  '{"reason": "<your reasoning>", "score": <a number>}, where score is a JSON number.';
const MAX_RAW = 64 * 1024;

/** What one judge run needs. */
export interface JudgeSpec {
  workspaceId: bigint;
  evaluatorName: string;
  prompt: PromptEvaluator;
  input: EvaluatorInput;
}

/** The judge. */
export interface Judge {
  run(userId: bigint, spec: JudgeSpec, signal?: AbortSignal): Promise<EvaluatorRecord>;
}

/** The text of a content value (multi-part: its text parts joined). */
export function contentText(c: Content | undefined): string {
  if (!c) return "";
  if (c.multi_part?.length) return c.multi_part.map(contentText).filter(Boolean).join("\n");
  return c.text ?? "";
}

/** The variables of a run: input fields, then dataset fields, then target outputs. */
export function variablesOf(input: EvaluatorInput): Map<string, string> {
  const vars = new Map<string, string>();
  for (
    const group of [
      input.input_fields,
      input.evaluate_dataset_fields,
      input.evaluate_target_output_fields,
    ]
  ) {
    for (const [k, v] of Object.entries(group ?? {})) vars.set(k, contentText(v));
  }
  return vars;
}

/** Fills {{var}} in `text`; a variable the run lacks becomes "". */
export function fill(text: string, vars: Map<string, string>): string {
  return text.replace(VARIABLE, (_m, name: string) => vars.get(name) ?? "");
}

/** Creates the judge. */
export function createJudge(deps: {
  catalogue: ModelCatalogue;
  llm: LlmRuntime;
  ingest?: IngestService;
  logger?: Logger;
}): Judge {
  return {
    async run(userId, spec, signal) {
      const started = performance.now();
      const trace = new TraceReporter(spec.workspaceId, spec.evaluatorName);
      const id = spec.prompt.model_config?.model_id;
      let record: EvaluatorRecord;
      try {
        if (id === undefined || !/^\d{1,19}$/.test(String(id))) {
          throw new AppError(Codes.invalidParam, "invalid param: the judge names no model");
        }
        const model = deps.catalogue.resolve(BigInt(id));
        const useTool = model.ability?.function_call === true;
        const renderSpan = trace.start("render", "prompt");
        const vars = variablesOf(spec.input);
        const messages: ChatMessage[] = spec.prompt.message_list.map((m) => ({
          role: ROLES[m.role ?? 2] ?? "user",
          content: fill(contentText(m.content), vars),
        }));
        if (!useTool) {
          const last = messages.at(-1);
          if (last && last.role !== "assistant") last.content += ANSWER_FORMAT;
          else messages.push({ role: "user", content: ANSWER_FORMAT.trim() });
        }
        trace.end(renderSpan, {
          input: JSON.stringify(Object.fromEntries(vars)),
          output: JSON.stringify(messages),
        });
        const callSpan = trace.start("model", "model");
        let result: ChatResult;
        try {
          const mc = spec.prompt.model_config ?? {};
          result = await deps.llm.chat({
            model,
            messages,
            ...(useTool
              ? {
                tools: [{ type: "function", function: JUDGE_TOOL.function! }],
                toolChoice: { name: "eval" },
              }
              : {}),
            params: { temperature: mc.temperature, max_tokens: mc.max_tokens, top_p: mc.top_p },
            signal,
          });
        } catch (err) {
          trace.end(callSpan, {
            input: JSON.stringify({ messages }),
            error: err,
            model: model.model,
          });
          throw err;
        }
        const call = result.message.tool_calls?.find((t) => t.function_call.name === "eval");
        const raw = (call ? call.function_call.arguments : result.message.content).slice(
          0,
          MAX_RAW,
        );
        trace.end(callSpan, {
          input: JSON.stringify({ messages }),
          output: JSON.stringify({ choices: [{ message: result.message }] }),
          model: model.model,
          usage: result.usage,
        });
        const parseSpan = trace.start("parse", "custom");
        const j = parseJudgement(raw);
        const tokens = { input: result.usage.input_tokens, output: result.usage.output_tokens };
        record = j.score === undefined
          ? {
            status: "fail",
            reason: "",
            error: {
              code: Codes.evaluatorOutputInvalid,
              message: "the judge's answer holds no score",
            },
            rawOutput: raw,
            latencyMs: 0,
            tokens,
            traceId: trace.traceId,
          }
          : {
            status: "success",
            score: j.score,
            reason: j.reason,
            rawOutput: raw,
            latencyMs: 0,
            tokens,
            traceId: trace.traceId,
          };
        trace.end(parseSpan, {
          input: raw,
          output: JSON.stringify(j),
          ...(record.error ? { error: new Error(record.error.message) } : {}),
        });
      } catch (err) {
        const e = err instanceof AppError
          ? err
          : new AppError(Codes.internal, String((err as Error)?.message ?? err));
        record = {
          status: "fail",
          reason: "",
          error: { code: e.code, message: e.message },
          latencyMs: 0,
          tokens: { input: 0, output: 0 },
          traceId: trace.traceId,
        };
      }
      record.latencyMs = Math.round(performance.now() - started);
      trace.finish(record);
      if (deps.ingest) {
        await deps.ingest.ingest(userId, trace.spans).catch((err) =>
          deps.logger?.warn("could not report the judge's trace", { error: (err as Error).message })
        );
      }
      return record;
    },
  };
}

interface OpenSpan {
  span_id: string;
  name: string;
  type: string;
  startedUs: number;
}

// Spans of one judge run: a root and its steps.
class TraceReporter {
  readonly traceId = hex(16);
  readonly rootId = hex(8);
  readonly startedUs = Date.now() * 1000;
  readonly spans: Record<string, unknown>[] = [];
  constructor(readonly workspaceId: bigint, readonly name: string) {}

  start(name: string, type: string): OpenSpan {
    return { span_id: hex(8), name, type, startedUs: Date.now() * 1000 };
  }

  end(
    s: OpenSpan,
    o: {
      input?: string;
      output?: string;
      error?: unknown;
      model?: string;
      usage?: { input_tokens: number; output_tokens: number };
    },
  ) {
    this.spans.push({
      ...this.base(s.span_id, this.rootId, s.startedUs),
      span_name: `evaluator.${s.name}`,
      span_type: s.type,
      status_code: o.error ? 1 : 0,
      input: o.input ?? "",
      output: o.output ?? "",
      tags_string: {
        ...(o.model ? { model_name: o.model } : {}),
        ...(o.error
          ? { error: String((o.error as Error)?.message ?? o.error).slice(0, 1000) }
          : {}),
      },
      tags_long: o.usage
        ? {
          input_tokens: o.usage.input_tokens,
          output_tokens: o.usage.output_tokens,
          tokens: o.usage.input_tokens + o.usage.output_tokens,
        }
        : {},
    });
  }

  finish(r: EvaluatorRecord) {
    this.spans.unshift({
      ...this.base(this.rootId, "0", this.startedUs),
      span_name: `evaluator ${this.name}`.slice(0, 200),
      span_type: "evaluator",
      status_code: r.status === "success" ? 0 : 1,
      input: "",
      output: JSON.stringify({ score: r.score, reason: r.reason }),
      tags_string: r.error ? { error: r.error.message.slice(0, 1000) } : {},
      tags_long: { input_tokens: r.tokens.input, output_tokens: r.tokens.output },
    });
  }

  private base(spanId: string, parent: string, startedUs: number) {
    return {
      started_at_micros: startedUs,
      duration_micros: Math.max(1, Date.now() * 1000 - startedUs),
      trace_id: this.traceId,
      span_id: spanId,
      parent_id: parent,
      workspace_id: this.workspaceId.toString(),
    };
  }
}

function hex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}
