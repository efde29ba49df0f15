/**
 * Queries on `dataset_io_jobs`. Leases are compare-and-set updates: a process claims a job
 * whose lease is free or expired (or already its own), renews it with every checkpoint, and
 * loses it when another process claimed the job after the lease expired (the checkpoint then
 * updates nothing, and the caller stops).
 */
import type { Kysely } from "kysely";
import type { Database } from "../../infra/db/mod.ts";
import {
  type Checkpoint,
  type IoJob,
  JobStatus,
  type JobStatus as Status,
  type JobType,
} from "./io_types.ts";
import type { ItemErrorGroup } from "./types.ts";

/** `dataset_io_jobs` (bigint columns read as strings). */
export interface IoJobRow {
  id: string;
  space_id: string;
  dataset_id: string;
  job_type: number;
  status: number;
  source: string;
  target: string;
  field_mappings: string;
  overwrite: number;
  total: string | number | null;
  processed: string | number;
  added: string | number;
  errors: string;
  checkpoint: string;
  reason: string | null;
  lease_owner: string | null;
  lease_until: string | number;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
}

type Tables = { dataset_io_jobs: IoJobRow };

/** Progress written at a checkpoint. */
export interface Progress {
  processed: number;
  added: number;
  errors: ItemErrorGroup[];
  checkpoint: Checkpoint;
  total?: number;
}

