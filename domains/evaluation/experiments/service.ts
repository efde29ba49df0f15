/**
 * Experiments for the routes: submit (answers at once; the run goes on in the pipeline),
 * reads with their item counts, name checks, meta updates, deletes, kill, retry (a new
 * run over the failed, all, or chosen items), clone.
 */
import type { Database } from "../../../infra/db/mod.ts";
import type { IdGenerator } from "../../../infra/idgen/mod.ts";
import { AlreadyExistsError } from "../../../infra/errors.ts";
import { AppError, Codes, invalidParam } from "../../errors.ts";
import type { Authz } from "../../foundation/authz.ts";
import type { DataServices } from "../../data/mod.ts";
import type { EvaluatorRepo } from "../repo.ts";
import type { TargetRunner } from "../target_types.ts";
import type { ExptRepo } from "./expt_repo.ts";
import type { ItemsRepo } from "./items_repo.ts";
import type { ExperimentPipeline } from "./pipeline.ts";
import { type ExperimentReads, toExperiment } from "./repo.ts";
import { resolveSubmit, type SubmitInput } from "./submit.ts";
import {
  type Experiment,
  ExptStatus,
  isFinal,
  type ItemCounts,
  ItemState,
  RetryMode,
} from "./types.ts";

/** An experiment with its item counts. */
export interface ExperimentView {
  experiment: Experiment;
  counts: ItemCounts;
}

/** The experiment service. */
export interface ExperimentService {
  submit(userId: bigint, input: SubmitInput): Promise<ExperimentView>;
  batchGet(userId: bigint, workspaceId: bigint, ids: bigint[]): Promise<ExperimentView[]>;
  list(userId: bigint, workspaceId: bigint, q: {
    name?: string;
    statuses?: number[];
    evalSetIds?: bigint[];
    createdBy?: bigint[];
    pageNumber?: number;
    pageSize?: number;
  }): Promise<{ experiments: ExperimentView[]; total: number }>;
  checkName(userId: bigint, workspaceId: bigint, name: string): Promise<boolean>;
  update(
    userId: bigint,
    workspaceId: bigint,
    id: bigint,
    o: { name?: string; description?: string },
  ): Promise<void>;
  remove(userId: bigint, workspaceId: bigint, ids: bigint[]): Promise<void>;
  kill(userId: bigint, workspaceId: bigint, id: bigint): Promise<void>;
  retry(
    userId: bigint,
    workspaceId: bigint,
    id: bigint,
    o: { mode?: number; itemIds?: bigint[] },
  ): Promise<bigint>;
  clone(userId: bigint, workspaceId: bigint, id: bigint): Promise<ExperimentView>;
}

