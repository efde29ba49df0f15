/**
 * How consumer workers retry, whatever the broker: a failed message is re-sent to its own
 * topic with a delay, tagged for the failing group only (other groups skip it), and after the
 * last attempt goes to the dead-letter topic; a failing batch is retried in place, with
 * backoff, until it succeeds or fails permanently.
 */
import type { Logger } from "../log.ts";
import { describeCause } from "../errors.ts";
import {
  type BatchConsumerOptions,
  deadLetterTopic,
  HEADERS,
  MAX_DELAY_MS,
  type OutgoingMessage,
  type ReceivedMessage,
} from "./mod.ts";

const MAX_BATCH_BACKOFF_MS = 10_000;

/**
 * The attempt a message is on for `group`, its retry tags removed from `headers`; undefined
 * when it is a retry meant for another group (which `group` skips, headers untouched).
 */
export function attemptFor(headers: Record<string, string>, group: string): number | undefined {
  const retryGroup = headers[HEADERS.retryGroup];
  // Retries are re-sent to the topic itself, so other groups skip those not meant for them.
  if (retryGroup !== undefined && retryGroup !== group) return undefined;
  const attempt = Number(headers[HEADERS.attempt] ?? "1") || 1;
  delete headers[HEADERS.attempt];
  delete headers[HEADERS.retryGroup];
  return attempt;
}

/** The retry of a failed message, or its dead letter after the last attempt (logged). */
export function retryOrDeadLetter(
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

/** Whether a batch that failed with `err` on `attempt` goes to the dead-letter topic now. */
export function batchGivesUp(o: BatchConsumerOptions, err: unknown, attempt: number): boolean {
  const permanent = o.permanent?.(err) ?? false;
  return permanent && attempt >= (o.maxAttempts ?? 3);
}

/** The pause before retrying a batch that failed on `attempt`: 250 ms doubling, up to 10 s. */
export function batchRetryDelay(attempt: number): number {
  return Math.min(250 * 2 ** Math.min(attempt - 1, 6), MAX_BATCH_BACKOFF_MS);
}

/** The dead letters of a batch given up after `attempts` (every dlq* header set). */
export function batchDeadLetters(
  messages: ReceivedMessage[],
  o: { group: string; topic: string; reason: string; attempts: number },
): OutgoingMessage[] {
  const failedAt = new Date().toISOString();
  return messages.map((m) => ({
    topic: deadLetterTopic(o.topic),
    key: m.key,
    body: m.body,
    headers: {
      ...m.headers,
      [HEADERS.dlqError]: o.reason.slice(0, 1_000),
      [HEADERS.dlqTopic]: o.topic,
      [HEADERS.dlqGroup]: o.group,
      [HEADERS.dlqAttempts]: String(o.attempts),
      [HEADERS.dlqFailedAt]: failedAt,
    },
  }));
}
