/**
 * Consumer workers on kafkajs. Offsets are resolved after the handler returns and committed
 * at the end of each batch (and every second inside long ones), never before: a crash
 * redelivers what was not committed. A failing message is re-sent to its own topic with a
 * delay, tagged for this group only, and after the last attempt goes to the dead-letter topic.
 */
import type { ConsumerConfig, EachBatchPayload, IHeaders } from "kafkajs";
import type { KafkaRuntime } from "./kafka.ts";
import {
  type ConsumerOptions,
  type ConsumerWorker,
  defaultBackoff,
  type ReceivedMessage,
} from "./mod.ts";
import { describeCause } from "../errors.ts";
import { attemptFor, retryOrDeadLetter } from "./_retries.ts";

const COMMIT_EVERY_MS = 1_000;

/** Starts one consumer worker for `options.topic` in `options.group`. */
export async function startKafkaConsumer(
  rt: KafkaRuntime,
  options: ConsumerOptions,
): Promise<ConsumerWorker> {
  const { topic, group } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const backoff = options.backoffMs ?? defaultBackoff;
  const consumer = rt.kafka.consumer(consumerConfig(group, { maxWaitTimeInMs: 200 }));
  const untrack = rt.track(consumer);
  const log = rt.logger?.child({ topic, group });

  const fail = (m: ReceivedMessage, err: unknown) =>
    rt.send([retryOrDeadLetter(m, err, { group, maxAttempts, backoff, log })]);

  const eachBatch = async (p: EachBatchPayload) => {
    const { batch } = p;
    let done: string | undefined;
    let lastCommit = Date.now();
    const commit = async () => {
      if (done === undefined) return;
      const offset = (BigInt(done) + 1n).toString();
      await p.commitOffsetsIfNecessary({
        topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset }] }],
      });
      lastCommit = Date.now();
    };
    for (const msg of batch.messages) {
      if (!p.isRunning() || p.isStale()) break;
      const headers = decodeHeaders(msg.headers);
      const attempt = attemptFor(headers, group);
      if (attempt !== undefined) {
        const received: ReceivedMessage = {
          topic: batch.topic,
          partition: batch.partition,
          offset: msg.offset,
          key: msg.key?.toString(),
          body: new Uint8Array(msg.value ?? new Uint8Array()),
          headers,
          attempt,
          timestamp: Number(msg.timestamp),
        };
        try {
          await options.handler(received);
        } catch (err) {
          await fail(received, err);
        }
      }
      p.resolveOffset(msg.offset);
      done = msg.offset;
      if (Date.now() - lastCommit >= COMMIT_EVERY_MS) await commit();
      await p.heartbeat();
    }
    await commit();
  };

  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.concurrency ?? 1,
      eachBatch,
    });
  } catch (err) {
    untrack();
    await consumer.disconnect().catch(() => {});
    throw err;
  }
  consumer.on(
    consumer.events.CRASH,
    (e) => log?.error("consumer crashed, restarting", { error: describeCause(e.payload.error) }),
  );

  return {
    async stop() {
      untrack();
      await consumer.disconnect();
    },
  };
}

/**
 * Settings shared by our consumers: short sessions so a dead member's partitions move within
 * seconds, short fetch waits so stop and resume are prompt, and restarts after any crash.
 */
export function consumerConfig(
  groupId: string,
  options: { maxWaitTimeInMs: number },
): ConsumerConfig {
  return {
    groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: options.maxWaitTimeInMs,
    retry: {
      retries: 8,
      initialRetryTime: 200,
      maxRetryTime: 5_000,
      restartOnFailure: () => Promise.resolve(true),
    },
  };
}

/** Kafka headers as strings (first value of repeated headers). */
export function decodeHeaders(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    if (v === undefined) continue;
    const first = Array.isArray(v) ? v[0] : v;
    out[k] = first === undefined ? "" : first.toString();
  }
  return out;
}
