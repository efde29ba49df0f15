/**
 * The target runner experiments use: resolve a target version of a workspace, find or create
 * the target and version of a committed prompt version, and run a version on one item's input
 * fields through the prompt runtime. A run is a trace in the workspace (a target span, the
 * model call beneath it); what the model or the template did is a failed output, never a
 * throw. It throws only when the infrastructure fails (the item may be tried again).
 */
import type { IdGenerator } from "../../infra/idgen/mod.ts";
import type { Database } from "../../infra/db/mod.ts";
import type { Logger } from "../../infra/log.ts";
import { AppError, Codes, invalidParam } from "../errors.ts";
import type { Authz } from "../foundation/authz.ts";
import type { IngestService } from "../observability/ingest.ts";
import type { PromptDetail } from "../prompt/detail.ts";
import { hex, type PromptRuntime, type RunSpec } from "../prompt/execute.ts";
import type { PromptService } from "../prompt/prompts.ts";
import { ACTUAL_OUTPUT_KEY, promptContent } from "./target_content.ts";
import { type EvalMessage, promptInput } from "./target_input.ts";
import {
  createTargetRepo,
  type StoredTarget,
  type StoredTargetVersion,
  type TargetRepo,
} from "./target_repo.ts";
import { checkTargetType, createPromptSource, promptIdOf } from "./target_source.ts";
import type { EvalTargetVersion, TargetRunner, TargetRunOutput } from "./target_types.ts";
import type { Content } from "./types.ts";

/** What the runner's `runTarget` accepts beyond the contract's options. */
export interface RunOptions {
  userId: bigint;
  signal?: AbortSignal;
  /** Conversation before the item (the IDL's `history_messages`). */
  historyMessages?: EvalMessage[];
  /** JSON `{"model_config": {model_id?, temperature?, max_tokens?, top_p?}}`: overrides. */
  runtimeParam?: string;
}

/** The runner, with the stored forms the target routes answer with. */
export interface PromptTargetRunner extends TargetRunner {
  runTarget(
    version: EvalTargetVersion,
    inputFields: Record<string, Content>,
    options: RunOptions,
  ): Promise<TargetRunOutput>;
  /** ensureVersion, answering the stored target and version. */
  ensure(
    userId: bigint,
    workspaceId: bigint,
    param: { targetType: number; sourceTargetId: string; sourceTargetVersion: string },
  ): Promise<{ target: StoredTarget; version: StoredTargetVersion }>;
}

/** What the runner needs. */
export interface TargetRunnerDeps {
  db: Database;
  ids: IdGenerator;
  authz: Authz;
  prompts: PromptService;
  runtime: PromptRuntime;
  ingest?: IngestService;
  logger?: Logger;
  now?: () => Date;
}

// Commits are immutable: a run reuses one read for a while (a deleted prompt stops runs
// within this long).
const COMMIT_TTL_MS = 10_000;
const COMMIT_CACHE_MAX = 1_000;
const MAX_SPAN_TEXT = 64 * 1024;

