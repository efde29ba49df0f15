/**
 * Kafka implementation of MessageQueue on kafkajs: one shared idempotent-free producer with
 * acks from all in-sync replicas, topic creation through the admin client, consumer workers
 * (./_kafka_consumer.ts) and the delay forwarder (./_kafka_delay.ts).
 */
// First: it replaces kafkajs's record-batch CRC before kafkajs's modules load.
import { useWasmCrc32c } from "./_kafka_crc32c.ts";
import {
  type Admin,
  type Consumer,
  Kafka,
  logLevel,
  Partitioners,
  type Producer as KProducer,
} from "kafkajs";
import process from "node:process";
import { ServiceUnavailableError } from "../errors.ts";
import type { Logger } from "../log.ts";
import {
  type ConsumerWorker,
  HEADERS,
  MAX_DELAY_MS,
  type MessageQueue,
  type OutgoingMessage,
  type TopicSpec,
} from "./mod.ts";
import { DELAY_TIERS_MS, delayTopic, tierFor } from "./_delay_tiers.ts";
import { startKafkaConsumer } from "./_kafka_consumer.ts";
import { startKafkaBatchConsumer } from "./_kafka_batch_consumer.ts";
import { startDelayForwarder } from "./_kafka_delay.ts";
import { consumeMethods, WorkerSet } from "./_workers.ts";

/** Kafka connection settings. */
export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  /** Prefix of the queue's own topics (delay tiers), default "coze_loop.". */
  internalPrefix?: string;
  /** Partitions of topics created without an explicit count (default 4). */
  defaultPartitions?: number;
  logger?: Logger;
}

/** Internals shared with the consumer and forwarder modules. */
export interface KafkaRuntime {
  kafka: Kafka;
  producer(): Promise<KProducer>;
  send(messages: OutgoingMessage[]): Promise<void>;
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  track(consumer: Consumer): () => void;
  address: string;
  internalPrefix: string;
  logger?: Logger;
}

