/**
 * The evaluator columns of experiments: each evaluator version an experiment runs, with its
 * evaluator's id, type, name and version (deleted evaluators included: an experiment keeps
 * showing what it ran). Comparisons align evaluators across experiments by evaluator id,
 * since two runs may use different versions of one evaluator.
 */
import type { Database } from "../../../infra/db/mod.ts";
import { createEvaluatorRepo } from "../repo.ts";

/** One evaluator version as a result column. */
export interface EvaluatorColumn {
  evaluatorVersionId: bigint;
  evaluatorId: bigint;
  /** 1 LLM judge, 2 code (0 when the version is gone). */
  type: number;
  name: string;
  version: string;
  description: string;
  builtin: boolean;
}

/** Columns of `versionIds`, in that order (a version that is gone keeps a bare column). */
export async function evaluatorColumns(
  db: Database,
  versionIds: bigint[],
): Promise<EvaluatorColumn[]> {
  const repo = createEvaluatorRepo(db);
  const versions = new Map(
    (await repo.versionsByIds([...new Set(versionIds)], true)).map((v) => [v.id, v]),
  );
  const evaluators = new Map(
    (await repo.byIds([...new Set([...versions.values()].map((v) => v.evaluatorId))], {
      deleted: true,
    })).map((e) => [e.id, e]),
  );
  return versionIds.map((id) => {
    const v = versions.get(id);
    const e = v && evaluators.get(v.evaluatorId);
    return {
      evaluatorVersionId: id,
      evaluatorId: v?.evaluatorId ?? 0n,
      type: v?.type ?? 0,
      name: e?.name ?? "",
      version: v?.version ?? "",
      description: v?.description ?? "",
      builtin: e?.builtin ?? false,
    };
  });
}

/**
 * Pairs of evaluator versions measuring the same evaluator in an experiment and its baseline:
 * for each evaluator of `cols` also in `baseline` (by evaluator id), the two version ids.
 */
export function alignEvaluators(
  cols: EvaluatorColumn[],
  baseline: EvaluatorColumn[],
): { evaluatorId: bigint; versionId: bigint; baselineVersionId: bigint }[] {
  const byEvaluator = new Map(
    baseline.filter((c) => c.evaluatorId !== 0n).map((c) => [c.evaluatorId, c]),
  );
  return cols.flatMap((c) => {
    const b = c.evaluatorId !== 0n ? byEvaluator.get(c.evaluatorId) : undefined;
    return b
      ? [{
        evaluatorId: c.evaluatorId,
        versionId: c.evaluatorVersionId,
        baselineVersionId: b.evaluatorVersionId,
      }]
      : [];
  });
}