/** Creates the runner. */
export function createTargetRunner(deps: TargetRunnerDeps): PromptTargetRunner {
  const repo: TargetRepo = createTargetRepo(deps.db);
  const source = createPromptSource(deps.prompts);
  const now = deps.now ?? (() => new Date());
  const commits = new Map<string, { at: number; promptKey: string; detail: PromptDetail }>();

  const commitFor = async (userId: bigint, v: EvalTargetVersion) => {
    await deps.authz.requireMember(userId, v.workspaceId);
    const key = `${v.workspaceId}:${v.sourceTargetId}@${v.sourceTargetVersion}`;
    const hit = commits.get(key);
    if (hit && Date.now() - hit.at < COMMIT_TTL_MS) return hit;
    const id = promptIdOf(v.sourceTargetId, "source_target_id");
    const c = await source.commit(userId, v.workspaceId, id, v.sourceTargetVersion);
    const entry = { at: Date.now(), promptKey: c.prompt.promptKey, detail: c.detail };
    if (commits.size >= COMMIT_CACHE_MAX) commits.delete(commits.keys().next().value!);
    commits.set(key, entry);
    return entry;
  };

  const ensure: PromptTargetRunner["ensure"] = async (userId, workspaceId, param) => {
    await deps.authz.requireMember(userId, workspaceId);
    const type = checkTargetType(param.targetType, "eval_target_type");
    const promptId = promptIdOf(param.sourceTargetId, "source_target_id");
    const wanted = (param.sourceTargetVersion ?? "").trim();
    if (!wanted) throw invalidParam("source_target_version", "required: a committed version");
    const c = await source.commit(userId, workspaceId, promptId, wanted);
    const at = now();
    const target = await repo.findOrInsertTarget({
      id: await deps.ids.genId(),
      workspaceId,
      targetType: type,
      sourceTargetId: promptId.toString(),
      createdBy: userId,
      updatedBy: userId,
      createdAt: at,
      updatedAt: at,
    });
    const version = await repo.findOrInsertVersion({
      id: await deps.ids.genId(),
      workspaceId,
      targetId: target.id,
      targetType: type,
      sourceTargetVersion: c.version,
      content: promptContent(c.prompt, c.version, c.detail),
      createdBy: userId,
      updatedBy: userId,
      createdAt: at,
      updatedAt: at,
    });
    return { target, version };
  };

  return {
    ensure,
    async ensureVersion(userId, workspaceId, param) {
      return contractVersion(await ensure(userId, workspaceId, param));
    },
    async getVersion(workspaceId, versionId) {
      const [v] = await repo.versionsByIds(workspaceId, [versionId]);
      if (!v) return undefined;
      const [t] = await repo.targetsByIds([v.targetId]);
      return t && contractVersion({ target: t, version: v });
    },
    async runTarget(version, inputFields, options) {
      const started = performance.now();
      const trace = { traceId: hex(16), rootId: hex(8), startedUs: Date.now() * 1000 };
      let out: TargetRunOutput;
      let promptKey = "";
      try {
        checkTargetType(version.targetType, "eval_target_type");
        const c = await commitFor(options.userId, version);
        promptKey = c.promptKey;
        if (!c.detail.prompt_template) {
          throw invalidParam("prompt", "the committed version has no template");
        }
        const input = promptInput(c.detail, inputFields ?? {}, options.historyMessages);
        const spec: RunSpec = {
          workspaceId: version.workspaceId,
          promptKey: c.promptKey,
          version: version.sourceTargetVersion,
          template: c.detail.prompt_template,
          tools: c.detail.tools,
          toolCallConfig: c.detail.tool_call_config,
          modelConfig: withRuntimeParam(c.detail.model_config, options.runtimeParam),
          variableVals: input.variableVals,
          messages: input.messages,
          parent: { traceId: trace.traceId, spanId: trace.rootId },
        };
        const r = await deps.runtime.run(options.userId, spec, options.signal);
        const calls = r.message.tool_calls ?? [];
        const text = r.message.content || (calls.length ? JSON.stringify(calls) : "");
        out = {
          status: "success",
          output: { [ACTUAL_OUTPUT_KEY]: { content_type: "Text", text } },
          latencyMs: 0,
          tokens: { input: r.usage?.input_tokens ?? 0, output: r.usage?.output_tokens ?? 0 },
          traceId: trace.traceId,
        };
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        out = {
          status: "fail",
          output: {},
          latencyMs: 0,
          tokens: { input: 0, output: 0 },
          traceId: trace.traceId,
          error: errorOf(err, options.signal),
        };
      }
      out.latencyMs = Math.round(performance.now() - started);
      report(deps, options.userId, version, { ...trace, promptKey, inputFields, out });
      return out;
    },
  };
}

function contractVersion(
  o: { target: StoredTarget; version: StoredTargetVersion },
): EvalTargetVersion {
  return {
    id: o.version.id,
    targetId: o.target.id,
    workspaceId: o.version.workspaceId,
    targetType: o.target.targetType,
    sourceTargetId: o.target.sourceTargetId,
    sourceTargetVersion: o.version.sourceTargetVersion,
  };
}

