/**
 * Embedded implementation of MessageQueue: no server, everything in one SQLite file through
 * Deno's built-in `node:sqlite`, so the whole platform runs as one process. Several queue
 * instances (processes) may share the file: consumer groups coordinate through leases in
 * the file (./_sqlite_group.ts), and commits by other connections are noticed by polling
 * `PRAGMA data_version`, a cheap check of the shared WAL index.
 *
 * Durability: WAL; `send` resolves after the transaction holding its messages committed
 * with synchronous=FULL, i.e. after the WAL was fsynced (bookkeeping commits use NORMAL,
 * see SqliteStore.tx; `synchronous: "NORMAL"` is the lighter option for sends). Writes
 * asked for in one turn of the event loop, sends and offset commits alike, share one
 * transaction (group commit, ./_sqlite_writer.ts), which is what makes small batches fast.
 */
import { ServiceUnavailableError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { ConsumerWorker, MessageQueue, OutgoingMessage, TopicSpec } from "./mod.ts";
import { SqliteStore } from "./_sqlite_store.ts";
import { WriteBatcher } from "./_sqlite_writer.ts";
import { Notifier } from "./_sqlite_wake.ts";
import { DELAYED_KEY, encodeMessage, type SqliteRuntime, topicKey } from "./_sqlite_runtime.ts";
import { startSqliteConsumer } from "./_sqlite_consumer.ts";
import { startSqliteBatchConsumer } from "./_sqlite_batch_consumer.ts";
import { startSqliteForwarder } from "./_sqlite_delay.ts";
import { runRetention } from "./_sqlite_retention.ts";
import { consumeMethods, WorkerSet } from "./_workers.ts";

/** Settings of the embedded queue. */
export interface SqliteQueueOptions {
  /** The queue file (created when missing). */
  path: string;
  logger?: Logger;
  /** Partitions of topics created without an explicit count (default 4). */
  defaultPartitions?: number;
  /** How long a dead worker keeps its partitions (default 10 s, Kafka's session timeout). */
  leaseMs?: number;
  /** Interval of the check for commits by other processes (default 100 ms). */
  pollMs?: number;
  /** Messages older than this are deleted, consumed or not (default 7 days, as Kafka). */
  retentionMs?: number;
  /** Messages every group has committed are deleted this long after writing (default 60 s). */
  committedRetentionMs?: number;
  /** Interval of retention sweeps (default 5 s). */
  retentionIntervalMs?: number;
  /** How long a write waits for another process's transaction (default 10 s). */
  busyTimeoutMs?: number;
  /**
   * Sync of the commits that acknowledge sends: "FULL" (default) fsyncs before `send`
   * resolves, surviving power loss; "NORMAL" survives kill -9 but not power loss.
   */
  synchronous?: "FULL" | "NORMAL";
}

/** The open file and what runs while it is open. */
interface Opened {
  store: SqliteStore;
  poller: ReturnType<typeof setInterval>;
  retention: AbortController;
  swept: Promise<void>;
}

/** Opens the file, with the check for other connections' commits and the retention sweeps. */
function openFile(options: SqliteQueueOptions, notifier: Notifier): Opened {
  const s = new SqliteStore(options.path, {
    busyTimeoutMs: options.busyTimeoutMs ?? 10_000,
    durableSync: options.synchronous ?? "FULL",
  });
  s.onCommit = (t) => {
    for (const id of t.topics) notifier.bump(topicKey(id));
    if (t.delayed) notifier.bump(DELAYED_KEY);
  };
  let seen = s.dataVersion();
  const poller = setInterval(() => {
    try {
      const v = s.dataVersion();
      if (v !== seen) {
        seen = v;
        notifier.bumpAll();
      }
    } catch { /* closed meanwhile */ }
  }, options.pollMs ?? 100);
  const retention = new AbortController();
  const swept = runRetention(
    () => s,
    {
      retentionMs: options.retentionMs ?? 7 * 24 * 3600 * 1000,
      committedMs: options.committedRetentionMs ?? 60_000,
      intervalMs: options.retentionIntervalMs ?? 5_000,
    },
    retention.signal,
    options.logger,
  );
  return { store: s, poller, retention, swept };
}

/** Creates the queue; the file is opened on first use. */
export function createSqliteQueue(options: SqliteQueueOptions): MessageQueue {
  const { path, logger } = options;
  const notifier = new Notifier();
  const defaultPartitions = options.defaultPartitions ?? 4;

  let current: Opened | undefined;
  const store = (): SqliteStore => {
    current ??= openFile(options, notifier);
    return current.store;
  };

  const unavailable = (err: unknown) =>
    err instanceof ServiceUnavailableError
      ? err
      : new ServiceUnavailableError("SQLite queue", path, err);

  const writer = new WriteBatcher(store, unavailable);
  const runtime: SqliteRuntime = {
    store,
    notifier,
    write(messages) {
      const now = Date.now();
      store().insert(messages.map((m) => encodeMessage(m, now)), now, defaultPartitions);
    },
    commit: (member, partition, offset) =>
      writer.run(() => member.commit(partition, offset), false),
    defaultPartitions,
    pollMs: options.pollMs ?? 100,
    leaseMs: options.leaseMs ?? 10_000,
    logger,
  };

  const send = async (messages: OutgoingMessage[]) => {
    const now = Date.now();
    const encoded = messages.map((m) => encodeMessage(m, now));
    if (encoded.length === 0) return;
    await writer.run(() => store().insert(encoded, Date.now(), defaultPartitions), true);
  };

  const guard = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw unavailable(err);
    }
  };
  // The work is synchronous; failures still arrive as rejections, as callers expect.
  const attempt = <T>(fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(guard(fn));
    } catch (err) {
      return Promise.reject(err);
    }
  };
  const ensureTopics = (topics: TopicSpec[]) =>
    attempt(() => {
      for (const t of topics) store().topic(t.topic, t.partitions ?? defaultPartitions);
    });

  const workers = new WorkerSet();
  let forwarder: ConsumerWorker | undefined;
  const ensureForwarder = (): Promise<ConsumerWorker> =>
    attempt(() =>
      forwarder ??= workers.add(startSqliteForwarder(runtime), () => void (forwarder = undefined))
    );

  return {
    send: (m) => send(Array.isArray(m) ? m : [m]),
    ensureTopics,
    ...consumeMethods({
      workers,
      ensureTopics,
      ensureForwarder,
      startConsumer: (o) => guard(() => startSqliteConsumer(runtime, o)),
      startBatchConsumer: (o) => guard(() => startSqliteBatchConsumer(runtime, o)),
    }),
    startDelayForwarder: ensureForwarder,
    ping: () => attempt(() => void store().stmt("SELECT 1").get()),
    async close() {
      forwarder = undefined;
      await workers.stopAll();
      writer.flush();
      const c = current;
      current = undefined;
      if (!c) return;
      clearInterval(c.poller);
      c.retention.abort();
      await c.swept;
      c.store.close();
    },
  };
}