/** Creates the queue; it connects on first use. */
export function createKafkaQueue(options: KafkaOptions): MessageQueue {
  silenceKafkajsTimerWarning();
  const address = options.brokers.join(",");
  const internalPrefix = options.internalPrefix ?? "coze_loop.";
  const logger = options.logger;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 5 },
    logLevel: logLevel.WARN,
    logCreator: () => ({ namespace, level, log }) => {
      const { message, ...extra } = log;
      const fields = { namespace, error: extra.error, broker: extra.broker };
      // Connection failures repeat on every retry while a broker is down; the callers'
      // errors (and /healthz) already report the outage.
      if (namespace === "Connection" || namespace === "BrokerPool") {
        logger?.debug(`kafka: ${message}`, fields);
      } else if (level <= logLevel.ERROR) logger?.error(`kafka: ${message}`, fields);
      else logger?.warn(`kafka: ${message}`, fields);
    },
  });

  let producerP: Promise<KProducer> | undefined;
  const producer = () => {
    producerP ??= (async () => {
      await useWasmCrc32c().catch((err) => {
        logger?.warn("kafka: WebAssembly CRC-32C unavailable, kafkajs's own is used", {
          error: err,
        });
      });
      const p = kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
        retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
      });
      await p.connect();
      return p;
    })().catch((err) => {
      producerP = undefined;
      throw err;
    });
    return producerP;
  };

  let adminP: Promise<Admin> | undefined;
  const admin = () => {
    adminP ??= (async () => {
      const a = kafka.admin({ retry: { retries: 2 } });
      await a.connect();
      return a;
    })().catch((err) => {
      adminP = undefined;
      throw err;
    });
    return adminP;
  };

  const unavailable = (err: unknown) =>
    err instanceof ServiceUnavailableError
      ? err
      : new ServiceUnavailableError("Kafka", address, err);

  const consumers = new Set<Consumer>();
  const workers = new WorkerSet();
  const knownTopics = new Set<string>();

  const send = async (messages: OutgoingMessage[]) => {
    const byTopic = new Map<
      string,
      { key?: string; value: Buffer; headers: Record<string, string>; timestamp: string }[]
    >();
    const now = Date.now();
    for (const m of messages) {
      const { topic, record } = toRecord(m, now, internalPrefix);
      const list = byTopic.get(topic) ?? [];
      list.push(record);
      byTopic.set(topic, list);
    }
    try {
      const p = await producer();
      await p.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })),
      });
    } catch (err) {
      throw unavailable(err);
    }
  };

  const ensureTopics = async (topics: TopicSpec[]) => {
    const wanted = [
      ...topics,
      ...DELAY_TIERS_MS.map((t) => ({ topic: delayTopic(internalPrefix, t), partitions: 2 })),
    ]
      .filter((t) => !knownTopics.has(t.topic));
    if (wanted.length === 0) return;
    try {
      const a = await admin();
      const existing = new Set(await a.listTopics());
      const missing = wanted.filter((t) => !existing.has(t.topic));
      if (missing.length > 0) {
        await a.createTopics({
          waitForLeaders: true,
          topics: missing.map((t) => ({
            topic: t.topic,
            numPartitions: t.partitions ?? options.defaultPartitions ?? 4,
            replicationFactor: -1,
          })),
        });
      }
      for (const t of wanted) knownTopics.add(t.topic);
    } catch (err) {
      throw unavailable(err);
    }
  };

  const runtime: KafkaRuntime = {
    kafka,
    producer,
    send,
    ensureTopics,
    address,
    internalPrefix,
    logger,
    track(consumer) {
      consumers.add(consumer);
      return () => consumers.delete(consumer);
    },
  };

  let forwarder: Promise<ConsumerWorker> | undefined;
  const ensureForwarder = () => {
    forwarder ??= (async () => {
      await ensureTopics([]);
      return workers.add(await startDelayForwarder(runtime), () => void (forwarder = undefined));
    })().catch((err) => {
      forwarder = undefined;
      throw err;
    });
    return forwarder;
  };

  return {
    send: (m) => send(Array.isArray(m) ? m : [m]),
    ensureTopics,
    ...consumeMethods({
      workers,
      ensureTopics,
      ensureForwarder,
      startConsumer: (o) => startKafkaConsumer(runtime, o),
      startBatchConsumer: (o) => startKafkaBatchConsumer(runtime, o),
    }),
    startDelayForwarder: ensureForwarder,
    async ping() {
      try {
        const a = await admin();
        await a.describeCluster();
      } catch (err) {
        throw unavailable(err);
      }
    },
    async close() {
      await workers.stopAll();
      await Promise.allSettled([...consumers].map((c) => c.disconnect()));
      const [p, a] = [producerP, adminP];
      producerP = adminP = undefined;
      await Promise.allSettled([p?.then((x) => x.disconnect()), a?.then((x) => x.disconnect())]);
    },
  };
}

/** Turns an outgoing message into a Kafka record, routing delayed ones to their delay tier. */
function toRecord(m: OutgoingMessage, now: number, prefix: string) {
  const headers = { ...(m.headers ?? {}) };
  const value = typeof m.body === "string"
    ? Buffer.from(m.body)
    : Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength);
  const delay = m.delayMs ?? 0;
  if (!(delay >= 0 && delay <= MAX_DELAY_MS)) {
    throw new RangeError(`Delay ${delay} ms is outside 0..${MAX_DELAY_MS} ms`);
  }
  if (delay === 0) {
    return { topic: m.topic, record: { key: m.key, value, headers, timestamp: String(now) } };
  }
  headers[HEADERS.delayTarget] = m.topic;
  headers[HEADERS.delayDue] = String(now + delay);
  return {
    topic: delayTopic(prefix, tierFor(delay)),
    record: { key: m.key, value, headers, timestamp: String(now) },
  };
}

let warningFilterInstalled = false;

// kafkajs 2.2.4 schedules a timer with a negative delay whenever it is not throttled, which
// Node-compatible runtimes report as TimeoutNegativeWarning on stderr; the timer is harmless.
function silenceKafkajsTimerWarning(): void {
  if (warningFilterInstalled) return;
  warningFilterInstalled = true;
  const original = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const name = typeof warning === "string" ? rest[0] : warning.name;
    const type = typeof name === "object" && name !== null
      ? (name as { type?: string }).type
      : name;
    if (type === "TimeoutNegativeWarning") return;
    return (original as (...a: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}