/** Creates the service. */
export function createExperimentService(deps: {
  db: Database;
  ids: IdGenerator;
  authz: Authz;
  data: Pick<DataServices, "versions">;
  evaluators: EvaluatorRepo;
  targets: TargetRunner;
  reads: ExperimentReads;
  expts: ExptRepo;
  items: ItemsRepo;
  pipeline: ExperimentPipeline;
}): ExperimentService {
  const views = async (list: Experiment[]): Promise<ExperimentView[]> => {
    const counts = await deps.reads.counts(list.map((e) => e.id));
    return list.map((e) => ({ experiment: e, counts: counts.get(e.id)! }));
  };
  const checkName = (name: string) => {
    const n = name.trim();
    if (!n || n.length > 255) throw invalidParam("name", "1..255 characters");
    return n;
  };
  const create = async (userId: bigint, input: SubmitInput) => {
    await deps.authz.requireMember(userId, input.workspaceId);
    const name = checkName(input.name ?? "");
    if ((input.description ?? "").length > 2000) {
      throw invalidParam("desc", "at most 2000 characters");
    }
    const r = await resolveSubmit(deps, userId, input);
    if (await deps.expts.nameTaken(input.workspaceId, name)) {
      throw new AppError(Codes.resourceDuplicated, `an experiment named "${name}" already exists`);
    }
    const [id, runId] = await deps.ids.genIds(2);
    const now = new Date();
    const e: Experiment = {
      id,
      workspaceId: input.workspaceId,
      name,
      description: input.description ?? "",
      status: ExptStatus.Pending,
      statusMessage: "",
      evalSetId: r.evalSetId,
      evalSetVersionId: r.evalSetVersionId,
      targetId: r.target?.targetId ?? 0n,
      targetVersionId: r.target?.id ?? 0n,
      evaluatorVersionIds: r.evaluatorVersionIds,
      targetFieldMapping: input.targetFieldMapping ?? {},
      evaluatorFieldMapping: r.evaluatorFieldMapping,
      passThresholds: r.passThresholds,
      itemConcurNum: r.itemConcurNum,
      itemRetryNum: r.itemRetryNum,
      exptType: input.exptType ?? 1,
      sourceType: input.sourceType ?? 1,
      sourceId: input.sourceId ?? "",
      runId,
      createdBy: userId,
      startAt: 0,
      endAt: 0,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await deps.expts.insert(e);
    } catch (err) {
      if (err instanceof AlreadyExistsError) {
        throw new AppError(
          Codes.resourceDuplicated,
          `an experiment named "${name}" already exists`,
        );
      }
      throw err;
    }
    await deps.pipeline.start(id, runId);
    return (await views([e]))[0];
  };

  return {
    submit: create,
    async batchGet(userId, workspaceId, ids) {
      if (ids.length > 100) throw invalidParam("expt_ids", "at most 100");
      return await views(await deps.reads.loadMany(userId, workspaceId, ids));
    },
    async list(userId, workspaceId, q) {
      await deps.authz.requireMember(userId, workspaceId);
      const size = q.pageSize ?? 20;
      const page = q.pageNumber ?? 1;
      if (!Number.isInteger(size) || size < 1 || size > 200) {
        throw invalidParam("page_size", "1..200");
      }
      if (!Number.isInteger(page) || page < 1 || page > 100_000) {
        throw invalidParam("page_number", "1..100000");
      }
      const { rows, total } = await deps.expts.list(workspaceId, {
        ...q,
        limit: size,
        offset: (page - 1) * size,
      });
      return { experiments: await views(rows.map(toExperiment)), total };
    },
    async checkName(userId, workspaceId, name) {
      await deps.authz.requireMember(userId, workspaceId);
      return !(await deps.expts.nameTaken(workspaceId, checkName(name)));
    },
    async update(userId, workspaceId, id, o) {
      const e = await deps.reads.load(userId, workspaceId, id);
      const name = o.name === undefined ? undefined : checkName(o.name);
      if (o.description !== undefined && o.description.length > 2000) {
        throw invalidParam("desc", "at most 2000 characters");
      }
      if (name !== undefined && await deps.expts.nameTaken(workspaceId, name, e.id)) {
        throw new AppError(
          Codes.resourceDuplicated,
          `an experiment named "${name}" already exists`,
        );
      }
      await deps.expts.updateMeta(e.id, { name, description: o.description });
    },
    async remove(userId, workspaceId, ids) {
      if (!ids.length || ids.length > 100) throw invalidParam("expt_ids", "1..100 ids");
      const list = await deps.reads.loadMany(userId, workspaceId, ids);
      // A running experiment is stopped first: nothing keeps working for a deleted one.
      for (const e of list) if (!isFinal(e.status)) await deps.pipeline.kill(e);
      await deps.expts.softDelete(list.map((e) => e.id));
    },
    async kill(userId, workspaceId, id) {
      const e = await deps.reads.load(userId, workspaceId, id);
      if (isFinal(e.status)) {
        throw new AppError(Codes.invalidParam, `invalid param: the experiment has already ended`);
      }
      await deps.pipeline.kill(e);
    },
    async retry(userId, workspaceId, id, o) {
      const e = await deps.reads.load(userId, workspaceId, id);
      if (!isFinal(e.status)) {
        throw new AppError(Codes.invalidParam, "invalid param: the experiment is still running");
      }
      const mode = o.mode ?? RetryMode.Failure;
      if (mode === RetryMode.TargetItems && !o.itemIds?.length) {
        throw invalidParam("item_ids", "the items to run again");
      }
      if (![RetryMode.All, RetryMode.Failure, RetryMode.TargetItems].includes(mode as 1)) {
        throw invalidParam("retry_mode", "1 (all), 2 (failures) or 3 (chosen items)");
      }
      const runId = await deps.ids.genId();
      const n = await deps.db.transaction(async () => {
        const moved = await deps.expts.transition(
          e.id,
          [e.status],
          ExptStatus.Processing,
          { runId, endAt: 0, message: "" },
        );
        if (!moved) {
          throw new AppError(Codes.invalidParam, "invalid param: the experiment changed meanwhile");
        }
        const n = await deps.items.resetForRetry(e.id, runId, {
          ...(mode === RetryMode.Failure ? { states: [ItemState.Fail, ItemState.Terminal] } : {}),
          ...(mode === RetryMode.TargetItems ? { itemIds: o.itemIds } : {}),
        });
        if (n === 0) throw invalidParam("retry_mode", "no item of the experiment to run again");
        return n;
      });
      if (n > 0) await deps.pipeline.start(e.id, runId);
      return runId;
    },
    async clone(userId, workspaceId, id) {
      const e = await deps.reads.load(userId, workspaceId, id);
      let name = `${e.name}_copy`.slice(0, 255);
      for (let i = 2; await deps.expts.nameTaken(workspaceId, name); i++) {
        name = `${e.name}_copy${i}`.slice(0, 255);
      }
      const t = e.targetVersionId ? { targetVersionId: e.targetVersionId } : {};
      return await create(userId, {
        workspaceId,
        name,
        description: e.description,
        evalSetId: e.evalSetId,
        evalSetVersionId: e.evalSetVersionId,
        ...t,
        evaluatorVersionIds: e.evaluatorVersionIds,
        targetFieldMapping: e.targetFieldMapping,
        evaluatorFieldMapping: e.evaluatorFieldMapping,
        passThresholds: e.passThresholds,
        itemConcurNum: e.itemConcurNum,
        itemRetryNum: e.itemRetryNum,
        exptType: e.exptType,
        sourceType: e.sourceType,
        sourceId: e.sourceId,
      });
    },
  };
}
