/**
 * The job worker: a consumer group on `data_async_tasks`, whose messages carry job ids and
 * only wake workers. Handling one: a finished job is dropped; a job whose lease another
 * process holds is looked at again when the lease would expire (a delayed message); else
 * this process claims the lease (a compare-and-set on the row), runs the job in the
 * background, and leaves a delayed message behind as a watchdog. The watchdog finds the job
 * running (lease renewed at every checkpoint) and re-arms itself, or finds the lease expired
 * (the process died) and takes the job over, from its checkpoint. A stopping process lets its
 * leases go and wakes the jobs at once, so another process (or this one, restarted) resumes
 * them. Every message handled leaves at most one message behind, and none once the job ends.
 */
import type { ConsumerWorker, MessageQueue, ReceivedMessage } from "../../infra/mq/mod.ts";
import { bodyJson } from "../../infra/mq/mod.ts";
import { describeCause, ServiceUnavailableError } from "../../infra/errors.ts";
import { addJobError } from "./io_errors.ts";
import type { IoJobRepo } from "./io_repo.ts";
import { LeaseLost, type RunContext, type RunDeps } from "./io_run.ts";
import { type IoJob, isTerminal, JobErrorType, JobStatus } from "./io_types.ts";

/** The topic of dataset jobs (the reference's name). */
export const IO_JOB_TOPIC = "data_async_tasks";
/** Consumer group of the job workers. */
export const IO_JOB_GROUP = "data_io_jobs";
/** Failures of one job in a row, in one process, before it is failed. */
const MAX_FAILURES = 5;
/** How long a lease lasts without a checkpoint. */
export const DEFAULT_LEASE_MS = 15_000;

/** Runs one job (until it ends, the lease is lost, or `ctx.signal` aborts). */
export type JobRunner = (deps: RunDeps, ctx: RunContext) => Promise<void>;

/** Wakes jobs and runs them. */
export interface IoJobWorker {
  /** Sends the message that wakes a job (now, or after `delayMs`). */
  wake(jobId: bigint, delayMs?: number): Promise<void>;
  /** Starts consuming; the handle stops the consumer and this process's runs. */
  start(): Promise<ConsumerWorker>;
}

/** Creates the worker. */
export function createIoJobWorker(o: {
  mq: MessageQueue;
  jobs: IoJobRepo;
  deps: RunDeps;
  runners: Record<number, JobRunner>;
  leaseMs?: number;
  /** Jobs this process runs at once. */
  maxRunning?: number;
}): IoJobWorker {
  const leaseMs = o.leaseMs ?? DEFAULT_LEASE_MS;
  const maxRunning = o.maxRunning ?? 2;
  const owner = `${crypto.randomUUID()}`;
  const running = new Map<bigint, Promise<void>>();
  const stop = new AbortController();
  const log = o.deps.logger?.child({ component: "dataset_io_jobs" });

  const wake = async (jobId: bigint, delayMs?: number) => {
    await o.mq.send({
      topic: IO_JOB_TOPIC,
      key: `${jobId}`,
      body: JSON.stringify({ job_id: `${jobId}` }),
      ...(delayMs ? { delayMs: Math.ceil(delayMs) } : {}),
    });
  };

  const failures = new Map<bigint, number>();
  const giveUp = async (id: bigint, reason: string) => {
    const cur = await o.jobs.byId(id);
    if (!cur) return;
    await o.jobs.finish(id, owner, {
      processed: cur.processed,
      added: cur.added,
      checkpoint: cur.checkpoint,
      errors: addJobError(cur.errors, {
        type: JobErrorType.InternalError,
        message: `the job failed ${MAX_FAILURES} times: ${reason.slice(0, 500)}`,
      }),
      status: JobStatus.Failed,
      reason,
    });
  };

  const run = (job: IoJob) => {
    const runner = o.runners[job.type];
    const ctx: RunContext = { job, owner, leaseMs, signal: stop.signal };
    // Renewed between checkpoints too (a long first pass over a large file), while running.
    const heartbeat = setInterval(() => {
      o.jobs.renew(job.id, owner, leaseMs).catch(() => {});
    }, leaseMs / 3);
    const p = (async () => {
      try {
        if (!runner) throw new Error(`no runner for job type ${job.type}`);
        await runner(o.deps, ctx);
      } catch (err) {
        if (err instanceof LeaseLost) {
          log?.warn("job taken over by another process", { job_id: `${job.id}` });
          return;
        }
        // An unexpected error (a service down): resumed from the checkpoint a little later;
        // one that keeps coming back in this process fails the job rather than loop.
        const n = (failures.get(job.id) ?? 0) + 1;
        failures.set(job.id, n);
        log?.error("job run failed, will resume from its checkpoint", {
          job_id: `${job.id}`,
          attempt: n,
          error: describeCause(err),
        });
        if (n >= MAX_FAILURES && !(err instanceof ServiceUnavailableError)) {
          failures.delete(job.id);
          await giveUp(job.id, describeCause(err)).catch(() => {});
          return;
        }
        await o.jobs.release(job.id, owner).catch(() => {});
        if (!stop.signal.aborted) await wake(job.id, 2_000 * n).catch(() => {});
        return;
      }
      failures.delete(job.id);
      if (stop.signal.aborted) {
        // Stopped between two checkpoints: let the lease go, and wake whoever runs next.
        await o.jobs.release(job.id, owner).catch(() => {});
        await wake(job.id).catch(() => {});
      }
    })();
    running.set(job.id, p);
    p.finally(() => {
      clearInterval(heartbeat);
      running.delete(job.id);
    });
  };

  const handle = async (m: ReceivedMessage) => {
    let id: bigint;
    try {
      id = BigInt(bodyJson<{ job_id: string }>(m).job_id);
    } catch {
      log?.warn("dropped a message that names no job", { offset: m.offset });
      return;
    }
    const job = await o.jobs.byId(id);
    if (!job || isTerminal(job.status)) return;
    if (running.has(id)) return await wake(id, leaseMs + 1_000);
    if (stop.signal.aborted) return await wake(id, 1_000);
    const now = Date.now();
    if (job.leaseOwner && job.leaseOwner !== owner && job.leaseUntil >= now) {
      return await wake(id, job.leaseUntil - now + 500);
    }
    if (running.size >= maxRunning) return await wake(id, 2_000);
    if (!(await o.jobs.claim(id, owner, leaseMs))) {
      const again = await o.jobs.byId(id);
      if (again && !isTerminal(again.status)) await wake(id, 1_000);
      return;
    }
    // The watchdog first: should this process die from here on, the job is picked up again.
    await wake(id, leaseMs + 1_000);
    run({ ...(await o.jobs.byId(id))!, status: JobStatus.Running });
  };

  return {
    wake,
    async start() {
      const consumer = await o.mq.consume({
        topic: IO_JOB_TOPIC,
        group: IO_JOB_GROUP,
        handler: handle,
        concurrency: 2,
        maxAttempts: 10,
      });
      return {
        async stop() {
          stop.abort();
          await consumer.stop();
          await Promise.allSettled([...running.values()]);
        },
      };
    },
  };
}
