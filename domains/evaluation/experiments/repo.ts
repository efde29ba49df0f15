/**
 * Reads of experiments shared by the pipeline and the result readers: an experiment by id
 * (for a member of its workspace), and its item counts by state.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../../infra/db/mod.ts";
import { notFound } from "../../errors.ts";
import type { Authz } from "../../foundation/authz.ts";
import type { ExperimentRow, ExperimentTables } from "./_tables.ts";
import { type Experiment, type ItemCounts, ItemState } from "./types.ts";

/** Parses a row. */
export function toExperiment(r: ExperimentRow): Experiment {
  return {
    id: BigInt(r.id),
    workspaceId: BigInt(r.space_id),
    name: r.name,
    description: r.description,
    status: Number(r.status),
    statusMessage: r.status_message,
    evalSetId: BigInt(r.eval_set_id),
    evalSetVersionId: BigInt(r.eval_set_version_id),
    targetId: BigInt(r.target_id),
    targetVersionId: BigInt(r.target_version_id),
    evaluatorVersionIds: (JSON.parse(r.evaluator_version_ids) as string[]).map(BigInt),
    targetFieldMapping: JSON.parse(r.target_field_mapping),
    evaluatorFieldMapping: JSON.parse(r.evaluator_field_mapping),
    passThresholds: JSON.parse(r.pass_thresholds),
    itemConcurNum: Number(r.item_concur_num),
    itemRetryNum: Number(r.item_retry_num),
    exptType: Number(r.expt_type),
    sourceType: Number(r.source_type),
    sourceId: r.source_id,
    runId: BigInt(r.run_id),
    createdBy: BigInt(r.created_by),
    startAt: Number(r.start_at),
    endAt: Number(r.end_at),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    deletedAt: Number(r.deleted_at),
  };
}

/** Shared experiment reads. */
export interface ExperimentReads {
  /** A live experiment of the workspace, after checking the caller is a member. */
  load(userId: bigint, workspaceId: bigint, exptId: bigint): Promise<Experiment>;
  /** Live experiments of the workspace among `ids` (unknown ids left out), caller checked. */
  loadMany(userId: bigint, workspaceId: bigint, ids: bigint[]): Promise<Experiment[]>;
  /** An experiment by id, live or not, with no access check (the pipeline's own reads). */
  byId(exptId: bigint): Promise<Experiment | undefined>;
  /** Item counts by run state. */
  counts(exptIds: bigint[]): Promise<Map<bigint, ItemCounts>>;
}

/** Creates the reads. */
export function createExperimentReads(deps: { db: Database; authz: Authz }): ExperimentReads {
  const q = (): Kysely<ExperimentTables> => deps.db.session<ExperimentTables>();
  const live = async (workspaceId: bigint, ids: bigint[]) => {
    if (!ids.length) return [];
    const rows = await q().selectFrom("experiments").selectAll()
      .where("space_id", "=", `${workspaceId}`).where("deleted_at", "=", 0)
      .where("id", "in", ids.map((i) => `${i}`)).execute();
    return rows.map(toExperiment);
  };
  return {
    async load(userId, workspaceId, exptId) {
      await deps.authz.requireMember(userId, workspaceId);
      const [e] = await live(workspaceId, [exptId]);
      if (!e) throw notFound(`experiment ${exptId}`);
      return e;
    },
    async loadMany(userId, workspaceId, ids) {
      await deps.authz.requireMember(userId, workspaceId);
      const found = new Map((await live(workspaceId, ids)).map((e) => [e.id, e]));
      return ids.flatMap((i) => found.get(i) ?? []);
    },
    async byId(exptId) {
      const r = await q().selectFrom("experiments").selectAll().where("id", "=", `${exptId}`)
        .executeTakeFirst();
      return r && toExperiment(r);
    },
    async counts(exptIds) {
      const out = new Map<bigint, ItemCounts>();
      for (const id of exptIds) {
        out.set(id, { pending: 0, processing: 0, success: 0, fail: 0, terminated: 0 });
      }
      if (!exptIds.length) return out;
      const rows = await q().selectFrom("expt_items")
        .select(["expt_id", "status", (eb) => eb.fn.countAll<number>().as("n")])
        .where("expt_id", "in", exptIds.map((i) => `${i}`))
        .groupBy(["expt_id", "status"]).execute();
      for (const r of rows) {
        const c = out.get(BigInt(r.expt_id))!;
        const n = Number(r.n);
        const s = Number(r.status);
        if (s === ItemState.Queueing) c.pending += n;
        else if (s === ItemState.Processing) c.processing += n;
        else if (s === ItemState.Success) c.success += n;
        else if (s === ItemState.Fail) c.fail += n;
        else if (s === ItemState.Terminal) c.terminated += n;
      }
      return out;
    },
  };
}
