/**
 * The consumer workers of a queue, whatever the broker: each starts after its topic and
 * dead-letter topic exist, and those still running when the queue closes are stopped.
 */
import {
  type BatchConsumerOptions,
  type ConsumerOptions,
  type ConsumerWorker,
  deadLetterTopic,
  type MessageQueue,
  type TopicSpec,
} from "./mod.ts";

/** The workers a queue has started and not stopped yet. */
export class WorkerSet {
  #workers = new Set<ConsumerWorker>();

  /** Holds `w`; the handle returned stops it (after `onStop`) and lets it go. */
  add(w: ConsumerWorker, onStop?: () => void): ConsumerWorker {
    this.#workers.add(w);
    return {
      stop: async () => {
        onStop?.();
        this.#workers.delete(w);
        await w.stop();
      },
    };
  }

  /** Stops every worker held (a failing stop spares the others) and lets them go. */
  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.#workers].map((w) => w.stop()));
    this.#workers.clear();
  }
}

/** A queue's broker-specific parts that `consume` and `consumeBatches` build on. */
export interface WorkerStarters {
  workers: WorkerSet;
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  ensureForwarder(): Promise<ConsumerWorker>;
  startConsumer(o: ConsumerOptions): ConsumerWorker | Promise<ConsumerWorker>;
  startBatchConsumer(o: BatchConsumerOptions): ConsumerWorker | Promise<ConsumerWorker>;
}

/** `consume` and `consumeBatches` of a queue. */
export function consumeMethods(
  q: WorkerStarters,
): Pick<MessageQueue, "consume" | "consumeBatches"> {
  const topics = (topic: string) => q.ensureTopics([{ topic }, { topic: deadLetterTopic(topic) }]);
  return {
    async consume(o) {
      await topics(o.topic);
      // Retries travel as delayed messages: a process that consumes also forwards.
      await q.ensureForwarder();
      return q.workers.add(await q.startConsumer(o));
    },
    async consumeBatches(o) {
      await topics(o.topic);
      return q.workers.add(await q.startBatchConsumer(o));
    },
  };
}
