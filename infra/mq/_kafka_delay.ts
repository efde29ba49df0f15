/**
 * The delay forwarder: one consumer group over every delay tier topic. For each partition it
 * waits (paused) until the head message has served its tier's delay, then delivers the due
 * messages to their target topics or parks them in a smaller tier, and commits afterwards.
 */
import type { EachBatchPayload } from "kafkajs";
import type { KafkaRuntime } from "./kafka.ts";
import { type ConsumerWorker, HEADERS, type OutgoingMessage } from "./mod.ts";
import { DELAY_TIERS_MS, delayTopic, tierOfTopic } from "./_delay_tiers.ts";
import { consumerConfig, decodeHeaders } from "./_kafka_consumer.ts";

// Below this, waiting in line costs less than another hop through a tier.
const INLINE_WAIT_MS = DELAY_TIERS_MS[0];

/** Starts the forwarder of this process. */
export async function startDelayForwarder(rt: KafkaRuntime): Promise<ConsumerWorker> {
  const topics = DELAY_TIERS_MS.map((t) => delayTopic(rt.internalPrefix, t));
  const consumer = rt.kafka.consumer(
    consumerConfig(`${rt.internalPrefix}delay-forwarder`, { maxWaitTimeInMs: 50 }),
  );
  const untrack = rt.track(consumer);
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const log = rt.logger?.child({ component: "delay-forwarder" });

  const eachBatch = async (p: EachBatchPayload) => {
    const { batch } = p;
    const tier = tierOfTopic(rt.internalPrefix, batch.topic) ?? 0;
    const out: OutgoingMessage[] = [];
    let last: string | undefined;
    const flush = async () => {
      if (out.length > 0) await rt.send(out.splice(0, out.length));
      if (last !== undefined) {
        p.resolveOffset(last);
        await p.commitOffsetsIfNecessary({
          topics: [{
            topic: batch.topic,
            partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }],
          }],
        });
        last = undefined;
      }
    };
    for (const msg of batch.messages) {
      if (!p.isRunning() || p.isStale()) break;
      const wait = Number(msg.timestamp) + tier - Date.now();
      if (wait > INLINE_WAIT_MS) {
        // The head is not ready: stop fetching this partition until it is.
        await flush();
        const resume = p.pause();
        const t = setTimeout(() => {
          timers.delete(t);
          resume();
        }, wait);
        timers.add(t);
        return;
      }
      const headers = decodeHeaders(msg.headers);
      const target = headers[HEADERS.delayTarget];
      const due = Number(headers[HEADERS.delayDue]);
      if (!target || !Number.isFinite(due)) {
        log?.error("dropping a malformed delayed message", {
          topic: batch.topic,
          offset: msg.offset,
        });
      } else {
        const remaining = due - Date.now();
        // Not yet due by more than a short wait: park again in the tier that fits what
        // remains (`delayMs` keeps the due time). Otherwise wait out the rest here.
        const park = remaining > INLINE_WAIT_MS;
        if (!park && (remaining > 0 || wait > 0)) {
          await flush();
          await new Promise((r) => setTimeout(r, Math.max(remaining, wait, 0)));
        }
        delete headers[HEADERS.delayTarget];
        delete headers[HEADERS.delayDue];
        out.push({
          topic: target,
          key: msg.key?.toString(),
          body: msg.value ?? new Uint8Array(),
          headers,
          delayMs: park ? due - Date.now() : undefined,
        });
      }
      last = msg.offset;
      await p.heartbeat();
    }
    await flush();
  };

  try {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: topics.length * 2,
      eachBatch,
    });
  } catch (err) {
    untrack();
    await consumer.disconnect().catch(() => {});
    throw err;
  }

  return {
    async stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      untrack();
      await consumer.disconnect();
    },
  };
}
