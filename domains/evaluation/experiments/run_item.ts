/**
 * One item of an experiment: the target on the item's mapped columns (when the experiment
 * has one), then every evaluator in parallel on the mapped columns and target output. What
 * the models or the code did never throws: it becomes the item's and records' outcome.
 */
import { Codes } from "../../errors.ts";
import type { DatasetSchema, Item } from "../../data/types.ts";
import type { EvaluatorRunner } from "../run.ts";
import type { Content, EvaluatorInput, EvaluatorRecord, EvaluatorVersion } from "../types.ts";
import type { EvalTargetVersion, TargetRunner, TargetRunOutput } from "../target_types.ts";
import type { EvaluatorRecordRow } from "./_tables.ts";
import { itemColumns, mapFields } from "./field_content.ts";
import { type Experiment, ItemState } from "./types.ts";

/** What an experiment's items run with (loaded once per experiment and process). */
export interface ExptPlan {
  expt: Experiment;
  target?: EvalTargetVersion;
  evaluators: (EvaluatorVersion & { name: string })[];
  schema: DatasetSchema;
}

/** An item's outcome, ready to be written. */
export interface ItemOutcome {
  state: number;
  targetOutput?: TargetRunOutput;
  error?: { code: number; message: string };
  records: Omit<EvaluatorRecordRow, "id" | "created_at" | "updated_at">[];
}

/** Runs one item. */
export async function runItem(
  deps: { targets: TargetRunner; evaluators: EvaluatorRunner },
  plan: ExptPlan,
  item: Item,
  options: { userId: bigint; signal: AbortSignal },
): Promise<ItemOutcome> {
  const values = item.data ?? item.turns?.[0]?.data ?? [];
  const cols = itemColumns(values, plan.schema.fields);
  const setSources = [cols.byName, cols.byKey];
  let targetOutput: TargetRunOutput | undefined;
  if (plan.target) {
    const vars = mapFields(plan.expt.targetFieldMapping.from_eval_set, setSources);
    targetOutput = await deps.targets.runTarget(plan.target, vars, options);
    if (targetOutput.status !== "success") {
      return {
        state: ItemState.Fail,
        targetOutput,
        error: targetOutput.error ?? { code: Codes.internal, message: "the target failed" },
        records: [],
      };
    }
  }
  options.signal.throwIfAborted();
  const outputs: Record<string, Content> = targetOutput?.output ?? {};
  const mappings = new Map(
    plan.expt.evaluatorFieldMapping.map((m) => [m.evaluator_version_id, m]),
  );
  const records = await Promise.all(plan.evaluators.map(async (ev) => {
    const m = mappings.get(`${ev.id}`);
    const input: EvaluatorInput = {
      input_fields: {
        ...mapFields(m?.from_eval_set, setSources),
        ...(m?.from_target?.length ? mapFields(m.from_target, [outputs]) : outputs),
      },
      evaluate_dataset_fields: cols.byName,
      evaluate_target_output_fields: outputs,
    };
    let rec: EvaluatorRecord;
    try {
      rec = await deps.evaluators.runEvaluator(ev, input, options);
    } catch (err) {
      options.signal.throwIfAborted();
      rec = {
        status: "fail",
        reason: "",
        error: { code: Codes.internal, message: (err as Error)?.message ?? String(err) },
        latencyMs: 0,
        tokens: { input: 0, output: 0 },
        traceId: "",
      };
    }
    return toRecordRow(plan.expt, item.itemId, ev.id, rec, input);
  }));
  options.signal.throwIfAborted();
  const failed = records.find((r) => r.status !== 1);
  return {
    state: failed ? ItemState.Fail : ItemState.Success,
    ...(targetOutput ? { targetOutput } : {}),
    ...(failed ? { error: JSON.parse(failed.error ?? "null") ?? undefined } : {}),
    records,
  };
}

function toRecordRow(
  expt: Experiment,
  itemId: bigint,
  versionId: bigint,
  r: EvaluatorRecord,
  input: EvaluatorInput,
): Omit<EvaluatorRecordRow, "id" | "created_at" | "updated_at"> {
  const ok = r.status === "success" && r.score !== undefined;
  return {
    space_id: `${expt.workspaceId}`,
    expt_id: `${expt.id}`,
    item_id: `${itemId}`,
    turn_id: "0",
    evaluator_version_id: `${versionId}`,
    run_id: `${expt.runId}`,
    status: ok ? 1 : 2,
    score: ok ? r.score! : null,
    reason: r.reason ?? "",
    corrected_score: null,
    correction_explain: "",
    corrected_by: "",
    error: ok
      ? null
      : JSON.stringify(r.error ?? { code: Codes.internal, message: "no score was produced" }),
    raw_output: r.rawOutput ?? "",
    stdout: r.stdout ?? "",
    latency_ms: Math.round(r.latencyMs),
    input_tokens: r.tokens.input,
    output_tokens: r.tokens.output,
    trace_id: r.traceId,
    input: JSON.stringify(input),
  };
}
