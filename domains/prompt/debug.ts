/**
 * The playground: run a draft (the one sent, or the caller's saved one) against its model
 * with variables and mock tools, streamed; when the model calls a mocked tool the mock's
 * answer is fed back and the run continues (unless single-step). Each run is logged in the
 * debug history; the playground's state (debug context) is saved per user and prompt.
 */
import type { Kysely } from "kysely";
import { type Database, onDuplicateKeyUpdate } from "../../infra/db/mod.ts";
import type { IdGenerator } from "../../infra/idgen/mod.ts";
import type { ChatChunk, ToolCall } from "../llm/runtime/mod.ts";
import { invalidParam } from "../errors.ts";
import type { PromptTables } from "./_tables.ts";
import { parseDetail } from "./detail.ts";
import { checkStoredDepth } from "../json_depth.ts";
import { hex, type PromptRuntime } from "./execute.ts";
import type { PromptService } from "./prompts.ts";
import { createPromptRepo } from "./repo.ts";
import type { Message, VariableVal } from "./template/mod.ts";

const MAX_STEPS = 5;
const MAX_CONTEXT_BYTES = 1024 * 1024;

/** One streamed playground event (the IDL's DebugStreamingResponse). */
export interface DebugEvent {
  delta: ChatChunk["message"];
  finish_reason?: string;
  usage?: ChatChunk["usage"];
  debug_id: bigint;
  debug_step: number;
  /** The run's trace id: every step's span is a root span of this one trace. */
  debug_trace_key: string;
}

/** A debug history entry. */
export interface DebugLog {
  id: bigint;
  promptId: bigint;
  workspaceId: bigint;
  debugId: bigint;
  inputTokens: number;
  outputTokens: number;
  costMs: number;
  statusCode: number;
  debuggedBy: bigint;
  startedAt: Date;
  endedAt: Date;
}

/** The playground service. */
export interface DebugService {
  stream(userId: bigint, promptId: bigint, req: {
    detail?: unknown;
    messages?: Message[];
    variableVals?: VariableVal[];
    mockTools?: { name?: string; mock_response?: string }[];
    singleStep?: boolean;
  }, signal?: AbortSignal): AsyncIterable<DebugEvent>;
  saveContext(userId: bigint, promptId: bigint, context: unknown): Promise<void>;
  getContext(userId: bigint, promptId: bigint): Promise<unknown>;
  history(
    userId: bigint,
    promptId: bigint,
    o: { daysLimit?: number; pageSize?: number; pageToken?: string },
  ): Promise<{ logs: DebugLog[]; nextPageToken: string }>;
}

