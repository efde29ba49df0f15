/**
 * Message queue as the domains see it: producers of keyed messages with headers and an
 * optional delay, and consumer workers that commit only after their handler succeeds,
 * retry failures with backoff, and park messages that keep failing in a dead-letter topic.
 */

/** A message to send. */
export interface OutgoingMessage {
  topic: string;
  /** Messages with the same key keep their order (same partition). */
  key?: string;
  /** A byte body is the queue's until `send` settles: the caller must not change it before. */
  body: Uint8Array | string;
  /** Tags carried with the message. */
  headers?: Record<string, string>;
  /** Deliver no earlier than this many ms from now (up to MAX_DELAY_MS). */
  delayMs?: number;
}

/** A message handed to a consumer. */
export interface ReceivedMessage {
  topic: string;
  partition: number;
  offset: string;
  key?: string;
  body: Uint8Array;
  headers: Record<string, string>;
  /** 1 on first delivery, n on the n-th attempt after failures. */
  attempt: number;
  /** When the message was written (epoch ms). */
  timestamp: number;
}

/** Handles one message; throwing asks for a retry. */
export type MessageHandler = (message: ReceivedMessage) => Promise<void>;

/** What a consumer worker is for. */
export interface ConsumerOptions {
  topic: string;
  group: string;
  handler: MessageHandler;
  /** Attempts before the message goes to the dead-letter topic (default 5). */
  maxAttempts?: number;
  /** Delay before attempt n+1 after n failures (default 1 s doubling, up to 5 min). */
  backoffMs?: (attempt: number) => number;
  /** Partitions handled in parallel (default 1). */
  concurrency?: number;
  /** Start from the oldest retained message when the group is new (default true). */
  fromBeginning?: boolean;
}

/** What a batch consumer worker is for (high-volume streams such as span ingestion). */
export interface BatchConsumerOptions {
  topic: string;
  group: string;
  /**
   * Handles one batch; throwing retries the same batch with backoff (nothing is committed
   * meanwhile). `permanent(err)` tells failures that will never succeed apart, so the batch
   * goes to the dead-letter topic after `maxAttempts` instead of blocking the partition.
   */
  handler: (messages: ReceivedMessage[]) => Promise<void>;
  permanent?: (err: unknown) => boolean;
  maxAttempts?: number;
  /** The broker waits for this many bytes or `maxWaitMs`, whichever comes first (batching). */
  minBytes?: number;
  maxWaitMs?: number;
  /** Largest batch fetched per partition. */
  maxBytesPerPartition?: number;
  concurrency?: number;
}

/** A running consumer. */
export interface ConsumerWorker {
  /** Stops fetching, lets the message in hand finish, commits, leaves the group. */
  stop(): Promise<void>;
}

/** Topic to create at start-up. */
export interface TopicSpec {
  topic: string;
  partitions?: number;
}

/** Sends messages; resolves once the broker has acknowledged them (acks from all replicas). */
export interface Producer {
  send(messages: OutgoingMessage | OutgoingMessage[]): Promise<void>;
}

/** The queue: producers, consumer workers, topic administration. */
export interface MessageQueue extends Producer {
  /** Creates missing topics (and the delay topics this queue relies on). */
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  /** Starts a consumer worker. */
  consume(options: ConsumerOptions): Promise<ConsumerWorker>;
  /** Starts a batch consumer worker: commits each batch after its handler succeeds. */
  consumeBatches(options: BatchConsumerOptions): Promise<ConsumerWorker>;
  /**
   * Starts moving delayed messages to their topics when due (one per queue instance; the
   * first `consume` starts it too, since retries are delayed messages). Idempotent.
   */
  startDelayForwarder(): Promise<ConsumerWorker>;
  /** Round trip to the broker; ServiceUnavailableError when it cannot. */
  ping(): Promise<void>;
  /** Stops every consumer, flushes and closes producers. */
  close(): Promise<void>;
}

/** Longest delay a message may ask for. */
export const MAX_DELAY_MS = 2 * 3600 * 1000;

/** Header names the queue uses for its own bookkeeping. */
export const HEADERS = {
  attempt: "x-attempt",
  retryGroup: "x-retry-group",
  delayTarget: "x-delay-target",
  delayDue: "x-delay-due",
  dlqError: "x-dlq-error",
  dlqTopic: "x-dlq-topic",
  dlqGroup: "x-dlq-group",
  dlqAttempts: "x-dlq-attempts",
  dlqFailedAt: "x-dlq-failed-at",
} as const;

/** The dead-letter topic of `topic`. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** Default retry backoff: 1 s, 2 s, 4 s ... capped at 5 min. */
export function defaultBackoff(attempt: number): number {
  return Math.min(1_000 * 2 ** (attempt - 1), 300_000);
}

/** The body as text. */
export function bodyText(m: ReceivedMessage): string {
  return new TextDecoder().decode(m.body);
}

/** The body parsed as JSON. */
export function bodyJson<T>(m: ReceivedMessage): T {
  return JSON.parse(bodyText(m)) as T;
}
