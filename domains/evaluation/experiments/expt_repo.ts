/**
 * Writes of `experiments`: insert, status changes as compare-and-set (so concurrent
 * processes agree on one transition), a new run, meta updates, soft delete.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../../infra/db/mod.ts";
import type { ExperimentRow, ExperimentTables } from "./_tables.ts";
import type { Experiment } from "./types.ts";

/** The experiment writes. */
export type ExptRepo = ReturnType<typeof createExptRepo>;

/** Creates the repo. */
export function createExptRepo(db: Database) {
  const q = (): Kysely<ExperimentTables> => db.session<ExperimentTables>();
  const s = (n: bigint) => `${n}`;
  return {
    async insert(e: Experiment): Promise<void> {
      const row: ExperimentRow = {
        id: s(e.id),
        space_id: s(e.workspaceId),
        name: e.name,
        description: e.description,
        status: e.status,
        status_message: e.statusMessage,
        eval_set_id: s(e.evalSetId),
        eval_set_version_id: s(e.evalSetVersionId),
        target_id: s(e.targetId),
        target_version_id: s(e.targetVersionId),
        evaluator_version_ids: JSON.stringify(e.evaluatorVersionIds.map(String)),
        target_field_mapping: JSON.stringify(e.targetFieldMapping),
        evaluator_field_mapping: JSON.stringify(e.evaluatorFieldMapping),
        pass_thresholds: JSON.stringify(e.passThresholds),
        item_concur_num: e.itemConcurNum,
        item_retry_num: e.itemRetryNum,
        expt_type: e.exptType,
        source_type: e.sourceType,
        source_id: e.sourceId,
        run_id: s(e.runId),
        created_by: s(e.createdBy),
        start_at: e.startAt,
        end_at: e.endAt,
        created_at: e.createdAt,
        updated_at: e.updatedAt,
        deleted_at: 0,
      };
      await q().insertInto("experiments").values(row).execute();
    },

    /** Moves the experiment from one of `from` to `to`; false when it was elsewhere. */
    async transition(
      id: bigint,
      from: number[],
      to: number,
      o: { message?: string; startAt?: number; endAt?: number; runId?: bigint } = {},
    ): Promise<boolean> {
      const u = q().updateTable("experiments").set({
        status: to,
        updated_at: new Date(),
        ...(o.message !== undefined ? { status_message: o.message.slice(0, 2000) } : {}),
        ...(o.startAt !== undefined ? { start_at: o.startAt } : {}),
        ...(o.endAt !== undefined ? { end_at: o.endAt } : {}),
        ...(o.runId !== undefined ? { run_id: s(o.runId) } : {}),
      }).where("id", "=", s(id)).where("status", "in", from);
      const r = await u.executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async nameTaken(space: bigint, name: string, except?: bigint): Promise<boolean> {
      let sel = q().selectFrom("experiments").select("id").where("space_id", "=", s(space))
        .where("name", "=", name).where("deleted_at", "=", 0);
      if (except !== undefined) sel = sel.where("id", "!=", s(except));
      return !!(await sel.executeTakeFirst());
    },

    async updateMeta(id: bigint, o: { name?: string; description?: string }): Promise<void> {
      await q().updateTable("experiments").set({
        ...(o.name !== undefined ? { name: o.name } : {}),
        ...(o.description !== undefined ? { description: o.description } : {}),
        updated_at: new Date(),
      }).where("id", "=", s(id)).where("deleted_at", "=", 0).execute();
    },

    async softDelete(ids: bigint[]): Promise<void> {
      if (!ids.length) return;
      const at = Date.now();
      for (const id of ids) {
        await q().updateTable("experiments").set({ deleted_at: at, updated_at: new Date(at) })
          .where("id", "=", s(id)).where("deleted_at", "=", 0).execute();
      }
    },

    /** Live experiments of a workspace, newest first, with a name filter and paging. */
    async list(space: bigint, o: {
      name?: string;
      statuses?: number[];
      evalSetIds?: bigint[];
      createdBy?: bigint[];
      limit: number;
      offset: number;
    }): Promise<{ rows: ExperimentRow[]; total: number }> {
      let base = q().selectFrom("experiments").where("space_id", "=", s(space))
        .where("deleted_at", "=", 0);
      if (o.name) base = base.where("name", "like", `%${o.name.replace(/[\\%_]/g, "\\$&")}%`);
      if (o.statuses?.length) base = base.where("status", "in", o.statuses);
      if (o.evalSetIds?.length) base = base.where("eval_set_id", "in", o.evalSetIds.map(s));
      if (o.createdBy?.length) base = base.where("created_by", "in", o.createdBy.map(s));
      const total = await base.select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirst();
      const rows = await base.selectAll().orderBy("created_at", "desc").orderBy("id", "desc")
        .limit(o.limit).offset(o.offset).execute();
      return { rows, total: Number(total?.n ?? 0) };
    },
  };
}
