/**
 * Retention of the embedded queue, so the file stops growing: a message is deleted once
 * every consumer group with an offset on its partition has committed it and it is older
 * than `committedMs`, and in any case once older than `retentionMs` (Kafka's time-based
 * retention). Deletes run in small transactions so producers and consumers are never held
 * up for long; SQLite reuses the freed pages for new messages.
 *
 * "Older than" for committed messages needs no index on time: each sweep remembers the
 * highest offset handed out so far, and every message at or below an offset remembered at
 * time T was written before T.
 */
import { describeCause } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { SqliteStore } from "./_sqlite_store.ts";
import { pause } from "./_sqlite_wake.ts";

const CHUNK = 2_000;

/** Retention settings (ms). */
export interface RetentionOptions {
  retentionMs: number;
  committedMs: number;
  intervalMs: number;
}

/** Runs sweeps every `intervalMs` until `signal` aborts. */
export async function runRetention(
  store: () => SqliteStore,
  options: RetentionOptions,
  signal: AbortSignal,
  log?: Logger,
): Promise<void> {
  const marks: { at: number; offset: number }[] = [];
  while (!signal.aborted) {
    await pause(options.intervalMs, signal);
    if (signal.aborted) break;
    try {
      const s = store();
      const now = Date.now();
      marks.push({ at: now, offset: highestOffset(s) });
      // Keep the newest mark old enough to use and everything after it.
      const cutoff = now - options.committedMs;
      while (marks.length > 1 && marks[1].at <= cutoff) marks.shift();
      const bound = marks[0].at <= cutoff ? marks[0].offset : 0;
      await sweep(s, now, bound, options.retentionMs, signal);
    } catch (err) {
      log?.warn("queue retention sweep failed", { error: describeCause(err) });
    }
  }
}

/** One sweep; `committedBound` is the highest offset old enough to go once committed. */
export async function sweep(
  s: SqliteStore,
  now: number,
  committedBound: number,
  retentionMs: number,
  signal?: AbortSignal,
): Promise<number> {
  let deleted = 0;
  if (committedBound > 0) {
    const floors = s.stmt(
      `SELECT topic_id, partition, min(committed) AS floor FROM mq_offsets
       GROUP BY topic_id, partition`,
    ).all() as { topic_id: number; partition: number; floor: number }[];
    const del = s.stmt(
      `DELETE FROM mq_messages WHERE id IN (SELECT id FROM mq_messages
       WHERE topic_id = ? AND partition = ? AND id <= ? ORDER BY id LIMIT ${CHUNK})`,
    );
    for (const f of floors) {
      const upTo = Math.min(Number(f.floor), committedBound);
      for (let n = CHUNK; n === CHUNK && !signal?.aborted;) {
        n = Number(s.tx(() => del.run(f.topic_id, f.partition, upTo)).changes);
        deleted += n;
        if (n === CHUNK) await pause(0);
      }
    }
  }
  // Time-based: look only at the oldest rows (offsets grow with time), a chunk at a time.
  const old = s.stmt(
    `DELETE FROM mq_messages WHERE id IN (SELECT id FROM mq_messages ORDER BY id LIMIT ${CHUNK})
     AND ts < ?`,
  );
  for (let n = CHUNK; n === CHUNK && !signal?.aborted;) {
    n = Number(s.tx(() => old.run(now - retentionMs)).changes);
    deleted += n;
    if (n === CHUNK) await pause(0);
  }
  // Groups gone for longer than the retention forget their offsets, as Kafka's do.
  s.tx(() => {
    s.stmt(
      "DELETE FROM mq_offsets WHERE (owner IS NULL OR lease_until < ?) AND updated_at < ?",
    ).run(now, now - retentionMs);
    // Members that died with nobody left in their group to clean up after them.
    s.stmt("DELETE FROM mq_members WHERE lease_until < ?").run(now - 60_000);
  });
  return deleted;
}

function highestOffset(s: SqliteStore): number {
  const r = s.stmt("SELECT seq FROM sqlite_sequence WHERE name = 'mq_messages'").get() as
    | { seq: number }
    | undefined;
  return Number(r?.seq ?? 0);
}
