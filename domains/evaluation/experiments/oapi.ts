/**
 * Experiments as the OpenAPI (`/v1/loop/evaluation/experiments`) sees them, over the
 * experiment service: a submission names its evaluation set version, and its pass
 * thresholds' evaluators, by version string (resolved here to ids, in the caller's
 * workspace); an experiment is answered with its set and version, its target and its
 * evaluators by id and version string, which the OpenAPI's Experiment shows.
 */
import { invalidParam, notFound } from "../../errors.ts";
import type { DataServices } from "../../data/mod.ts";
import type { EvaluatorVersionService } from "../evaluator_versions.ts";
import type { TargetService, TargetView } from "../targets.ts";
import type { ExperimentService, ExperimentView } from "./service.ts";
import type { SubmitInput } from "./submit.ts";

/** An experiment with what the OpenAPI shows of its set, target and evaluators. */
export interface ExperimentDetail extends ExperimentView {
  /** Undefined when the set or its version is gone. */
  evalSet?: {
    name: string;
    description: string;
    version: string;
    versionDescription: string;
    itemCount: number;
  };
  target?: TargetView;
  /** By evaluator version id (as a string); a deleted evaluator is still here. */
  evaluators: Map<string, { evaluatorId: bigint; version: string; name: string }>;
}

/** A pass threshold naming its evaluator version by id, or by evaluator id and version. */
export interface OApiThreshold {
  evaluatorVersionId?: bigint;
  evaluatorId?: bigint;
  version?: string;
  minScore: number;
}

/** A submission as the OpenAPI words it. */
export interface OApiSubmitInput extends Omit<SubmitInput, "evalSetVersionId" | "passThresholds"> {
  evalSetId: bigint;
  /** The set's version string, e.g. "1.0.0". */
  evalSetVersion: string;
  passThresholds?: OApiThreshold[];
}

/** The OpenAPI's experiment operations that need more than the service. */
export interface ExperimentOApi {
  submit(userId: bigint, input: OApiSubmitInput): Promise<ExperimentDetail>;
  /** One experiment; `not found` when the workspace has no such experiment. */
  get(userId: bigint, workspaceId: bigint, id: bigint): Promise<ExperimentDetail>;
  list(
    userId: bigint,
    workspaceId: bigint,
    q: Parameters<ExperimentService["list"]>[2],
  ): Promise<{ experiments: ExperimentDetail[]; total: number }>;
}

/** What it is built from. */
export interface ExperimentOApiDeps {
  experiments: ExperimentService;
  data: Pick<DataServices, "versions">;
  evaluatorVersions: Pick<EvaluatorVersionService, "list" | "batchGet">;
  targets: Pick<TargetService, "batchGetVersions">;
}

const VERSION_PAGE = 200;
const MAX_VERSION_PAGES = 50;

/** Creates the operations. */
export function createExperimentOApi(deps: ExperimentOApiDeps): ExperimentOApi {
  const setVersionId = async (userId: bigint, ws: bigint, setId: bigint, version: string) => {
    const v = version.trim();
    if (!v) throw invalidParam("eval_set_param.version", "is required (e.g. 1.0.0)");
    // The list matches by LIKE: several versions may contain the string; one equals it.
    for (let page = 1; page <= MAX_VERSION_PAGES; page++) {
      const r = await deps.data.versions.list(userId, {
        workspaceId: ws,
        datasetId: setId,
        versionLike: v,
        pageSize: VERSION_PAGE,
        pageNumber: page,
      });
      const hit = r.versions.find((x) => x.version === v);
      if (hit) return hit.id;
      if (r.versions.length < VERSION_PAGE) break;
    }
    throw notFound(`evaluation set ${setId} version "${v.slice(0, 64)}"`);
  };

  const thresholdIds = async (userId: bigint, ws: bigint, list: OApiThreshold[]) => {
    const out = [];
    for (const t of list) {
      let id = t.evaluatorVersionId;
      if (id === undefined) {
        if (t.evaluatorId === undefined || !t.version) {
          throw invalidParam(
            "pass_thresholds",
            "each names evaluator_version_id, or evaluator_id and version",
          );
        }
        const r = await deps.evaluatorVersions.list(userId, ws, t.evaluatorId, {
          versions: [t.version],
          pageSize: 1,
        });
        id = r.versions[0]?.id;
        if (id === undefined) {
          throw notFound(`evaluator ${t.evaluatorId} version "${t.version.slice(0, 64)}"`);
        }
      }
      out.push({ evaluator_version_id: `${id}`, min_score: t.minScore });
    }
    return out;
  };

  const details = async (
    userId: bigint,
    ws: bigint,
    views: ExperimentView[],
  ): Promise<ExperimentDetail[]> => {
    if (!views.length) return [];
    const uniq = (ids: bigint[]) => [...new Set(ids.map(String))].map(BigInt);
    const evIds = uniq(views.flatMap((v) => v.experiment.evaluatorVersionIds));
    const tIds = uniq(views.map((v) => v.experiment.targetVersionId).filter((x) => x > 0n));
    const [evs, targets, sets] = await Promise.all([
      evIds.length ? deps.evaluatorVersions.batchGet(userId, ws, evIds, true) : [],
      tIds.length ? deps.targets.batchGetVersions(userId, ws, tIds) : [],
      deps.data.versions.batchGet(
        userId,
        ws,
        uniq(views.map((v) => v.experiment.evalSetVersionId)),
        true,
      ),
    ]);
    const evaluators = new Map(evs.flatMap((e) =>
      e.version
        ? [
          [`${e.version.id}`, {
            evaluatorId: e.evaluator.id,
            version: e.version.version,
            name: e.evaluator.name,
          }] as const,
        ]
        : []
    ));
    const byTarget = new Map(targets.map((t) => [`${t.version?.id}`, t]));
    const bySet = new Map(sets.map((s) => [`${s.version.id}`, s]));
    return views.map((v) => {
      const e = v.experiment;
      const s = bySet.get(`${e.evalSetVersionId}`);
      const t = byTarget.get(`${e.targetVersionId}`);
      return {
        ...v,
        ...(s
          ? {
            evalSet: {
              name: s.dataset.dataset.name,
              description: s.dataset.dataset.description,
              version: s.version.version,
              versionDescription: s.version.description,
              itemCount: s.version.itemCount,
            },
          }
          : {}),
        ...(t ? { target: t } : {}),
        evaluators: new Map(e.evaluatorVersionIds.flatMap((id) => {
          const x = evaluators.get(`${id}`);
          return x ? [[`${id}`, x] as const] : [];
        })),
      };
    });
  };

  return {
    async submit(userId, input) {
      const { evalSetVersion, passThresholds, ...rest } = input;
      const evalSetVersionId = await setVersionId(
        userId,
        input.workspaceId,
        input.evalSetId,
        evalSetVersion,
      );
      const thresholds = await thresholdIds(userId, input.workspaceId, passThresholds ?? []);
      const view = await deps.experiments.submit(userId, {
        ...rest,
        evalSetVersionId,
        passThresholds: thresholds,
      });
      return (await details(userId, input.workspaceId, [view]))[0];
    },
    async get(userId, workspaceId, id) {
      const [view] = await deps.experiments.batchGet(userId, workspaceId, [id]);
      if (!view) throw notFound(`experiment ${id}`);
      return (await details(userId, workspaceId, [view]))[0];
    },
    async list(userId, workspaceId, q) {
      const r = await deps.experiments.list(userId, workspaceId, q);
      return { experiments: await details(userId, workspaceId, r.experiments), total: r.total };
    },
  };
}
