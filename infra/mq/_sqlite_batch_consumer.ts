/**
 * Batch consumer workers of the embedded queue, for high-volume streams. A batch is what a
 * partition holds after the committed offset, bounded by maxBytesPerPartition; when it is
 * smaller than minBytes the worker waits for more, up to maxWaitMs from when it first saw
 * data (Kafka's fetch minBytes / maxWaitTime). The offset is committed only after the
 * handler succeeds; a failing batch is retried with backoff (the lease is kept by the
 * heartbeat meanwhile), and one failing permanently goes to the dead-letter topic after
 * maxAttempts, together with the commit in one transaction.
 */
import { describeCause } from "../errors.ts";
import type { BatchConsumerOptions, ConsumerWorker } from "./mod.ts";
import { type SqliteRuntime, topicKey, toReceived } from "./_sqlite_runtime.ts";
import { type PartitionContext, startPartitionWorker } from "./_sqlite_worker.ts";
import { pause } from "./_sqlite_wake.ts";
import { batchDeadLetters, batchGivesUp, batchRetryDelay } from "./_retries.ts";

// Most messages in one batch, whatever their size.
const MAX_BATCH_MESSAGES = 20_000;
const SIZE_PAGE = 1_000;

/** Starts one batch consumer worker. */
export function startSqliteBatchConsumer(
  rt: SqliteRuntime,
  options: BatchConsumerOptions,
): ConsumerWorker {
  const { topic, group } = options;
  const minBytes = options.minBytes ?? 1;
  const maxWaitMs = options.maxWaitMs ?? 1_000;
  const maxBytes = options.maxBytesPerPartition ?? 8 * 1024 * 1024;
  const log = rt.logger?.child({ topic, group });

  // The offset that ends the next batch of partition p, or undefined when it is empty or
  // the worker is stopping; waits for minBytes up to maxWaitMs. Each look reads only the
  // sizes of messages that arrived since the previous one.
  const gather = async (p: number, ctx: PartitionContext): Promise<number | undefined> => {
    const key = topicKey(ctx.topic.id);
    const store = rt.store();
    let last = ctx.member.owned.get(p);
    let bytes = 0;
    let count = 0;
    let firstSeen: number | undefined;
    while (last !== undefined && !ctx.signal.aborted) {
      const version = rt.notifier.version(key);
      let full = false;
      for (let more = true; more && !full;) {
        const page = store.sizes(ctx.topic.id, p, last, SIZE_PAGE);
        more = page.length === SIZE_PAGE;
        for (const s of page) {
          const n = Number(s.n);
          full = (count > 0 && bytes + n > maxBytes) || count === MAX_BATCH_MESSAGES;
          if (full) break;
          bytes += n;
          count++;
          last = Number(s.id);
        }
      }
      if (count === 0) return undefined;
      firstSeen ??= Date.now();
      const waited = Date.now() - firstSeen;
      if (full || bytes >= minBytes || waited >= maxWaitMs) return last;
      await rt.notifier.wait(key, version, maxWaitMs - waited, ctx.signal);
    }
    return undefined;
  };

  const task = async (p: number, ctx: PartitionContext): Promise<boolean> => {
    const { member, signal } = ctx;
    const upTo = await gather(p, ctx);
    const after = member.owned.get(p);
    if (upTo === undefined || after === undefined || signal.aborted) return false;
    const store = rt.store();
    const messages = store.fetchRange(ctx.topic.id, p, after, upTo).map((row) =>
      toReceived(topic, p, row)
    );
    for (let attempt = 1;; attempt++) {
      try {
        await options.handler(messages);
        await rt.commit(member, p, upTo);
        return true;
      } catch (err) {
        if (!member.owned.has(p)) return true; // another member redelivers it
        const reason = describeCause(err);
        if (batchGivesUp(options, err, attempt)) {
          log?.error("batch failed permanently, dead-lettered", {
            size: messages.length,
            error: reason,
          });
          store.tx(() => {
            rt.write(batchDeadLetters(messages, { group, topic, reason, attempts: attempt }));
            member.commit(p, upTo);
          });
          return true;
        }
        if (signal.aborted) return true; // not committed: redelivered later
        const delay = batchRetryDelay(attempt);
        log?.warn("batch handler failed, retrying", { attempt, delay_ms: delay, error: reason });
        await pause(delay, signal);
        if (signal.aborted) return true;
      }
    }
  };

  return startPartitionWorker(rt, {
    topic,
    group,
    concurrency: options.concurrency ?? 4,
    fromBeginning: true,
    log,
  }, task);
}
