/**
 * The export worker: a consumer group on `expt_export_csv_event`, whose messages carry export
 * ids and only wake workers (the row is the truth). Handling one: an ended export is dropped;
 * one whose lease another process holds is looked at again when the lease would expire; else
 * this process claims the lease (compare-and-set), leaves a delayed message behind as a
 * watchdog, and writes the file in the background while renewing the lease. A process that
 * dies mid-file leaves an expired lease: the watchdog's message finds it and another process
 * (or this one, restarted) writes the file again. A stopping process lets its leases go and
 * wakes its exports at once.
 */
import type { ConsumerWorker, MessageQueue, ReceivedMessage } from "../../../infra/mq/mod.ts";
import { bodyJson } from "../../../infra/mq/mod.ts";
import { describeCause } from "../../../infra/errors.ts";
import type { Logger } from "../../../infra/log.ts";
import { type CsvDeps, writeResultsCsv } from "./export_csv.ts";
import { type ExportJob, type ExportRepo, ExportStatus } from "./export_repo.ts";
import type { ExperimentReads } from "./repo.ts";

/** The topic of export wake-ups (the reference's name). */
export const EXPORT_TOPIC = "expt_export_csv_event";
/** Consumer group of the export workers. */
export const EXPORT_GROUP = "expt_export_jobs";
/** How long a lease lasts without renewal. */
export const DEFAULT_EXPORT_LEASE_MS = 15_000;
/** Failed attempts (across processes) before an export is failed. */
const MAX_FAILURES = 5;

/** Wakes exports and runs them. */
export interface ExportWorker {
  /** Sends the message that wakes an export (now, or after `delayMs`). */
  wake(exportId: bigint, delayMs?: number): Promise<void>;
  /** Starts consuming; the handle stops the consumer and this process's runs. */
  start(): Promise<ConsumerWorker>;
}

class Stopped extends Error {}

/** Creates the worker. */
export function createExportWorker(o: {
  mq: MessageQueue;
  exports: ExportRepo;
  reads: Pick<ExperimentReads, "byId">;
  csv: CsvDeps;
  logger?: Logger;
  leaseMs?: number;
  maxRunning?: number;
}): ExportWorker {
  const leaseMs = o.leaseMs ?? DEFAULT_EXPORT_LEASE_MS;
  const maxRunning = o.maxRunning ?? 2;
  const owner = crypto.randomUUID();
  const running = new Map<bigint, Promise<void>>();
  const stop = new AbortController();
  const log = o.logger?.child({ component: "expt_exports" });

  const wake = async (id: bigint, delayMs?: number) => {
    await o.mq.send({
      topic: EXPORT_TOPIC,
      key: `${id}`,
      body: JSON.stringify({ export_id: `${id}` }),
      ...(delayMs ? { delayMs: Math.ceil(delayMs) } : {}),
    });
  };

  const attempt = async (job: ExportJob) => {
    const expt = await o.reads.byId(job.exptId);
    if (!expt || expt.deletedAt) {
      // A deleted experiment's export writes nothing.
      await o.exports.finish(job.id, owner, {
        status: ExportStatus.Failed,
        error: `experiment ${job.exptId} not found`,
      });
      return;
    }
    let lost = false;
    const alive = async () => {
      if (stop.signal.aborted) throw new Stopped("the server is stopping");
      if (lost || !(await o.exports.renew(job.id, owner, leaseMs))) {
        lost = true;
        throw new Stopped("the lease was taken over");
      }
    };
    const heartbeat = setInterval(() => {
      o.exports.renew(job.id, owner, leaseMs).then((ok) => lost ||= !ok).catch(() => {});
    }, leaseMs / 3);
    try {
      await writeResultsCsv(o.csv, job, expt, alive);
    } finally {
      clearInterval(heartbeat);
    }
    await o.exports.finish(job.id, owner, { status: ExportStatus.Success });
  };

  const run = (job: ExportJob) => {
    const p = (async () => {
      try {
        await attempt(job);
      } catch (err) {
        if (stop.signal.aborted) {
          await o.exports.release(job.id, owner).catch(() => {});
          await wake(job.id).catch(() => {});
          return;
        }
        if (err instanceof Stopped) return; // another process has it
        const failures = job.failures + 1;
        log?.error("export failed", {
          export_id: `${job.id}`,
          attempt: failures,
          error: describeCause(err),
        });
        if (failures >= MAX_FAILURES) {
          await o.exports.finish(job.id, owner, {
            status: ExportStatus.Failed,
            error: `the export failed ${failures} times: ${describeCause(err)}`,
          }).catch(() => {});
          return;
        }
        await o.exports.release(job.id, owner, true).catch(() => {});
        await wake(job.id, 1_000 * failures).catch(() => {});
      }
    })();
    running.set(job.id, p);
    p.finally(() => running.delete(job.id));
  };

  const handle = async (m: ReceivedMessage) => {
    let id: bigint;
    try {
      id = BigInt(bodyJson<{ export_id: string }>(m).export_id);
    } catch {
      log?.warn("dropped a message that names no export", { offset: m.offset });
      return;
    }
    const job = await o.exports.byId(id);
    if (!job || job.status === ExportStatus.Success || job.status === ExportStatus.Failed) return;
    if (running.has(id)) return await wake(id, leaseMs + 1_000);
    if (stop.signal.aborted) return await wake(id, 1_000);
    const now = Date.now();
    if (job.leaseOwner && job.leaseOwner !== owner && job.leaseUntil >= now) {
      return await wake(id, job.leaseUntil - now + 500);
    }
    if (running.size >= maxRunning) return await wake(id, 2_000);
    if (!(await o.exports.claim(id, owner, leaseMs))) return await wake(id, 1_000);
    // The watchdog first: should this process die from here on, the export is taken over.
    await wake(id, leaseMs + 1_000);
    run((await o.exports.byId(id))!);
  };

  return {
    wake,
    async start() {
      const consumer = await o.mq.consume({
        topic: EXPORT_TOPIC,
        group: EXPORT_GROUP,
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
