/**
 * Consumer workers of the embedded queue, with the Kafka workers' observable behaviour: one
 * message at a time per partition, offsets committed after the handler (at the end of each
 * fetch and every second inside long ones), a failure re-sent to the topic itself with a
 * delay and tagged for this group only, and the dead-letter topic after the last attempt.
 * Here the re-send (or dead letter) and the commit of the failed message are one
 * transaction, so a crash in between cannot duplicate the retry.
 */
import type { Logger } from "../log.ts";
import { describeCause } from "../errors.ts";
import {
  type ConsumerOptions,
  type ConsumerWorker,
  deadLetterTopic,
  defaultBackoff,
  HEADERS,
  MAX_DELAY_MS,
  type OutgoingMessage,
  type ReceivedMessage,
} from "./mod.ts";
import { decodeHeaders, type SqliteRuntime, toReceived } from "./_sqlite_runtime.ts";
import { type PartitionContext, startPartitionWorker } from "./_sqlite_worker.ts";

const FETCH_LIMIT = 100;
const COMMIT_EVERY_MS = 1_000;

/** Starts one consumer worker for `options.topic` in `options.group`. */
export function startSqliteConsumer(
  rt: SqliteRuntime,
  options: ConsumerOptions,
): ConsumerWorker {
  const { topic, group } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const backoff = options.backoffMs ?? defaultBackoff;
  const log = rt.logger?.child({ topic, group });

  const task = async (p: number, ctx: PartitionContext): Promise<boolean> => {
    const { member, signal } = ctx;
    const store = rt.store();
    const committed = member.owned.get(p);
    if (committed === undefined) return false;
    const rows = store.fetch(ctx.topic.id, p, committed, FETCH_LIMIT);
    if (rows.length === 0) return false;
    let done = committed;
    let lastCommit = Date.now();
    for (const row of rows) {
      if (signal.aborted || !member.owned.has(p) || member.revoked.has(p)) break;
      const headers = decodeHeaders(row.headers);
      const retryGroup = headers[HEADERS.retryGroup];
      // Retries are re-sent to the topic itself, so other groups skip those not meant for them.
      if (retryGroup === undefined || retryGroup === group) {
        const attempt = Number(headers[HEADERS.attempt] ?? "1") || 1;
        delete headers[HEADERS.attempt];
        delete headers[HEADERS.retryGroup];
        const m = toReceived(topic, p, row, headers, attempt);
        try {
          await options.handler(m);
        } catch (err) {
          const next = failure(m, err, { group, maxAttempts, backoff, log });
          store.tx(() => {
            rt.write([next]);
            member.commit(p, row.id);
          });
          done = row.id;
          lastCommit = Date.now();
          continue;
        }
      }
      done = row.id;
      if (Date.now() - lastCommit >= COMMIT_EVERY_MS) {
        await rt.commit(member, p, done);
        lastCommit = Date.now();
      }
    }
    await rt.commit(member, p, done);
    return true;
  };

  return startPartitionWorker(rt, {
    topic,
    group,
    concurrency: options.concurrency ?? 1,
    fromBeginning: options.fromBeginning ?? true,
    log,
  }, task);
}

/** The retry of a failed message, or its dead letter after the last attempt. */
function failure(
  m: ReceivedMessage,
  err: unknown,
  o: {
    group: string;
    maxAttempts: number;
    backoff: (attempt: number) => number;
    log?: Logger;
  },
): OutgoingMessage {
  const reason = describeCause(err).slice(0, 1_000);
  if (m.attempt < o.maxAttempts) {
    const delay = Math.min(Math.max(0, o.backoff(m.attempt)), MAX_DELAY_MS);
    o.log?.warn("message handler failed, will retry", {
      attempt: m.attempt,
      delay_ms: delay,
      error: reason,
    });
    return {
      topic: m.topic,
      key: m.key,
      body: m.body,
      headers: {
        ...m.headers,
        [HEADERS.attempt]: String(m.attempt + 1),
        [HEADERS.retryGroup]: o.group,
      },
      delayMs: delay,
    };
  }
  o.log?.error("message handler failed for the last time, dead-lettered", {
    attempt: m.attempt,
    error: reason,
  });
  return {
    topic: deadLetterTopic(m.topic),
    key: m.key,
    body: m.body,
    headers: {
      ...m.headers,
      [HEADERS.dlqError]: reason,
      [HEADERS.dlqTopic]: m.topic,
      [HEADERS.dlqGroup]: o.group,
      [HEADERS.dlqAttempts]: String(m.attempt),
      [HEADERS.dlqFailedAt]: new Date().toISOString(),
    },
  };
}
