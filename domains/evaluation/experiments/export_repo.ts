/**
 * Queries on `expt_export_records`. Leases are compare-and-set updates, as for dataset jobs:
 * a process claims an export whose lease is free or expired, renews it while writing, and
 * ends it only while it still holds the lease (a run taken over writes nothing more).
 */
import type { Kysely } from "kysely";
import type { Database } from "../../../infra/db/mod.ts";

/** Export statuses. */
export const ExportStatus = { Pending: 0, Running: 1, Success: 2, Failed: 3 } as const;

/** Which columns to write (absent list: all of that kind). */
export interface ExportColumns {
  evalSetFields?: string[];
  targetOutputs?: string[];
  metrics?: string[];
  evaluatorVersionIds?: string[];
}

/** An export job. */
export interface ExportJob {
  id: bigint;
  workspaceId: bigint;
  exptId: bigint;
  status: number;
  columns: ExportColumns;
  /** The object's key relative to the workspace. */
  fileKey: string;
  error?: string;
  failures: number;
  leaseOwner?: string;
  leaseUntil: number;
  createdBy: bigint;
  createdAt: Date;
  updatedAt: Date;
  /** Epoch ms (0: not yet). */
  startedAt: number;
  endedAt: number;
}

interface Row {
  id: string;
  space_id: string;
  expt_id: string;
  status: number;
  export_columns: string;
  file_key: string;
  error: string | null;
  failures: number;
  lease_owner: string | null;
  lease_until: number | string;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  started_at: number | string;
  ended_at: number | string;
}

type Tables = { expt_export_records: Row };

/** Data access for exports. */
export function createExportRepo(db: Database) {
  const q = (): Kysely<Tables> => db.session<Tables>();
  const live = [ExportStatus.Pending, ExportStatus.Running];
  return {
    async insert(j: ExportJob): Promise<void> {
      await q().insertInto("expt_export_records").values({
        id: `${j.id}`,
        space_id: `${j.workspaceId}`,
        expt_id: `${j.exptId}`,
        status: j.status,
        export_columns: JSON.stringify(j.columns),
        file_key: j.fileKey,
        error: null,
        failures: 0,
        lease_owner: null,
        lease_until: 0,
        created_by: `${j.createdBy}`,
        created_at: j.createdAt,
        updated_at: j.updatedAt,
        started_at: 0,
        ended_at: 0,
      }).execute();
    },
    async byId(id: bigint): Promise<ExportJob | undefined> {
      const r = await q().selectFrom("expt_export_records").selectAll()
        .where("id", "=", `${id}`).executeTakeFirst();
      return r && toJob(r);
    },
    /** An experiment's exports, newest first, and how many there are. */
    async list(exptId: bigint, o: { limit: number; offset: number }) {
      const base = q().selectFrom("expt_export_records").where("expt_id", "=", `${exptId}`);
      const [rows, n] = await Promise.all([
        base.selectAll().orderBy("created_at", "desc").orderBy("id", "desc")
          .limit(o.limit).offset(o.offset).execute(),
        base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst(),
      ]);
      return { jobs: rows.map(toJob), total: Number(n?.n ?? 0) };
    },
    /** Takes the lease when free, expired or already `owner`'s. */
    async claim(id: bigint, owner: string, leaseMs: number): Promise<boolean> {
      const now = Date.now();
      const r = await q().updateTable("expt_export_records")
        .set({ status: ExportStatus.Running, lease_owner: owner, lease_until: now + leaseMs })
        .where("id", "=", `${id}`).where("status", "in", live)
        .where((eb) => eb.or([eb("lease_until", "<", now), eb("lease_owner", "=", owner)]))
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await q().updateTable("expt_export_records").set({ started_at: now })
        .where("id", "=", `${id}`).where("started_at", "=", 0).execute();
      return true;
    },
    /** Extends `owner`'s lease; false when it is gone. */
    async renew(id: bigint, owner: string, leaseMs: number): Promise<boolean> {
      const r = await q().updateTable("expt_export_records")
        .set({ lease_until: Date.now() + leaseMs })
        .where("id", "=", `${id}`).where("lease_owner", "=", owner)
        .where("status", "=", ExportStatus.Running).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    /** Ends the export while `owner` holds it; false when the lease is gone. */
    async finish(
      id: bigint,
      owner: string,
      o: { status: number; error?: string },
    ): Promise<boolean> {
      const now = new Date();
      const r = await q().updateTable("expt_export_records")
        .set({
          status: o.status,
          error: o.error?.slice(0, 2048) ?? null,
          lease_owner: null,
          lease_until: 0,
          updated_at: now,
          ended_at: now.getTime(),
        })
        .where("id", "=", `${id}`).where("lease_owner", "=", owner)
        .where("status", "=", ExportStatus.Running).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    /** Lets the lease go (a stopping process, or a failed attempt to retry later). */
    async release(id: bigint, owner: string, failed = false): Promise<void> {
      await q().updateTable("expt_export_records")
        .set((eb) => ({
          lease_owner: null,
          lease_until: 0,
          ...(failed ? { failures: eb("failures", "+", 1) } : {}),
        }))
        .where("id", "=", `${id}`).where("lease_owner", "=", owner).execute();
    },
    /** Fails an export that never started (its wake-up could not be sent). */
    async failPending(id: bigint, error: string): Promise<void> {
      const now = new Date();
      await q().updateTable("expt_export_records")
        .set({ status: ExportStatus.Failed, error, updated_at: now, ended_at: now.getTime() })
        .where("id", "=", `${id}`).where("status", "=", ExportStatus.Pending).execute();
    },
  };
}

/** The repository's type. */
export type ExportRepo = ReturnType<typeof createExportRepo>;

function toJob(r: Row): ExportJob {
  return {
    id: BigInt(r.id),
    workspaceId: BigInt(r.space_id),
    exptId: BigInt(r.expt_id),
    status: Number(r.status),
    columns: JSON.parse(r.export_columns),
    fileKey: r.file_key,
    ...(r.error !== null ? { error: r.error } : {}),
    failures: Number(r.failures),
    ...(r.lease_owner !== null ? { leaseOwner: r.lease_owner } : {}),
    leaseUntil: Number(r.lease_until),
    createdBy: BigInt(r.created_by),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    startedAt: Number(r.started_at),
    endedAt: Number(r.ended_at),
  };
}