/** Creates the playground service. */
export function createDebugService(deps: {
  db: Database;
  ids: IdGenerator;
  prompts: PromptService;
  runner: PromptRuntime;
}): DebugService {
  const repo = createPromptRepo(deps.db);
  const q = (): Kysely<PromptTables> => deps.db.session<PromptTables>();

  return {
    async *stream(userId, promptId, req, signal) {
      const p = await deps.prompts.load(userId, promptId);
      const detail = req.detail !== undefined
        ? parseDetail(req.detail, "prompt.prompt_draft.detail")
        : (await repo.draft(promptId, userId))?.detail;
      if (!detail?.prompt_template) {
        throw invalidParam("prompt", "no draft to debug: send one or save one");
      }
      const mocks = new Map(
        (req.mockTools ?? []).filter((m) => m.name).map((m) => [m.name!, m.mock_response ?? ""]),
      );
      const debugId = await deps.ids.genId();
      const traceId = hex(16);
      const started = new Date();
      const messages: Message[] = [...(req.messages ?? [])];
      const usage = { input: 0, output: 0 };
      let status = 0;
      try {
        for (let step = 1; step <= MAX_STEPS; step++) {
          const calls = new Map<number, ToolCall>();
          let content = "";
          let finish = "";
          for await (
            const chunk of deps.runner.stream(userId, {
              workspaceId: p.workspaceId,
              promptKey: p.promptKey,
              version: "draft",
              template: detail.prompt_template,
              tools: detail.tools,
              toolCallConfig: detail.tool_call_config,
              modelConfig: detail.model_config,
              variableVals: req.variableVals,
              messages,
              traceId,
            }, signal)
          ) {
            content += chunk.message.content ?? "";
            for (const tc of chunk.message.tool_calls ?? []) {
              const cur = calls.get(tc.index) ??
                { ...tc, function_call: { name: "", arguments: "" } };
              cur.id ||= tc.id;
              cur.function_call.name += tc.function_call.name;
              cur.function_call.arguments += tc.function_call.arguments;
              calls.set(tc.index, cur);
            }
            if (chunk.finish_reason) finish = chunk.finish_reason;
            if (chunk.usage) {
              usage.input += chunk.usage.input_tokens;
              usage.output += chunk.usage.output_tokens;
            }
            yield {
              delta: chunk.message,
              finish_reason: chunk.finish_reason,
              usage: chunk.usage,
              debug_id: debugId,
              debug_step: step,
              debug_trace_key: traceId,
            };
          }
          const mocked = [...calls.values()].filter((c) => mocks.has(c.function_call.name));
          if (req.singleStep || finish !== "tool_calls" || mocked.length === 0) break;
          // Feed the mocks' answers back and let the model continue.
          messages.push(
            {
              role: "assistant",
              content,
              tool_calls: [...calls.values()],
              skip_render: true,
            } as Message,
          );
          for (const c of mocked) {
            messages.push(
              {
                role: "tool",
                tool_call_id: c.id,
                content: mocks.get(c.function_call.name)!,
              } as Message,
            );
          }
        }
      } catch (err) {
        status = (err as { code?: number }).code ?? 1;
        throw err;
      } finally {
        await q().insertInto("prompt_debug_logs").values({
          id: (await deps.ids.genId()).toString(),
          prompt_id: promptId.toString(),
          space_id: p.workspaceId.toString(),
          user_id: userId.toString(),
          debug_id: debugId.toString(),
          input_tokens: usage.input,
          output_tokens: usage.output,
          cost_ms: Date.now() - started.getTime(),
          status_code: status,
          started_at: started,
          ended_at: new Date(),
        }).execute();
      }
    },
    async saveContext(userId, promptId, context) {
      await deps.prompts.load(userId, promptId);
      checkStoredDepth(context, "debug_context");
      const text = JSON.stringify(context ?? {});
      if (text.length > MAX_CONTEXT_BYTES) {
        throw invalidParam("debug_context", `larger than ${MAX_CONTEXT_BYTES} bytes`);
      }
      await onDuplicateKeyUpdate(
        q().insertInto("prompt_debug_contexts").values({
          prompt_id: promptId.toString(),
          user_id: userId.toString(),
          context: text,
          updated_at: new Date(),
        }),
        {
          dialect: deps.db.dialect,
          keys: ["prompt_id", "user_id"],
          update: ["context", "updated_at"],
        },
      ).execute();
    },
    async getContext(userId, promptId) {
      await deps.prompts.load(userId, promptId);
      const r = await q().selectFrom("prompt_debug_contexts").select("context")
        .where("prompt_id", "=", promptId.toString()).where("user_id", "=", userId.toString())
        .executeTakeFirst();
      return r ? (typeof r.context === "string" ? JSON.parse(r.context) : r.context) : undefined;
    },
    async history(userId, promptId, o) {
      await deps.prompts.load(userId, promptId);
      const size = o.pageSize ?? 20;
      if (!Number.isInteger(size) || size < 1 || size > 100) {
        throw invalidParam("page_size", "1..100");
      }
      const days = o.daysLimit ?? 7;
      if (!Number.isInteger(days) || days < 1 || days > 365) {
        throw invalidParam("days_limit", "1..365");
      }
      let sel = q().selectFrom("prompt_debug_logs").selectAll()
        .where("prompt_id", "=", promptId.toString()).where("user_id", "=", userId.toString())
        .where("started_at", ">=", new Date(Date.now() - days * 86_400_000));
      if (o.pageToken) {
        if (!/^\d{1,20}$/.test(o.pageToken)) {
          throw invalidParam("page_token", "not a token this server issued");
        }
        sel = sel.where("id", "<", o.pageToken);
      }
      const rows = await sel.orderBy("id", "desc").limit(size + 1).execute();
      const logs = rows.slice(0, size).map((r) => ({
        id: BigInt(r.id),
        promptId: BigInt(r.prompt_id),
        workspaceId: BigInt(r.space_id),
        debugId: BigInt(r.debug_id),
        inputTokens: Number(r.input_tokens),
        outputTokens: Number(r.output_tokens),
        costMs: Number(r.cost_ms),
        statusCode: Number(r.status_code),
        debuggedBy: BigInt(r.user_id),
        startedAt: r.started_at,
        endedAt: r.ended_at,
      }));
      return { logs, nextPageToken: rows.length > size ? logs.at(-1)!.id.toString() : "" };
    },
  };
}
