/**
 * The experiment pipeline on the message queue. Event-driven: nothing waits on a timer
 * while there is work.
 *
 * - `evaluation_expt_scheduler_event` carries `start` (a run begins: the set version's items
 *   become rows, the first window of items is sent) and `watch` (every few seconds while a
 *   run lasts: items of a dead process are sent again, lost messages re-sent, a finished or
 *   terminating run closed);
 * - `evaluation_expt_record_eval_event` carries one item: its handler claims the item
 *   (compare-and-set, so a duplicate message does nothing), runs it in the background (the
 *   target, then the evaluators), writes the outcome with the records in one transaction
 *   while it still holds the lease, and sends the next waiting item: at most
 *   `item_concur_num` items of an experiment are in flight, in every process together.
 *
 * Failures are retried `item_retry_num` times through the queue's durable delays, with
 * backoff. A killed process loses only runs not yet written; their leases expire and the
 * watchdog sends them again, so every item is written exactly once per run.
 */
import type { Broadcast } from "../../../infra/redis/broadcast.ts";
import type { ConsumerWorker, MessageQueue, ReceivedMessage } from "../../../infra/mq/mod.ts";
import { bodyJson } from "../../../infra/mq/mod.ts";
import type { Logger } from "../../../infra/log.ts";
import type { ItemKey, ItemsRepo } from "./items_repo.ts";
import type { ExptRepo } from "./expt_repo.ts";
import type { ExperimentReads } from "./repo.ts";
import { type Experiment, ExptStatus, isFinal } from "./types.ts";
import { createItemWorker, type ItemWorkerDeps } from "./item_worker.ts";

/** Scheduler topic (start, watch). */
export const SCHEDULER_TOPIC = "evaluation_expt_scheduler_event";
/** Item topic. */
export const ITEM_TOPIC = "evaluation_expt_record_eval_event";
// One group per topic: members of a Kafka group must subscribe to the same topics.
const SCHEDULER_GROUP = "evaluation_expt_schedulers";
const ITEM_GROUP = "evaluation_expt_item_workers";
const KILL_CHANNEL = "expt_kill";

/** Pipeline tuning. */
export interface PipelineOptions {
  /** Lease of a running item, renewed while it runs (default 15 s). */
  leaseMs?: number;
  /** Longest run of one item, target and evaluators (default 10 min). */
  itemTimeoutMs?: number;
  /** Items this process runs at once, all experiments together (default 64). */
  maxRunning?: number;
  /** Items running at once in one workspace, every process together (default 100). */
  workspaceLimit?: number;
  /** Period of the watchdog (default 3 s). */
  watchMs?: number;
}

/** Starts runs, kills them, and consumes the pipeline's topics. */
export interface ExperimentPipeline {
  /** Sends the start of the experiment's current run. */
  start(exptId: bigint, runId: bigint): Promise<void>;
  /** Stops new work at once, aborts running items in every process, ends Terminated. */
  kill(expt: Experiment): Promise<void>;
  /** Starts consuming; the handle stops consumers and this process's runs. */
  startWorkers(): Promise<ConsumerWorker>;
}

