/**
 * Evaluation targets as experiments see them: a target version (today a committed Coze Loop
 * prompt version, the IDL's EvalTargetType 2 "CozeLoopPrompt") and the runner that executes
 * it on one item's mapped fields. Built by target_run.ts; experiments depend only on this.
 */
import type { Content } from "./types.ts";

/**
 * The IDL's EvalTargetType values this server runs (domain/eval_target.thrift: CozeBot = 1,
 * CozeLoopPrompt = 2; the official web UI sends 2 for a prompt).
 */
export const EvalTargetType = { CozeLoopPrompt: 2 } as const;

/** One version of a target (a prompt's committed version). */
export interface EvalTargetVersion {
  id: bigint;
  targetId: bigint;
  workspaceId: bigint;
  targetType: number;
  /** The prompt's id (the IDL's `source_target_id`, a string on the wire). */
  sourceTargetId: string;
  /** The prompt's committed version (`source_target_version`). */
  sourceTargetVersion: string;
}

/** What one run of a target produced. */
export interface TargetRunOutput {
  status: "success" | "fail";
  /** Output fields; a prompt answers `actual_output`. */
  output: Record<string, Content>;
  latencyMs: number;
  tokens: { input: number; output: number };
  /** The run's trace in the workspace ("" when none). */
  traceId: string;
  error?: { code: number; message: string };
}

/** Resolves and runs target versions (experiments' view of the target domain). */
export interface TargetRunner {
  /** A target version of the workspace, or undefined. */
  getVersion(workspaceId: bigint, versionId: bigint): Promise<EvalTargetVersion | undefined>;
  /**
   * Creates (or finds) the target and version of a committed prompt version, for an
   * experiment submitted with `create_eval_target_param`.
   */
  ensureVersion(
    userId: bigint,
    workspaceId: bigint,
    param: { targetType: number; sourceTargetId: string; sourceTargetVersion: string },
  ): Promise<EvalTargetVersion>;
  /**
   * Runs a version on one item's input fields (prompt variables by key). Never throws for
   * what the model did: a failure is `status: "fail"` with the error.
   */
  runTarget(
    version: EvalTargetVersion,
    inputFields: Record<string, Content>,
    options: {
      userId: bigint;
      signal?: AbortSignal;
      /**
       * The experiment's `target_runtime_param.json_value`: `{"model_config": {model_id?,
       * temperature?, max_tokens?, top_p?}}` over the prompt's model settings (bad JSON is a
       * failed run).
       */
      runtimeParam?: string;
    },
  ): Promise<TargetRunOutput>;
}
