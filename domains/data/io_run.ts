/**
 * What a running job works with: its row, the lease it holds, and the checkpoint writer that
 * renews the lease with every step (a lost lease stops the job: another process took it
 * over after the lease expired, and continues from the last checkpoint).
 */
import type { Database } from "../../infra/db/mod.ts";
import type { ObjectStorage } from "../../infra/storage/mod.ts";
import type { Logger } from "../../infra/log.ts";
import type { DatasetAccess } from "./access.ts";
import type { ItemService } from "./items.ts";
import type { ItemWriter } from "./item_writer.ts";
import type { IoJobRepo, Progress } from "./io_repo.ts";
import type { IoJob, JobStatus } from "./io_types.ts";
import { addJobError } from "./io_errors.ts";

/** What runners use. */
export interface RunDeps {
  db: Database;
  storage: ObjectStorage;
  access: DatasetAccess;
  writer: ItemWriter;
  items: Pick<ItemService, "clear" | "list">;
  jobs: IoJobRepo;
  logger?: Logger;
}

/** One run of a job by this process. */
export interface RunContext {
  job: IoJob;
  owner: string;
  leaseMs: number;
  /** Aborted when the process stops: the runner returns at its next step. */
  signal: AbortSignal;
}

/** The lease was taken over by another process: this run stops without writing more. */
export class LeaseLost extends Error {}

/** Progress of a run, saved at checkpoints. */
export class RunState {
  p: Progress;
  constructor(readonly deps: RunDeps, readonly ctx: RunContext) {
    const j = ctx.job;
    this.p = {
      processed: j.processed,
      added: j.added,
      errors: j.errors,
      checkpoint: { ...j.checkpoint },
      ...(j.total !== undefined ? { total: j.total } : {}),
    };
  }

  /** Writes `next` as the checkpoint (and renews the lease); LeaseLost when it is gone. */
  async save(next: Progress = this.p): Promise<void> {
    const ok = await this.deps.jobs.checkpoint(this.ctx.job.id, this.ctx.owner, {
      ...next,
      leaseMs: this.ctx.leaseMs,
    });
    if (!ok) throw new LeaseLost(`job ${this.ctx.job.id}: lease lost`);
    this.p = next;
  }

  /** Ends the job; a failure's reason becomes an error group of `errorType`. */
  async finish(
    status: JobStatus,
    o: { reason?: string; errorType?: number; total?: number } = {},
  ): Promise<void> {
    const errors = o.reason
      ? addJobError(this.p.errors, { type: o.errorType ?? 100, message: o.reason })
      : this.p.errors;
    const total = o.total ?? this.p.total;
    const done = await this.deps.jobs.finish(this.ctx.job.id, this.ctx.owner, {
      ...this.p,
      errors,
      ...(total !== undefined ? { total } : {}),
      status,
      reason: o.reason,
    });
    if (!done) throw new LeaseLost(`job ${this.ctx.job.id}: lease lost`);
  }
}
