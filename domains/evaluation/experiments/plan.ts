/**
 * What an experiment's items run with, loaded once per experiment run and process: its
 * target version and evaluator versions (with their names).
 */
import type { TargetRunner } from "../target_types.ts";
import type { EvaluatorRepo } from "../repo.ts";
import type { ExptPlan } from "./run_item.ts";
import type { Experiment } from "./types.ts";

/** Loads plans, caching the last few. */
export function createPlanLoader(deps: { targets: TargetRunner; evaluators: EvaluatorRepo }) {
  const cache = new Map<string, Promise<Omit<ExptPlan, "schema">>>();
  const load = async (expt: Experiment): Promise<Omit<ExptPlan, "schema">> => {
    const target = expt.targetVersionId
      ? await deps.targets.getVersion(expt.workspaceId, expt.targetVersionId)
      : undefined;
    if (expt.targetVersionId && !target) {
      throw new Error(`the target version ${expt.targetVersionId} no longer exists`);
    }
    // Deleted versions still run: the experiment was submitted with them.
    const versions = await deps.evaluators.versionsByIds(expt.evaluatorVersionIds, true);
    const owners = await deps.evaluators.byIds([...new Set(versions.map((v) => v.evaluatorId))], {
      deleted: true,
    });
    const names = new Map(owners.map((e) => [e.id, e.name]));
    const byId = new Map(versions.map((v) => [v.id, v]));
    const evaluators = expt.evaluatorVersionIds.flatMap((id) => {
      const v = byId.get(id);
      return v ? [{ ...v, name: names.get(v.evaluatorId) ?? "" }] : [];
    });
    return { expt, ...(target ? { target } : {}), evaluators };
  };
  return {
    get(expt: Experiment): Promise<Omit<ExptPlan, "schema">> {
      const key = `${expt.id}:${expt.runId}`;
      let p = cache.get(key);
      if (!p) {
        p = load(expt);
        p.catch(() => cache.delete(key));
        cache.set(key, p);
        while (cache.size > 64) cache.delete(cache.keys().next().value!);
      }
      return p;
    },
    forget(exptId: bigint) {
      for (const k of cache.keys()) if (k.startsWith(`${exptId}:`)) cache.delete(k);
    },
  };
}

/** The loader. */
export type PlanLoader = ReturnType<typeof createPlanLoader>;
