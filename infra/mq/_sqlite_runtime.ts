/**
 * What the embedded queue's workers share: the open file, wake-ups, settings, and the
 * encoding of outgoing messages and decoding of stored ones.
 */
import type { Logger } from "../log.ts";
import { MAX_DELAY_MS, type OutgoingMessage, type ReceivedMessage } from "./mod.ts";
import type { EncodedMessage, SqliteStore, StoredMessage } from "./_sqlite_store.ts";
import type { Notifier } from "./_sqlite_wake.ts";
import type { GroupMember } from "./_sqlite_group.ts";

/** Internals shared with the consumer, forwarder and retention modules. */
export interface SqliteRuntime {
  /** The open file (opened on first use). */
  store(): SqliteStore;
  notifier: Notifier;
  /** Inserts messages now; call inside `store().tx` to make them part of a larger write. */
  write(messages: OutgoingMessage[]): void;
  /** Commits a partition's offset in the next shared transaction (rejects when it was lost). */
  commit(member: GroupMember, partition: number, offset: number): Promise<void>;
  defaultPartitions: number;
  /** Interval of the check for commits by other connections (ms). */
  pollMs: number;
  /** How long a worker's claim on its partitions outlives its last heartbeat (ms). */
  leaseMs: number;
  logger?: Logger;
}

/** The wake-up key of a topic. */
export function topicKey(topicId: number): string {
  return `topic:${topicId}`;
}

/** The wake-up key of the delay table. */
export const DELAYED_KEY = "delayed";

const encoder = new TextEncoder();

/** Validates and encodes one message; throws RangeError for a delay out of bounds. */
export function encodeMessage(m: OutgoingMessage, now: number): EncodedMessage {
  const delay = m.delayMs ?? 0;
  if (!(delay >= 0 && delay <= MAX_DELAY_MS)) {
    throw new RangeError(`Delay ${delay} ms is outside 0..${MAX_DELAY_MS} ms`);
  }
  // Not a copy: a byte body is the queue's until send settles (OutgoingMessage), and SQLite
  // copies it when the batched write binds it. Ingestion hands over ~3 KB per span here.
  const body = typeof m.body === "string" ? encoder.encode(m.body) : m.body;
  let headers: string | null = null;
  if (m.headers) {
    for (const [k, v] of Object.entries(m.headers)) {
      if (typeof v !== "string") {
        throw new TypeError(`Header "${k}" of a message to "${m.topic}" is not a string`);
      }
    }
    if (Object.keys(m.headers).length > 0) headers = JSON.stringify(m.headers);
  }
  return { topic: m.topic, key: m.key ?? null, body, headers, due: delay > 0 ? now + delay : 0 };
}

/** The headers of a stored message. */
export function decodeHeaders(json: string | null): Record<string, string> {
  return json === null ? {} : JSON.parse(json) as Record<string, string>;
}

/** A stored message as handed to a handler. */
export function toReceived(
  topic: string,
  partition: number,
  row: StoredMessage,
  headers: Record<string, string> = decodeHeaders(row.headers),
  attempt = 1,
): ReceivedMessage {
  return {
    topic,
    partition,
    offset: String(row.id),
    key: row.key ?? undefined,
    body: row.body,
    headers,
    attempt,
    timestamp: Number(row.ts),
  };
}
