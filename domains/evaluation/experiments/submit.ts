/**
 * Checks of a submitted experiment, before anything is written: the evaluation set version
 * of the workspace, the evaluator versions (by id, or evaluator id + version), the target
 * (a version id, or a prompt version to make one from), mappings and thresholds that name
 * only the experiment's evaluators, and bounded concurrency and retries.
 */
import { AppError, Codes, invalidParam, notFound } from "../../errors.ts";
import type { DataServices } from "../../data/mod.ts";
import type { EvaluatorRepo } from "../repo.ts";
import type { EvalTargetVersion, TargetRunner } from "../target_types.ts";
import type { EvaluatorFieldMapping, FieldMapping, PassThreshold } from "./types.ts";

/** A submit request, as the route decoded it. */
export interface SubmitInput {
  workspaceId: bigint;
  name: string;
  description?: string;
  evalSetId?: bigint;
  evalSetVersionId?: bigint;
  targetVersionId?: bigint;
  createTarget?: { targetType: number; sourceTargetId: string; sourceTargetVersion: string };
  evaluatorVersionIds?: bigint[];
  evaluatorIdVersions?: { evaluatorId: bigint; version: string }[];
  targetFieldMapping?: { from_eval_set?: FieldMapping[] };
  evaluatorFieldMapping?: (EvaluatorFieldMapping & {
    evaluator_id_version_item?: { evaluator_id?: string; version?: string };
  })[];
  passThresholds?: PassThreshold[];
  itemConcurNum?: number;
  itemRetryNum?: number;
  exptType?: number;
  sourceType?: number;
  sourceId?: string;
}

/** What a checked submission resolves to. */
export interface ResolvedSubmit {
  evalSetId: bigint;
  evalSetVersionId: bigint;
  target?: EvalTargetVersion;
  evaluatorVersionIds: bigint[];
  evaluatorFieldMapping: EvaluatorFieldMapping[];
  passThresholds: PassThreshold[];
  itemConcurNum: number;
  itemRetryNum: number;
}

/** Largest `item_concur_num`. */
export const MAX_ITEM_CONCURRENCY = 100;
/** Largest `item_retry_num`. */
export const MAX_ITEM_RETRIES = 5;

/** Checks and resolves a submission. */
export async function resolveSubmit(
  deps: { data: Pick<DataServices, "versions">; evaluators: EvaluatorRepo; targets: TargetRunner },
  userId: bigint,
  input: SubmitInput,
): Promise<ResolvedSubmit> {
  const concur = input.itemConcurNum ?? 10;
  if (!Number.isInteger(concur) || concur < 1 || concur > MAX_ITEM_CONCURRENCY) {
    throw invalidParam("item_concur_num", `1..${MAX_ITEM_CONCURRENCY}`);
  }
  const retries = input.itemRetryNum ?? 0;
  if (!Number.isInteger(retries) || retries < 0 || retries > MAX_ITEM_RETRIES) {
    throw invalidParam("item_retry_num", `0..${MAX_ITEM_RETRIES}`);
  }
  if (!input.evalSetVersionId) {
    throw invalidParam("eval_set_version_id", "required (a committed version of the set)");
  }
  const v = await deps.data.versions.get(userId, input.evalSetVersionId, {
    workspaceId: input.workspaceId,
  }).catch((err) => {
    // Not found, in the data domain's words or ours: the same answer either way.
    if (err instanceof AppError && err.code !== Codes.noPermission) return undefined;
    throw err;
  });
  if (!v || v.dataset.dataset.spaceId !== input.workspaceId) {
    throw notFound(`evaluation set version ${input.evalSetVersionId}`);
  }
  if (input.evalSetId && v.dataset.dataset.id !== input.evalSetId) {
    throw invalidParam("eval_set_version_id", "is not a version of eval_set_id");
  }

  // Evaluators: ids, then evaluator id + version pairs, in order, without repeats.
  const ids: bigint[] = [...(input.evaluatorVersionIds ?? [])];
  const pairs = [
    ...(input.evaluatorIdVersions ?? []),
    ...(input.evaluatorFieldMapping ?? []).flatMap((m) =>
      m.evaluator_id_version_item?.evaluator_id && m.evaluator_id_version_item.version
        ? [{
          evaluatorId: toId(m.evaluator_id_version_item.evaluator_id, "evaluator_id"),
          version: m.evaluator_id_version_item.version,
        }]
        : []
    ),
  ];
  const byPair = new Map<string, bigint>();
  for (const p of pairs) {
    const ver = await deps.evaluators.version(p.evaluatorId, p.version);
    if (!ver || ver.workspaceId !== input.workspaceId || !p.version) {
      throw notFound(`evaluator ${p.evaluatorId} version ${p.version}`);
    }
    byPair.set(`${p.evaluatorId}:${p.version}`, ver.id);
    ids.push(ver.id);
  }
  const unique = [...new Set(ids.map(String))].map(BigInt);
  if (!unique.length) throw invalidParam("evaluator_version_ids", "at least one evaluator");
  if (unique.length > 20) throw invalidParam("evaluator_version_ids", "at most 20 evaluators");
  const versions = await deps.evaluators.versionsByIds(unique);
  const found = new Map(versions.map((x) => [`${x.id}`, x]));
  for (const id of unique) {
    const ver = found.get(`${id}`);
    if (!ver || ver.workspaceId !== input.workspaceId) {
      throw notFound(`evaluator version ${id}`);
    }
    if (!ver.version) {
      throw invalidParam("evaluator_version_ids", `${id} is a draft: submit a version first`);
    }
  }
  const mappings = (input.evaluatorFieldMapping ?? []).map((m) => {
    const item = m.evaluator_id_version_item;
    const id = m.evaluator_version_id && m.evaluator_version_id !== "0"
      ? m.evaluator_version_id
      : item?.evaluator_id
      ? `${byPair.get(`${item.evaluator_id}:${item.version}`) ?? ""}`
      : "";
    if (!found.has(id)) {
      throw invalidParam("evaluator_field_mapping", `names an evaluator not in the experiment`);
    }
    return {
      evaluator_version_id: id,
      ...(m.from_eval_set ? { from_eval_set: m.from_eval_set } : {}),
      ...(m.from_target ? { from_target: m.from_target } : {}),
    };
  });
  const thresholds = (input.passThresholds ?? []).map((t) => {
    if (!found.has(`${t.evaluator_version_id}`)) {
      throw invalidParam("pass_thresholds", "names an evaluator not in the experiment");
    }
    if (typeof t.min_score !== "number" || !Number.isFinite(t.min_score)) {
      throw invalidParam("pass_thresholds", "min_score must be a number");
    }
    return { evaluator_version_id: `${t.evaluator_version_id}`, min_score: t.min_score };
  });

  let target: EvalTargetVersion | undefined;
  if (input.targetVersionId) {
    target = await deps.targets.getVersion(input.workspaceId, input.targetVersionId);
    if (!target) throw notFound(`eval target version ${input.targetVersionId}`);
  } else if (input.createTarget) {
    target = await deps.targets.ensureVersion(userId, input.workspaceId, input.createTarget);
  }
  return {
    evalSetId: v.dataset.dataset.id,
    evalSetVersionId: input.evalSetVersionId,
    ...(target ? { target } : {}),
    evaluatorVersionIds: unique,
    evaluatorFieldMapping: mappings,
    passThresholds: thresholds,
    itemConcurNum: concur,
    itemRetryNum: retries,
  };
}

function toId(s: string, field: string): bigint {
  if (!/^\d{1,19}$/.test(s)) throw invalidParam(field, "an id");
  return BigInt(s);
}
