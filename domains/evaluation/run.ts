/**
 * Running evaluators: `runEvaluator(version, input)` is what experiments call per item; debug
 * runs a draft's content (not saved) on sample inputs. A run never throws for what the judge
 * or the code did: it answers a record, failed when there is no score.
 */
import { Codes } from "../errors.ts";
import type { CodeSandbox } from "./code_sandbox/mod.ts";
import { codeLanguage } from "./content.ts";
import type { Judge } from "./judge.ts";
import type {
  EvaluatorContent,
  EvaluatorInput,
  EvaluatorRecord,
  EvaluatorType,
  EvaluatorVersion,
} from "./types.ts";

/** The evaluator runtime. */
export interface EvaluatorRunner {
  /** Runs a version on one input (as `userId`, whose workspace receives the trace). */
  runEvaluator(
    version: Pick<EvaluatorVersion, "workspaceId" | "type" | "content"> & { name?: string },
    input: EvaluatorInput,
    options?: { userId?: bigint; signal?: AbortSignal },
  ): Promise<EvaluatorRecord>;
}

/** Creates the runtime. */
export function createEvaluatorRunner(
  deps: { judge: Judge; sandbox: CodeSandbox },
): EvaluatorRunner {
  return {
    async runEvaluator(version, input, options = {}) {
      if (version.type === 1) {
        return await deps.judge.run(options.userId ?? 0n, {
          workspaceId: version.workspaceId,
          evaluatorName: version.name ?? "",
          prompt: version.content.prompt_evaluator ?? { message_list: [] },
          input,
        }, options.signal);
      }
      return await runCode(deps.sandbox, version.content, input);
    },
  };
}

async function runCode(
  sandbox: CodeSandbox,
  content: EvaluatorContent,
  input: EvaluatorInput,
): Promise<EvaluatorRecord> {
  const code = content.code_evaluator;
  const lang = codeLanguage(code?.language_type);
  const base = { reason: "", latencyMs: 0, tokens: { input: 0, output: 0 }, traceId: "" };
  if (!lang || !code?.code_content) {
    return {
      ...base,
      status: "fail",
      error: { code: Codes.invalidParam, message: "the evaluator has no runnable code" },
    };
  }
  const turn = {
    evaluate_dataset_fields: input.evaluate_dataset_fields ?? {},
    evaluate_target_output_fields: input.evaluate_target_output_fields ?? {},
    input_fields: input.input_fields ?? {},
    history_messages: input.history_messages ?? [],
    ext: input.ext ?? {},
  };
  const r = await sandbox.run(lang, code.code_content, turn);
  const stdout = r.stderr ? `${r.stdout}${r.stdout ? "\n" : ""}[stderr]\n${r.stderr}` : r.stdout;
  if (r.score === undefined) {
    return {
      ...base,
      status: "fail",
      error: { code: Codes.evaluatorCodeFailed, message: r.error ?? "the code produced no score" },
      stdout,
      latencyMs: r.latencyMs,
    };
  }
  return {
    ...base,
    status: "success",
    score: r.score,
    reason: r.reason ?? "",
    stdout,
    latencyMs: r.latencyMs,
  };
}

/** Whether an evaluator type is one this server runs. */
export function isEvaluatorType(n: number): n is EvaluatorType {
  return n === 1 || n === 2;
}