/** Data access for IO jobs. */
export function createIoJobRepo(db: Database) {
  const q = (): Kysely<Tables> => db.session<Tables>();
  const live = [JobStatus.Pending, JobStatus.Running];
  const progressCols = (p: Progress) => ({
    processed: p.processed,
    added: p.added,
    errors: JSON.stringify(p.errors),
    checkpoint: JSON.stringify(p.checkpoint),
    ...(p.total !== undefined ? { total: p.total } : {}),
  });
  return {
    async insert(job: IoJob): Promise<void> {
      await q().insertInto("dataset_io_jobs").values(toRow(job)).execute();
    },
    async byId(id: bigint): Promise<IoJob | undefined> {
      const r = await q().selectFrom("dataset_io_jobs").selectAll().where("id", "=", `${id}`)
        .executeTakeFirst();
      return r && toJob(r);
    },
    async byDataset(
      datasetId: bigint,
      o: { types?: number[]; statuses?: number[]; limit: number },
    ): Promise<IoJob[]> {
      let sel = q().selectFrom("dataset_io_jobs").selectAll()
        .where("dataset_id", "=", `${datasetId}`);
      if (o.types?.length) sel = sel.where("job_type", "in", o.types);
      if (o.statuses?.length) sel = sel.where("status", "in", o.statuses);
      const rows = await sel.orderBy("created_at", "desc").orderBy("id", "desc").limit(o.limit)
        .execute();
      return rows.map(toJob);
    },
    /** Takes the lease when free, expired or already `owner`'s; false when another holds it. */
    async claim(id: bigint, owner: string, leaseMs: number, now = Date.now()): Promise<boolean> {
      const r = await q().updateTable("dataset_io_jobs")
        .set({ status: JobStatus.Running, lease_owner: owner, lease_until: now + leaseMs })
        .where("id", "=", `${id}`).where("status", "in", live)
        .where((eb) => eb.or([eb("lease_until", "<", now), eb("lease_owner", "=", owner)]))
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await q().updateTable("dataset_io_jobs").set({ started_at: new Date(now) })
        .where("id", "=", `${id}`).where("started_at", "is", null).execute();
      return true;
    },
    /** Writes progress and renews the lease; false when the lease is no longer `owner`'s. */
    async checkpoint(
      id: bigint,
      owner: string,
      p: Progress & { leaseMs: number },
    ): Promise<boolean> {
      const now = Date.now();
      const r = await q().updateTable("dataset_io_jobs")
        .set({ ...progressCols(p), lease_until: now + p.leaseMs, updated_at: new Date(now) })
        .where("id", "=", `${id}`).where("lease_owner", "=", owner)
        .where("status", "=", JobStatus.Running).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    /** Ends the job (the lease let go); false when the lease is no longer `owner`'s. */
    async finish(
      id: bigint,
      owner: string,
      o: Progress & { status: Status; reason?: string },
    ): Promise<boolean> {
      const now = new Date();
      const r = await q().updateTable("dataset_io_jobs")
        .set({
          ...progressCols(o),
          status: o.status,
          reason: o.reason?.slice(0, 2048) ?? null,
          lease_owner: null,
          lease_until: 0,
          updated_at: now,
          ended_at: now,
        })
        .where("id", "=", `${id}`).where("lease_owner", "=", owner)
        .where("status", "=", JobStatus.Running).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    /** Fails a job that never started (its wake-up could not be sent). */
    async failPending(id: bigint, reason: string): Promise<void> {
      const now = new Date();
      await q().updateTable("dataset_io_jobs")
        .set({ status: JobStatus.Failed, reason, updated_at: now, ended_at: now })
        .where("id", "=", `${id}`).where("status", "=", JobStatus.Pending).execute();
    },
    /** Extends `owner`'s lease (a long step between checkpoints); false when it is gone. */
    async renew(id: bigint, owner: string, leaseMs: number): Promise<boolean> {
      const r = await q().updateTable("dataset_io_jobs").set({ lease_until: Date.now() + leaseMs })
        .where("id", "=", `${id}`).where("lease_owner", "=", owner)
        .where("status", "=", JobStatus.Running).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    /** Lets the lease go at once (a stopping process), so another process takes over. */
    async release(id: bigint, owner: string): Promise<void> {
      await q().updateTable("dataset_io_jobs").set({ lease_owner: null, lease_until: 0 })
        .where("id", "=", `${id}`).where("lease_owner", "=", owner).execute();
    },
  };
}

/** The repository's type. */
export type IoJobRepo = ReturnType<typeof createIoJobRepo>;

function toRow(j: IoJob): IoJobRow {
  return {
    id: `${j.id}`,
    space_id: `${j.spaceId}`,
    dataset_id: `${j.datasetId}`,
    job_type: j.type,
    status: j.status,
    source: JSON.stringify(j.source, bigints),
    target: JSON.stringify(j.target, bigints),
    field_mappings: JSON.stringify(j.fieldMappings),
    overwrite: j.overwrite ? 1 : 0,
    total: j.total ?? null,
    processed: j.processed,
    added: j.added,
    errors: JSON.stringify(j.errors),
    checkpoint: JSON.stringify(j.checkpoint),
    reason: j.reason ?? null,
    lease_owner: j.leaseOwner ?? null,
    lease_until: j.leaseUntil,
    created_by: `${j.createdBy}`,
    created_at: j.createdAt,
    updated_at: j.updatedAt,
    started_at: j.startedAt ?? null,
    ended_at: j.endedAt ?? null,
  };
}

function bigints(_k: string, v: unknown): unknown {
  return typeof v === "bigint" ? `${v}` : v;
}

function endpoint(text: string): IoJob["source"] {
  const v = JSON.parse(text) as IoJob["source"] & {
    dataset?: { spaceId: string; datasetId: string; versionId?: string };
  };
  if (!v.dataset) return v;
  const d = v.dataset as unknown as { spaceId: string; datasetId: string; versionId?: string };
  return {
    ...v,
    dataset: {
      spaceId: BigInt(d.spaceId),
      datasetId: BigInt(d.datasetId),
      ...(d.versionId !== undefined ? { versionId: BigInt(d.versionId) } : {}),
    },
  };
}

function toJob(r: IoJobRow): IoJob {
  return {
    id: BigInt(r.id),
    spaceId: BigInt(r.space_id),
    datasetId: BigInt(r.dataset_id),
    type: Number(r.job_type) as JobType,
    status: Number(r.status) as Status,
    source: endpoint(r.source),
    target: endpoint(r.target),
    fieldMappings: JSON.parse(r.field_mappings),
    overwrite: Number(r.overwrite) === 1,
    ...(r.total !== null ? { total: Number(r.total) } : {}),
    processed: Number(r.processed),
    added: Number(r.added),
    errors: JSON.parse(r.errors),
    checkpoint: JSON.parse(r.checkpoint),
    ...(r.reason !== null ? { reason: r.reason } : {}),
    ...(r.lease_owner !== null ? { leaseOwner: r.lease_owner } : {}),
    leaseUntil: Number(r.lease_until),
    createdBy: BigInt(r.created_by),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    ...(r.started_at ? { startedAt: new Date(r.started_at) } : {}),
    ...(r.ended_at ? { endedAt: new Date(r.ended_at) } : {}),
  };
}
