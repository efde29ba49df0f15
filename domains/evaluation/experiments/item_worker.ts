/**
 * The item side of the pipeline: a message names an item; its handler claims it and runs
 * it in the background (the consumer goes on at once), under a lease renewed while it runs,
 * a per-item timeout, and an abort that a kill (in any process) or this process stopping
 * raises. The outcome is written only while the lease is held.
 */
import type { IdGenerator } from "../../../infra/idgen/mod.ts";
import type { ReceivedMessage } from "../../../infra/mq/mod.ts";
import { bodyJson } from "../../../infra/mq/mod.ts";
import type { Logger } from "../../../infra/log.ts";
import { Codes } from "../../errors.ts";
import type { DataServices } from "../../data/mod.ts";
import type { EvaluatorRunner } from "../run.ts";
import type { TargetRunner } from "../target_types.ts";
import type { ClaimedItem, ItemKey, ItemsRepo } from "./items_repo.ts";
import type { ExperimentReads } from "./repo.ts";
import type { PlanLoader } from "./plan.ts";
import { type ItemOutcome, runItem } from "./run_item.ts";
import { type Experiment, ExptStatus, ItemState } from "./types.ts";

/** What the item worker uses. */
export interface ItemWorkerDeps {
  ids: IdGenerator;
  reads: ExperimentReads;
  items: ItemsRepo;
  plans: PlanLoader;
  data: Pick<DataServices, "items">;
  targets: TargetRunner;
  evaluators: EvaluatorRunner;
  logger?: Logger;
  /** Sends item messages (after `delayMs`). */
  send(keys: ItemKey[], delayMs?: number): Promise<void>;
  /** After an item ended: fill the window, close the run when it is done. */
  afterItem(exptId: bigint): Promise<void>;
}

/** Backoff before retry n (1-based): 0.5 s, 1 s, 2 s ... up to 30 s. */
export function retryDelayMs(n: number): number {
  return Math.min(500 * 2 ** (n - 1), 30_000);
}

