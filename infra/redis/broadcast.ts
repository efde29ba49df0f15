/**
 * Broadcast between server processes over Redis pub/sub, for cache invalidation: a message
 * published on a channel reaches every subscribed process. Delivery is best effort (a
 * process that is disconnected misses messages), so callers keep their caches short-lived.
 */
import type { Redis } from "ioredis";
import type { RedisClient } from "./client.ts";

/** Publish/subscribe between processes. */
export interface Broadcast {
  /** Sends `message` to every process subscribed to `channel`. */
  publish(channel: string, message: string): Promise<void>;
  /** Calls `handler` for each message on `channel` until the returned function is called. */
  subscribe(channel: string, handler: (message: string) => void): () => void;
  /** Closes the subscriber connection. */
  close(): Promise<void>;
}

/** Creates the broadcast on Redis; the subscriber connection opens on first subscribe. */
export function createRedisBroadcast(
  redis: RedisClient,
  options: { prefix?: string } = {},
): Broadcast {
  const prefix = options.prefix ?? "bcast:";
  const handlers = new Map<string, Set<(m: string) => void>>();
  let sub: Redis | undefined;
  const subscriber = () => {
    if (sub) return sub;
    sub = redis.raw.duplicate({
      lazyConnect: false,
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    });
    sub.on("error", () => {});
    sub.on("message", (channel: string, message: string) => {
      for (const h of handlers.get(channel) ?? []) h(message);
    });
    return sub;
  };
  return {
    async publish(channel, message) {
      await redis.call((r) => r.publish(prefix + channel, message));
    },
    subscribe(channel, handler) {
      const full = prefix + channel;
      let set = handlers.get(full);
      if (!set) {
        set = new Set();
        handlers.set(full, set);
        // Re-subscribed automatically by ioredis after a reconnect.
        subscriber().subscribe(full).catch(() => {});
      }
      set.add(handler);
      return () => {
        set.delete(handler);
      };
    },
    async close() {
      handlers.clear();
      const s = sub;
      sub = undefined;
      if (s) await s.quit().catch(() => s.disconnect());
    },
  };
}
