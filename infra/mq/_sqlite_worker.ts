/**
 * The scaffolding shared by both kinds of consumer worker: group membership with a
 * heartbeat, `concurrency` runners that take the owned partitions in turn (never one
 * partition in two runners), and sleeping until a commit touches the topic when every owned
 * partition is drained. A partition is "drained at version v" when a look at it found
 * nothing while the topic's wake-up version was v; it becomes a candidate again as soon as
 * the version moves (a local send, a commit by another connection, or new ownership).
 */
import type { ConsumerWorker } from "./mod.ts";
import type { Logger } from "../log.ts";
import { describeCause } from "../errors.ts";
import { GroupMember, PartitionLostError } from "./_sqlite_group.ts";
import { type SqliteRuntime, topicKey } from "./_sqlite_runtime.ts";
import type { TopicInfo } from "./_sqlite_store.ts";
import { pause } from "./_sqlite_wake.ts";

// Safety net for a missed wake-up; normal wake-ups come from commits.
const IDLE_RECHECK_MS = 1_000;

/** What a partition task sees. */
export interface PartitionContext {
  member: GroupMember;
  topic: TopicInfo;
  /** Aborted when the worker is asked to stop. */
  signal: AbortSignal;
  log?: Logger;
}

/**
 * Works on one owned partition for a while; resolves true when it found messages (there
 * may be more), false when the partition had nothing to do.
 */
export type PartitionTask = (partition: number, ctx: PartitionContext) => Promise<boolean>;

/** Joins the group and runs `task` over its partitions until stopped. */
export function startPartitionWorker(
  rt: SqliteRuntime,
  options: {
    topic: string;
    group: string;
    concurrency: number;
    fromBeginning: boolean;
    log?: Logger;
  },
  task: PartitionTask,
): ConsumerWorker {
  const store = rt.store();
  const topic = store.topic(options.topic, rt.defaultPartitions);
  const member = new GroupMember(store, {
    group: options.group,
    topicId: topic.id,
    partitions: topic.partitions,
    leaseMs: rt.leaseMs,
    fromBeginning: options.fromBeginning,
  });
  const key = topicKey(topic.id);
  const log = options.log;
  const ac = new AbortController();
  const ctx: PartitionContext = { member, topic, signal: ac.signal, log };
  const busy = new Set<number>();
  const drainedAt = new Map<number, number>();
  let cursor = 0;

  const beat = () => {
    try {
      if (member.heartbeat(busy)) rt.notifier.bump(key);
    } catch (err) {
      log?.warn("consumer heartbeat failed", { error: describeCause(err) });
    }
  };
  beat();
  const heartbeat = setInterval(beat, Math.max(50, Math.min(1_000, rt.leaseMs / 4)));

  const pick = (version: number): number | undefined => {
    const owned = [...member.owned.keys()].sort((a, b) => a - b);
    for (let i = 0; i < owned.length; i++) {
      const p = owned[(cursor + i) % owned.length];
      if (busy.has(p) || member.revoked.has(p) || drainedAt.get(p) === version) continue;
      cursor = (cursor + i + 1) % owned.length;
      return p;
    }
    return undefined;
  };

  const runner = async () => {
    while (!ac.signal.aborted) {
      const version = rt.notifier.version(key);
      const p = pick(version);
      if (p === undefined) {
        await rt.notifier.wait(key, version, IDLE_RECHECK_MS, ac.signal);
        continue;
      }
      busy.add(p);
      try {
        if (!(await task(p, ctx))) drainedAt.set(p, version);
      } catch (err) {
        if (!(err instanceof PartitionLostError)) {
          log?.error("consumer failed on a partition, will retry", {
            partition: p,
            error: describeCause(err),
          });
          await pause(rt.pollMs * 5, ac.signal);
        }
      } finally {
        busy.delete(p);
      }
      try {
        member.settle(p);
      } catch (err) {
        log?.warn("could not give a partition back", { partition: p, error: describeCause(err) });
      }
    }
  };
  const runners = Array.from({ length: Math.max(1, options.concurrency) }, runner);

  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        ac.abort();
        await Promise.all(runners);
        clearInterval(heartbeat);
        try {
          member.leave();
        } catch (err) {
          log?.warn("could not leave the consumer group", { error: describeCause(err) });
        }
      })();
      return stopped;
    },
  };
}