/** Creates the pipeline. */
export function createExperimentPipeline(
  deps: Omit<ItemWorkerDeps, "send" | "afterItem"> & {
    mq: MessageQueue;
    broadcast: Broadcast;
    reads: ExperimentReads;
    expts: ExptRepo;
    items: ItemsRepo;
    logger?: Logger;
  },
  options: PipelineOptions = {},
): ExperimentPipeline {
  const watchMs = options.watchMs ?? 3_000;
  const log = deps.logger?.child({ component: "experiments" });

  const sched = async (kind: "start" | "watch", id: bigint, runId: bigint, delayMs = 0) => {
    await deps.mq.send({
      topic: SCHEDULER_TOPIC,
      key: `${id}`,
      body: JSON.stringify({ kind, expt_id: `${id}`, run_id: `${runId}` }),
      ...(delayMs > 0 ? { delayMs } : {}),
    });
  };
  const send = async (keys: ItemKey[], delayMs = 0) => {
    if (!keys.length) return;
    await deps.mq.send(keys.map((k) => ({
      topic: ITEM_TOPIC,
      key: `${k.exptId}:${k.itemId}`,
      body: JSON.stringify({
        expt_id: `${k.exptId}`,
        item_id: `${k.itemId}`,
        run_id: `${k.runId}`,
      }),
      ...(delayMs > 0 ? { delayMs } : {}),
    })));
  };

  /** Closes the run when no item waits or runs. */
  const maybeFinish = async (expt: Experiment) => {
    if (await deps.items.unfinished(expt.id) > 0) return;
    const c = (await deps.reads.counts([expt.id])).get(expt.id)!;
    const endAt = Date.now();
    if (
      await deps.expts.transition(expt.id, [ExptStatus.Terminating], ExptStatus.Terminated, {
        endAt,
        message: "terminated by a user",
      })
    ) return;
    const failed = c.fail > 0;
    const done = await deps.expts.transition(
      expt.id,
      [ExptStatus.Processing],
      failed ? ExptStatus.Failed : ExptStatus.Success,
      {
        endAt,
        message: failed ? `${c.fail} of ${c.success + c.fail + c.terminated} items failed` : "",
      },
    );
    if (done) log?.info("experiment finished", { expt_id: `${expt.id}`, ...c });
  };

  const fill = async (expt: Experiment) => {
    await send(await deps.items.dispatch(expt.id, expt.itemConcurNum, expt.runId));
  };

  const worker = createItemWorker({
    ...deps,
    send,
    afterItem: async (exptId) => {
      const expt = await deps.reads.byId(exptId);
      if (!expt) return;
      if (expt.status === ExptStatus.Processing) await fill(expt);
      await maybeFinish(expt);
    },
  }, options);

  const loadItems = async (expt: Experiment) => {
    let pageToken: string | undefined;
    let idx = 0;
    do {
      const page = await deps.data.items.list(expt.createdBy, {
        workspaceId: expt.workspaceId,
        datasetId: expt.evalSetId,
        versionId: expt.evalSetVersionId,
        pageSize: 200,
        ...(pageToken ? { pageToken } : {}),
      });
      await deps.items.insert(
        { id: expt.id, workspaceId: expt.workspaceId, runId: expt.runId },
        page.items.map((it) => ({ itemId: it.itemId, idx: idx++, turnId: 0n })),
      );
      pageToken = page.items.length ? page.nextPageToken : "";
    } while (pageToken);
  };

  const onStart = async (expt: Experiment) => {
    if (expt.status === ExptStatus.Pending) {
      try {
        await loadItems(expt);
      } catch (err) {
        await deps.expts.transition(expt.id, [ExptStatus.Pending], ExptStatus.Failed, {
          endAt: Date.now(),
          message: `the evaluation set could not be read: ${(err as Error)?.message ?? err}`,
        });
        return;
      }
      await deps.expts.transition(expt.id, [ExptStatus.Pending], ExptStatus.Processing, {
        startAt: Date.now(),
      });
      expt = (await deps.reads.byId(expt.id))!;
    }
    await onWatch(expt);
  };

  const onWatch = async (expt: Experiment) => {
    if (expt.status === ExptStatus.Terminating) {
      await deps.items.terminateWaiting(expt.id);
      await deps.items.reclaimExpired(expt.id);
      await deps.items.terminateWaiting(expt.id);
    } else if (expt.status === ExptStatus.Processing) {
      const lost = await deps.items.reclaimExpired(expt.id);
      if (lost.length) log?.warn("items of a stopped process sent again", { n: lost.length });
      await send([...lost, ...(await deps.items.stale(expt.id, Date.now() - 20_000))]);
      await fill(expt);
    }
    await maybeFinish(expt);
    const now = await deps.reads.byId(expt.id);
    if (now && now.runId === expt.runId && !isFinal(now.status)) {
      await sched("watch", expt.id, expt.runId, watchMs);
    }
  };

  const handleSched = async (m: ReceivedMessage) => {
    let msg: { kind: string; expt_id: string; run_id: string };
    let id: bigint, runId: bigint;
    try {
      msg = bodyJson(m);
      id = BigInt(msg.expt_id);
      runId = BigInt(msg.run_id);
    } catch {
      log?.warn("dropped a scheduler message that names no experiment", { offset: m.offset });
      return;
    }
    const expt = await deps.reads.byId(id);
    if (!expt || expt.runId !== runId || isFinal(expt.status)) return;
    if (msg.kind === "start" || expt.status === ExptStatus.Pending) await onStart(expt);
    else await onWatch(expt);
  };

  return {
    start: (exptId, runId) => sched("start", exptId, runId),
    async kill(expt) {
      const ok = await deps.expts.transition(
        expt.id,
        [ExptStatus.Pending, ExptStatus.Processing],
        ExptStatus.Terminating,
      );
      if (!ok) return;
      await deps.items.terminateWaiting(expt.id);
      await deps.broadcast.publish(KILL_CHANNEL, `${expt.id}`).catch((err) =>
        log?.warn("kill broadcast failed; running items stop at the watchdog", {
          error: (err as Error)?.message,
        })
      );
      worker.abortExperiment(expt.id);
      await maybeFinish({ ...expt, status: ExptStatus.Terminating });
      await sched("watch", expt.id, expt.runId).catch(() => {});
    },
    async startWorkers() {
      const unsubscribe = deps.broadcast.subscribe(KILL_CHANNEL, (id) => {
        try {
          worker.abortExperiment(BigInt(id));
        } catch { /* not an id */ }
      });
      const schedConsumer = await deps.mq.consume({
        topic: SCHEDULER_TOPIC,
        group: SCHEDULER_GROUP,
        handler: handleSched,
        concurrency: 2,
        maxAttempts: 10,
      });
      const itemConsumer = await deps.mq.consume({
        topic: ITEM_TOPIC,
        group: ITEM_GROUP,
        handler: worker.handle,
        concurrency: 4,
        maxAttempts: 10,
      });
      return {
        async stop() {
          unsubscribe();
          await itemConsumer.stop();
          await schedConsumer.stop();
          await worker.stop();
        },
      };
    },
  };
}
