/**
 * Delayed delivery in the embedded queue. A delayed message waits in `mq_delayed` with its
 * due time (durable like any other write); the forwarder of each queue instance moves due
 * messages into their topics, in due order, in one transaction per batch (insert + delete),
 * so a message is forwarded exactly once even with several processes forwarding. It sleeps
 * until the earliest due time, or until a local send adds a delayed message, or a commit by
 * another connection is noticed.
 */
import { describeCause } from "../errors.ts";
import type { ConsumerWorker } from "./mod.ts";
import { DELAYED_KEY, type SqliteRuntime } from "./_sqlite_runtime.ts";
import type { EncodedMessage, SqliteStore } from "./_sqlite_store.ts";
import { pause } from "./_sqlite_wake.ts";

const BATCH = 1_000;
const IDLE_RECHECK_MS = 1_000;

/** Starts the forwarder of this queue instance. */
export function startSqliteForwarder(rt: SqliteRuntime): ConsumerWorker {
  const ac = new AbortController();
  const log = rt.logger?.child({ component: "delay-forwarder" });
  const loop = (async () => {
    while (!ac.signal.aborted) {
      const version = rt.notifier.version(DELAYED_KEY);
      let next: number | undefined;
      try {
        const store = rt.store();
        const moved = store.tx(() => forwardDue(store, Date.now(), rt.defaultPartitions));
        if (moved === BATCH) {
          await pause(0, ac.signal); // more are due: let other work in between
          continue;
        }
        next = nextDue(store);
      } catch (err) {
        log?.error("forwarding delayed messages failed, will retry", {
          error: describeCause(err),
        });
        next = Date.now() + rt.pollMs * 10;
      }
      const wait = next === undefined ? IDLE_RECHECK_MS : next - Date.now();
      await rt.notifier.wait(DELAYED_KEY, version, Math.min(wait, IDLE_RECHECK_MS), ac.signal);
    }
  })();
  return {
    async stop() {
      ac.abort();
      await loop;
    },
  };
}

/** Moves up to BATCH due messages to their topics; returns how many. Call inside `tx`. */
function forwardDue(store: SqliteStore, now: number, defaultPartitions: number): number {
  const rows = store.stmt(
    `SELECT id, topic, key, body, headers FROM mq_delayed
     WHERE due <= ? ORDER BY due, id LIMIT ?`,
  ).all(now, BATCH) as unknown as (Omit<EncodedMessage, "due"> & { id: number })[];
  if (rows.length === 0) return 0;
  store.insert(
    rows.map((r) => ({ topic: r.topic, key: r.key, body: r.body, headers: r.headers, due: 0 })),
    now,
    defaultPartitions,
  );
  const del = store.stmt("DELETE FROM mq_delayed WHERE id = ?");
  for (const r of rows) del.run(r.id);
  return rows.length;
}

/** The earliest due time of a waiting message. */
function nextDue(store: SqliteStore): number | undefined {
  const r = store.stmt("SELECT min(due) AS due FROM mq_delayed").get() as { due: number | null };
  return r.due === null ? undefined : Number(r.due);
}