/** Creates the item worker. */
export function createItemWorker(
  deps: ItemWorkerDeps,
  o: { leaseMs?: number; itemTimeoutMs?: number; maxRunning?: number; workspaceLimit?: number },
) {
  const leaseMs = o.leaseMs ?? 15_000;
  const timeoutMs = o.itemTimeoutMs ?? 600_000;
  const maxRunning = o.maxRunning ?? 64;
  const workspaceLimit = o.workspaceLimit ?? 100;
  const owner = crypto.randomUUID();
  const stopping = new AbortController();
  const running = new Map<
    string,
    { exptId: bigint; abort: AbortController; done: Promise<void> }
  >();
  const log = deps.logger?.child({ component: "experiment_items" });

  const execute = async (expt: Experiment, item: ClaimedItem, signal: AbortSignal) => {
    const plan = await deps.plans.get(expt);
    const got = await deps.data.items.batchGet(expt.createdBy, {
      workspaceId: expt.workspaceId,
      datasetId: expt.evalSetId,
      versionId: expt.evalSetVersionId,
      itemIds: [item.itemId],
    });
    const row = got.items[0];
    if (!row) {
      return {
        state: ItemState.Fail,
        error: { code: Codes.resourceNotFound, message: "the item is not in the set version" },
        records: [],
      } satisfies ItemOutcome;
    }
    return await runItem(deps, { ...plan, schema: got.schema }, row, {
      userId: expt.createdBy,
      signal,
    });
  };

  const runClaimed = async (expt: Experiment, item: ClaimedItem, abort: AbortController) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([abort.signal, timeout, stopping.signal]);
    const heartbeat = setInterval(async () => {
      if (!(await deps.items.renew(item, owner, leaseMs).catch(() => true))) abort.abort();
    }, leaseMs / 3);
    let outcome: ItemOutcome | undefined;
    let failure: unknown;
    try {
      outcome = await execute(expt, item, signal);
    } catch (err) {
      failure = err;
    } finally {
      clearInterval(heartbeat);
    }
    // An abort decides the outcome, whether the run threw or answered a failure for it (the
    // target and evaluators turn an abort into a failed record).
    if (stopping.signal.aborted) {
      // This process stops: the item goes back to the queue, as if never taken.
      if (await deps.items.requeue(item, owner, { dueAt: Date.now(), refund: true })) {
        await deps.send([item]).catch(() => {});
      }
      return;
    }
    if (abort.signal.aborted) {
      outcome = {
        state: ItemState.Terminal,
        error: { code: Codes.internal, message: "terminated" },
        records: [],
      };
    } else if (timeout.aborted) {
      outcome = {
        state: ItemState.Fail,
        error: { code: Codes.internal, message: `the item took longer than ${timeoutMs} ms` },
        records: [],
      };
    } else if (!outcome) {
      const message = (failure as Error)?.message ?? String(failure);
      outcome = { state: ItemState.Fail, error: { code: Codes.internal, message }, records: [] };
    }
    if (outcome.state === ItemState.Fail && item.attempts <= expt.itemRetryNum) {
      const delay = retryDelayMs(item.attempts);
      const ok = await deps.items.requeue(item, owner, {
        dueAt: Date.now() + delay,
        ...(outcome.error ? { error: outcome.error } : {}),
      });
      if (ok) await deps.send([item], delay);
      return;
    }
    const ids = outcome.records.length ? await deps.ids.genIds(outcome.records.length) : [];
    const written = await deps.items.complete(item, owner, {
      state: outcome.state,
      ...(outcome.targetOutput ? { targetOutput: outcome.targetOutput } : {}),
      ...(outcome.error ? { error: outcome.error } : {}),
      records: outcome.records.map((r, i) => ({ ...r, id: `${ids[i]}` })),
    });
    if (!written) {
      log?.warn("an item's lease was lost before its outcome was written", {
        expt_id: `${item.exptId}`,
        item_id: `${item.itemId}`,
      });
      return;
    }
    await deps.afterItem(item.exptId);
  };

  const start = (expt: Experiment, item: ClaimedItem) => {
    const key = `${item.exptId}:${item.itemId}`;
    const abort = new AbortController();
    const done = runClaimed(expt, item, abort).catch((err) => {
      // A service down while writing: the lease expires and the watchdog sends it again.
      log?.error("an item run could not be written; it will run again", {
        expt_id: `${item.exptId}`,
        item_id: `${item.itemId}`,
        error: (err as Error)?.message,
      });
    }).finally(() => running.delete(key));
    running.set(key, { exptId: item.exptId, abort, done });
  };

  return {
    async handle(m: ReceivedMessage) {
      let k: ItemKey;
      try {
        const b = bodyJson<{ expt_id: string; item_id: string; run_id: string }>(m);
        k = { exptId: BigInt(b.expt_id), itemId: BigInt(b.item_id), runId: BigInt(b.run_id) };
      } catch {
        log?.warn("dropped an item message that names no item", { offset: m.offset });
        return;
      }
      const expt = await deps.reads.byId(k.exptId);
      if (!expt || expt.runId !== k.runId) return;
      if (expt.status === ExptStatus.Terminating) {
        await deps.items.terminateWaiting(expt.id);
        return await deps.afterItem(expt.id);
      }
      if (expt.status !== ExptStatus.Processing) return;
      // No room here or in the workspace: the message comes back later (the watchdog sees
      // the item as recently sent, so it does not send it a second time).
      const later = async (ms: number) => {
        await deps.items.touch(k, Date.now() + ms);
        await deps.send([k], ms);
      };
      if (stopping.signal.aborted) return await later(1_000);
      if (running.size >= maxRunning) return await later(500);
      // Counted again and claimed under the workspace's lock: claims elsewhere cannot race it.
      const item = await deps.items.claimWithin(k, owner, leaseMs, {
        id: expt.workspaceId,
        limit: workspaceLimit,
      });
      if (item === "full") return await later(500 + Math.floor(Math.random() * 1_000));
      if (!item) return;
      start(expt, item);
    },
    /** Aborts this process's running items of an experiment (a kill). */
    abortExperiment(exptId: bigint) {
      for (const r of running.values()) if (r.exptId === exptId) r.abort.abort();
    },
    async stop() {
      stopping.abort();
      await Promise.allSettled([...running.values()].map((r) => r.done));
    },
  };
}
