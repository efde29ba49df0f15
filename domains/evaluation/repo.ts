/** Queries on evaluators and their versions (ambient session: joins the caller's transaction). */
import { type Kysely, sql } from "kysely";
import type { Database } from "../../infra/db/mod.ts";
import type { EvaluatorRow, EvaluatorTables, EvaluatorVersionRow } from "./_tables.ts";
import type { Evaluator, EvaluatorContent, EvaluatorType, EvaluatorVersion } from "./types.ts";

/** A page query over a workspace's evaluators. */
export interface EvaluatorQuery {
  keyword?: string;
  types?: number[];
  creatorIds?: string[];
  limit: number;
  offset: number;
  orderBy: "created_at" | "updated_at" | "name";
  asc: boolean;
}

/** Data access for evaluators. */
export function createEvaluatorRepo(db: Database) {
  const q = (): Kysely<EvaluatorTables> => db.session<EvaluatorTables>();
  return {
    async insert(e: Evaluator): Promise<void> {
      await q().insertInto("evaluators").values({
        id: e.id.toString(),
        space_id: e.workspaceId.toString(),
        evaluator_type: e.type,
        name: e.name,
        description: e.description,
        draft_submitted: e.draftSubmitted ? 1 : 0,
        latest_version: e.latestVersion,
        builtin: e.builtin ? 1 : 0,
        benchmark: e.benchmark,
        vendor: e.vendor,
        created_by: e.createdBy.toString(),
        updated_by: e.updatedBy.toString(),
        created_at: e.createdAt,
        updated_at: e.updatedAt,
        deleted_at: 0,
      }).execute();
    },
    async byIds(ids: bigint[], o: { deleted?: boolean; forUpdate?: boolean } = {}) {
      if (ids.length === 0) return [];
      let sel = q().selectFrom("evaluators").selectAll()
        .where("id", "in", ids.map(String));
      if (!o.deleted) sel = sel.where("deleted_at", "=", 0);
      if (o.forUpdate) sel = sel.forUpdate();
      return (await sel.execute()).map(toEvaluator);
    },
    async nameTaken(space: bigint, name: string, except?: bigint): Promise<boolean> {
      let sel = q().selectFrom("evaluators").select("id").where("space_id", "=", space.toString())
        .where("name", "=", name).where("deleted_at", "=", 0);
      if (except !== undefined) sel = sel.where("id", "!=", except.toString());
      return (await sel.executeTakeFirst()) !== undefined;
    },
    async list(space: bigint, o: EvaluatorQuery): Promise<{ rows: Evaluator[]; total: number }> {
      let base = q().selectFrom("evaluators").where("space_id", "=", space.toString())
        .where("deleted_at", "=", 0);
      if (o.keyword) {
        // An explicit escape character: MySQL's default one (backslash) is none in SQLite.
        const like = `%${o.keyword.replace(/[!%_]/g, (c) => `!${c}`)}%`;
        base = base.where(sql<boolean>`name like ${like} escape '!'`);
      }
      if (o.types?.length) base = base.where("evaluator_type", "in", o.types);
      if (o.creatorIds?.length) base = base.where("created_by", "in", o.creatorIds);
      const [rows, count] = await Promise.all([
        base.selectAll().orderBy(o.orderBy, o.asc ? "asc" : "desc").orderBy("id", "desc")
          .limit(o.limit).offset(o.offset).execute(),
        base.select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow(),
      ]);
      return { rows: rows.map(toEvaluator), total: Number(count.n) };
    },
    async update(id: bigint, patch: Partial<EvaluatorRow>): Promise<void> {
      await q().updateTable("evaluators").set(patch).where("id", "=", id.toString()).execute();
    },
    async softDelete(id: bigint, at: number): Promise<void> {
      await q().updateTable("evaluators").set({ deleted_at: at }).where("id", "=", id.toString())
        .execute();
      await q().updateTable("evaluator_versions").set({ deleted_at: at })
        .where("evaluator_id", "=", id.toString()).where("deleted_at", "=", 0).execute();
    },
    async insertVersion(v: EvaluatorVersion, order: number): Promise<void> {
      await q().insertInto("evaluator_versions").values({
        id: v.id.toString(),
        evaluator_id: v.evaluatorId.toString(),
        space_id: v.workspaceId.toString(),
        evaluator_type: v.type,
        version: v.version,
        version_order: order,
        description: v.description,
        content: JSON.stringify(v.content),
        created_by: v.createdBy.toString(),
        updated_by: v.updatedBy.toString(),
        created_at: v.createdAt,
        updated_at: v.updatedAt,
        deleted_at: 0,
      }).execute();
    },
    async updateDraft(evaluatorId: bigint, content: EvaluatorContent, by: bigint, at: Date) {
      await q().updateTable("evaluator_versions").set({
        content: JSON.stringify(content),
        updated_by: by.toString(),
        updated_at: at,
      }).where("evaluator_id", "=", evaluatorId.toString()).where("version", "=", "").execute();
    },
    async version(evaluatorId: bigint, version: string): Promise<EvaluatorVersion | undefined> {
      const r = await q().selectFrom("evaluator_versions").selectAll()
        .where("evaluator_id", "=", evaluatorId.toString()).where("version", "=", version)
        .executeTakeFirst();
      return r && toVersion(r);
    },
    async versionsByIds(ids: bigint[], deleted = false): Promise<EvaluatorVersion[]> {
      if (ids.length === 0) return [];
      let sel = q().selectFrom("evaluator_versions").selectAll()
        .where("id", "in", ids.map(String));
      if (!deleted) sel = sel.where("deleted_at", "=", 0);
      return (await sel.execute()).map(toVersion);
    },
    async maxOrder(evaluatorId: bigint): Promise<number> {
      const r = await q().selectFrom("evaluator_versions")
        .select((eb) => eb.fn.max("version_order").as("m"))
        .where("evaluator_id", "=", evaluatorId.toString()).executeTakeFirst();
      return r?.m == null ? 0 : Number(r.m);
    },
    async versions(evaluatorId: bigint, o: {
      versions?: string[];
      limit: number;
      offset: number;
      asc: boolean;
    }): Promise<{ rows: EvaluatorVersion[]; total: number }> {
      let base = q().selectFrom("evaluator_versions")
        .where("evaluator_id", "=", evaluatorId.toString()).where("version", "!=", "");
      if (o.versions?.length) base = base.where("version", "in", o.versions);
      const [rows, count] = await Promise.all([
        base.selectAll().orderBy("version_order", o.asc ? "asc" : "desc").limit(o.limit)
          .offset(o.offset).execute(),
        base.select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow(),
      ]);
      return { rows: rows.map(toVersion), total: Number(count.n) };
    },
  };
}

/** The repository's type. */
export type EvaluatorRepo = ReturnType<typeof createEvaluatorRepo>;

function toEvaluator(r: EvaluatorRow): Evaluator {
  return {
    id: BigInt(r.id),
    workspaceId: BigInt(r.space_id),
    type: Number(r.evaluator_type) as EvaluatorType,
    name: r.name,
    description: r.description,
    draftSubmitted: Number(r.draft_submitted) === 1,
    latestVersion: r.latest_version,
    builtin: Number(r.builtin) === 1,
    benchmark: r.benchmark,
    vendor: r.vendor,
    createdBy: BigInt(r.created_by),
    updatedBy: BigInt(r.updated_by),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    deletedAt: Number(r.deleted_at),
  };
}

function toVersion(r: EvaluatorVersionRow): EvaluatorVersion {
  return {
    id: BigInt(r.id),
    evaluatorId: BigInt(r.evaluator_id),
    workspaceId: BigInt(r.space_id),
    type: Number(r.evaluator_type) as EvaluatorType,
    version: r.version,
    description: r.description,
    content:
      (typeof r.content === "string" ? JSON.parse(r.content) : r.content) as EvaluatorContent,
    createdBy: BigInt(r.created_by),
    updatedBy: BigInt(r.updated_by),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
