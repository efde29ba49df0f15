/**
 * Queries on evaluation targets and their versions (ambient session: joins the caller's
 * transaction). Creation is find-or-insert: a concurrent insert of the same target or version
 * loses on the unique key and reads the winner's row.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../infra/db/mod.ts";
import { AlreadyExistsError } from "../../infra/errors.ts";
import type { EvalTargetContent } from "./target_content.ts";

/** `eval_targets`. */
interface TargetRow {
  id: string;
  space_id: string;
  target_type: number;
  source_target_id: string;
  created_by: string;
  updated_by: string;
  created_at: Date;
  updated_at: Date;
  deleted_at: number;
}

/** `eval_target_versions`: `content` is JSON text written, parsed object (MySQL) read. */
interface TargetVersionRow {
  id: string;
  space_id: string;
  target_id: string;
  target_type: number;
  source_target_version: string;
  content: unknown;
  created_by: string;
  updated_by: string;
  created_at: Date;
  updated_at: Date;
  deleted_at: number;
}

interface TargetTables {
  eval_targets: TargetRow;
  eval_target_versions: TargetVersionRow;
}

/** A stored target. */
export interface StoredTarget {
  id: bigint;
  workspaceId: bigint;
  targetType: number;
  sourceTargetId: string;
  createdBy: bigint;
  updatedBy: bigint;
  createdAt: Date;
  updatedAt: Date;
}

/** A stored target version. */
export interface StoredTargetVersion {
  id: bigint;
  workspaceId: bigint;
  targetId: bigint;
  targetType: number;
  sourceTargetVersion: string;
  content: EvalTargetContent;
  createdBy: bigint;
  updatedBy: bigint;
  createdAt: Date;
  updatedAt: Date;
}

/** Data access for targets. */
export function createTargetRepo(db: Database) {
  const q = (): Kysely<TargetTables> => db.session<TargetTables>();
  // A locking read sees rows committed after the caller's transaction took its snapshot.
  const bySource = async (space: bigint, type: number, sourceIds: string[], lock = false) => {
    if (sourceIds.length === 0) return [];
    let sel = q().selectFrom("eval_targets").selectAll()
      .where("space_id", "=", space.toString()).where("target_type", "=", type)
      .where("source_target_id", "in", sourceIds).where("deleted_at", "=", 0).orderBy("id");
    if (lock) sel = sel.forUpdate();
    return (await sel.execute()).map(toTarget);
  };
  const versionOf = async (targetId: bigint, sourceVersion: string, lock = false) => {
    let sel = q().selectFrom("eval_target_versions").selectAll()
      .where("target_id", "=", targetId.toString())
      .where("source_target_version", "=", sourceVersion).where("deleted_at", "=", 0);
    if (lock) sel = sel.forUpdate();
    const r = await sel.executeTakeFirst();
    return r && toVersion(r);
  };
  return {
    bySource: (space: bigint, type: number, sourceIds: string[]) =>
      bySource(space, type, sourceIds),
    versionOf: (targetId: bigint, sourceVersion: string) => versionOf(targetId, sourceVersion),
    /** The live target of a source, inserting `t` when there is none. */
    async findOrInsertTarget(t: StoredTarget): Promise<StoredTarget> {
      const [found] = await bySource(t.workspaceId, t.targetType, [t.sourceTargetId]);
      if (found) return found;
      try {
        await q().insertInto("eval_targets").values({
          id: t.id.toString(),
          space_id: t.workspaceId.toString(),
          target_type: t.targetType,
          source_target_id: t.sourceTargetId,
          created_by: t.createdBy.toString(),
          updated_by: t.updatedBy.toString(),
          created_at: t.createdAt,
          updated_at: t.updatedAt,
          deleted_at: 0,
        }).execute();
        return t;
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
        const [winner] = await bySource(t.workspaceId, t.targetType, [t.sourceTargetId], true);
        if (!winner) throw err;
        return winner;
      }
    },
    /** The version of a target for a source version, inserting `v` when there is none. */
    async findOrInsertVersion(v: StoredTargetVersion): Promise<StoredTargetVersion> {
      const found = await versionOf(v.targetId, v.sourceTargetVersion);
      if (found) return found;
      try {
        await q().insertInto("eval_target_versions").values({
          id: v.id.toString(),
          space_id: v.workspaceId.toString(),
          target_id: v.targetId.toString(),
          target_type: v.targetType,
          source_target_version: v.sourceTargetVersion,
          content: JSON.stringify(v.content),
          created_by: v.createdBy.toString(),
          updated_by: v.updatedBy.toString(),
          created_at: v.createdAt,
          updated_at: v.updatedAt,
          deleted_at: 0,
        }).execute();
        return v;
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
        const winner = await versionOf(v.targetId, v.sourceTargetVersion, true);
        if (!winner) throw err;
        return winner;
      }
    },
    async targetsByIds(ids: bigint[]): Promise<StoredTarget[]> {
      if (ids.length === 0) return [];
      const rows = await q().selectFrom("eval_targets").selectAll()
        .where("id", "in", ids.map(String)).where("deleted_at", "=", 0).execute();
      return rows.map(toTarget);
    },
    /** Live versions among `ids` of the workspace `space`. */
    async versionsByIds(space: bigint, ids: bigint[]): Promise<StoredTargetVersion[]> {
      if (ids.length === 0) return [];
      const rows = await q().selectFrom("eval_target_versions").selectAll()
        .where("id", "in", ids.map(String)).where("space_id", "=", space.toString())
        .where("deleted_at", "=", 0).execute();
      return rows.map(toVersion);
    },
  };
}

/** The repository's type. */
export type TargetRepo = ReturnType<typeof createTargetRepo>;

function toTarget(r: TargetRow): StoredTarget {
  return {
    id: BigInt(r.id),
    workspaceId: BigInt(r.space_id),
    targetType: Number(r.target_type),
    sourceTargetId: r.source_target_id,
    createdBy: BigInt(r.created_by),
    updatedBy: BigInt(r.updated_by),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toVersion(r: TargetVersionRow): StoredTargetVersion {
  return {
    id: BigInt(r.id),
    workspaceId: BigInt(r.space_id),
    targetId: BigInt(r.target_id),
    targetType: Number(r.target_type),
    sourceTargetVersion: r.source_target_version,
    content:
      (typeof r.content === "string" ? JSON.parse(r.content) : r.content) as EvalTargetContent,
    createdBy: BigInt(r.created_by),
    updatedBy: BigInt(r.updated_by),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
