/**
 * Batch consumer workers on kafkajs, for high-volume streams: the broker gathers a batch by
 * size and time (fetch minBytes / maxWaitTime), the handler gets it whole, and its offsets
 * are committed only after the handler succeeds. A failing batch is retried with backoff
 * while heartbeats keep the group membership (a dependency outage just pauses the stream);
 * a batch failing permanently goes to the dead-letter topic after a few attempts.
 */
import type { EachBatchPayload } from "kafkajs";
import type { KafkaRuntime } from "./kafka.ts";
import { type BatchConsumerOptions, type ConsumerWorker, type ReceivedMessage } from "./mod.ts";
import { consumerConfig, decodeHeaders } from "./_kafka_consumer.ts";
import { describeCause } from "../errors.ts";
import { batchDeadLetters, batchGivesUp, batchRetryDelay } from "./_retries.ts";

/** Starts one batch consumer worker. */
export async function startKafkaBatchConsumer(
  rt: KafkaRuntime,
  options: BatchConsumerOptions,
): Promise<ConsumerWorker> {
  const { topic, group } = options;
  const consumer = rt.kafka.consumer({
    ...consumerConfig(group, { maxWaitTimeInMs: options.maxWaitMs ?? 1_000 }),
    minBytes: options.minBytes ?? 1,
    maxBytesPerPartition: options.maxBytesPerPartition ?? 8 * 1024 * 1024,
    maxBytes: 64 * 1024 * 1024,
  });
  const untrack = rt.track(consumer);
  const log = rt.logger?.child({ topic, group });
  let stopping = false;

  const handle = async (p: EachBatchPayload, messages: ReceivedMessage[]) => {
    for (let attempt = 1;; attempt++) {
      try {
        await options.handler(messages);
        return;
      } catch (err) {
        const reason = describeCause(err);
        if (batchGivesUp(options, err, attempt)) {
          log?.error("batch failed permanently, dead-lettered", {
            size: messages.length,
            error: reason,
          });
          await rt.send(batchDeadLetters(messages, { group, topic, reason, attempts: attempt }));
          return;
        }
        if (stopping || !p.isRunning() || p.isStale()) throw err; // redelivered later
        const delay = batchRetryDelay(attempt);
        log?.warn("batch handler failed, retrying", { attempt, delay_ms: delay, error: reason });
        await sleepWithHeartbeat(p, delay);
      }
    }
  };

  const eachBatch = async (p: EachBatchPayload) => {
    const { batch } = p;
    if (batch.messages.length === 0) return;
    const messages: ReceivedMessage[] = batch.messages.map((msg) => ({
      topic: batch.topic,
      partition: batch.partition,
      offset: msg.offset,
      key: msg.key?.toString(),
      body: new Uint8Array(msg.value ?? new Uint8Array()),
      headers: decodeHeaders(msg.headers),
      attempt: 1,
      timestamp: Number(msg.timestamp),
    }));
    await handle(p, messages);
    const last = batch.messages[batch.messages.length - 1].offset;
    p.resolveOffset(last);
    await p.commitOffsetsIfNecessary({
      topics: [{
        topic: batch.topic,
        partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }],
      }],
    });
  };

  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.concurrency ?? 4,
      eachBatch,
    });
  } catch (err) {
    untrack();
    await consumer.disconnect().catch(() => {});
    throw err;
  }
  return {
    async stop() {
      stopping = true;
      untrack();
      await consumer.disconnect();
    },
  };
}

async function sleepWithHeartbeat(p: EachBatchPayload, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, Math.min(1_000, end - Date.now())));
    await p.heartbeat().catch(() => {});
  }
}
