/**
 * Consumer workers of the embedded queue, with the Kafka workers' observable behaviour: one
 * message at a time per partition, offsets committed after the handler (at the end of each
 * fetch and every second inside long ones), a failure re-sent to the topic itself with a
 * delay and tagged for this group only, and the dead-letter topic after the last attempt.
 * Here the re-send (or dead letter) and the commit of the failed message are one
 * transaction, so a crash in between cannot duplicate the retry.
 */
import { type ConsumerOptions, type ConsumerWorker, defaultBackoff } from "./mod.ts";
import { decodeHeaders, type SqliteRuntime, toReceived } from "./_sqlite_runtime.ts";
import { type PartitionContext, startPartitionWorker } from "./_sqlite_worker.ts";
import { attemptFor, retryOrDeadLetter } from "./_retries.ts";

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
      const attempt = attemptFor(headers, group);
      if (attempt !== undefined) {
        const m = toReceived(topic, p, row, headers, attempt);
        try {
          await options.handler(m);
        } catch (err) {
          const next = retryOrDeadLetter(m, err, { group, maxAttempts, backoff, log });
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