// A run stopped by its caller's timeout signal says so; other aborts are cancellations.
function errorOf(err: AppError, signal?: AbortSignal): { code: number; message: string } {
  const reason = signal?.aborted ? signal.reason : undefined;
  if (reason instanceof DOMException && reason.name === "TimeoutError") {
    return { code: Codes.llmTimeout, message: `the target run timed out: ${err.message}` };
  }
  return { code: err.code, message: err.message };
}

/** The prompt's model settings with a runtime parameter's model_config over them. */
export function withRuntimeParam(
  base: PromptDetail["model_config"],
  raw: string | undefined,
): RunSpec["modelConfig"] {
  if (raw === undefined || raw.trim() === "") return base;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidParam("runtime_param", "not JSON");
  }
  const mc = (parsed as { model_config?: Record<string, unknown> } | null)?.model_config;
  if (mc === undefined || mc === null) return base;
  if (typeof mc !== "object") throw invalidParam("runtime_param.model_config", "not an object");
  const out = { ...base };
  const id = mc.model_id;
  if (id !== undefined && id !== null && id !== "" && id !== "0" && id !== 0) {
    if (!/^\d{1,19}$/.test(String(id))) {
      throw invalidParam("runtime_param.model_config.model_id", "not a model id");
    }
    out.model_id = String(id);
  }
  // A zero is the demo's "not set" (the reference's runtime_param_json_demo is all zeros).
  const num = (k: "temperature" | "top_p" | "max_tokens", min: number, max: number) => {
    const v = mc[k];
    if (v === undefined || v === null || v === 0) return;
    if (typeof v !== "number" || !(v >= min && v <= max)) {
      throw invalidParam(`runtime_param.model_config.${k}`, `a number in ${min}..${max}`);
    }
    out[k] = k === "max_tokens" ? Math.floor(v) : v;
  };
  num("temperature", 0, 2);
  num("top_p", 0, 1);
  num("max_tokens", 1, 1_000_000);
  return out;
}

// The run's own span (the model call is its child); sent without waiting.
function report(
  deps: TargetRunnerDeps,
  userId: bigint,
  v: EvalTargetVersion,
  o: {
    traceId: string;
    rootId: string;
    startedUs: number;
    promptKey: string;
    inputFields: Record<string, Content>;
    out: TargetRunOutput;
  },
): void {
  if (!deps.ingest) return;
  const span = {
    started_at_micros: o.startedUs,
    duration_micros: Math.max(1, Date.now() * 1000 - o.startedUs),
    trace_id: o.traceId,
    span_id: o.rootId,
    parent_id: "0",
    workspace_id: v.workspaceId.toString(),
    span_name: `eval_target ${o.promptKey || v.sourceTargetId}@${v.sourceTargetVersion}`
      .slice(0, 200),
    span_type: "eval_target",
    status_code: o.out.status === "success" ? 0 : 1,
    input: JSON.stringify({ input_fields: o.inputFields }).slice(0, MAX_SPAN_TEXT),
    output: JSON.stringify(o.out.output).slice(0, MAX_SPAN_TEXT),
    tags_string: {
      eval_target_version_id: v.id.toString(),
      prompt_id: v.sourceTargetId,
      prompt_version: v.sourceTargetVersion,
      ...(o.promptKey ? { prompt_key: o.promptKey } : {}),
      ...(o.out.error ? { error: o.out.error.message.slice(0, 1000) } : {}),
    },
    tags_long: {
      input_tokens: o.out.tokens.input,
      output_tokens: o.out.tokens.output,
      tokens: o.out.tokens.input + o.out.tokens.output,
      latency_ms: o.out.latencyMs,
    },
  };
  deps.ingest.ingest(userId, [span]).catch((err) =>
    deps.logger?.warn("could not report the target run's span", {
      error: (err as Error).message,
    })
  );
}
