/**
 * In-process Broadcast for the single-process mode: publish and subscribe over a bus in this
 * process. Broadcasts built on one bus hear each other, as processes sharing a Redis do.
 * Delivery is asynchronous (a microtask after publish), as it is over Redis, so a handler
 * never runs inside the publisher's call.
 */
import type { Broadcast } from "../redis/broadcast.ts";

type Handler = (message: string) => void;

/** Channels and their subscribers, shared by the broadcasts built on it. */
export interface BroadcastBus {
  /** Channels with at least one subscriber. */
  readonly channels: number;
}

interface Bus extends BroadcastBus {
  subscribers: Map<string, Set<Handler>>;
}

/** Creates an empty bus. */
export function createBroadcastBus(): BroadcastBus {
  const subscribers = new Map<string, Set<Handler>>();
  const bus: Bus = {
    subscribers,
    get channels() {
      return subscribers.size;
    },
  };
  return bus;
}

/** Options of the in-process broadcast. */
export interface MemoryBroadcastOptions {
  /** The bus to share (default: a bus of its own). */
  bus?: BroadcastBus;
  /** Called when a handler throws (default: console.error); other handlers still run. */
  onError?: (err: unknown, channel: string) => void;
}

/** Creates an in-process broadcast. */
export function createMemoryBroadcast(options: MemoryBroadcastOptions = {}): Broadcast {
  const { subscribers } = (options.bus ?? createBroadcastBus()) as Bus;
  const onError = options.onError ??
    ((err, channel) => console.error(`Broadcast handler on "${channel}" failed:`, err));
  // This broadcast's own handlers, removed from the bus on close.
  const mine = new Set<{ channel: string; handler: Handler }>();

  const unsubscribe = (channel: string, handler: Handler) => {
    const set = subscribers.get(channel);
    if (!set) return;
    set.delete(handler);
    if (set.size === 0) subscribers.delete(channel);
  };

  return {
    publish(channel, message) {
      // Those subscribed at publish time hear it, unless they unsubscribe before delivery.
      const targets = [...subscribers.get(channel) ?? []];
      if (targets.length > 0) {
        queueMicrotask(() => {
          const now = subscribers.get(channel);
          for (const h of targets) {
            if (!now?.has(h)) continue;
            try {
              h(message);
            } catch (err) {
              onError(err, channel);
            }
          }
        });
      }
      return Promise.resolve();
    },
    subscribe(channel, handler) {
      // A wrapper per subscription, so one handler subscribed twice is two subscriptions.
      const h: Handler = (m) => handler(m);
      let set = subscribers.get(channel);
      if (!set) subscribers.set(channel, set = new Set());
      set.add(h);
      const entry = { channel, handler: h };
      mine.add(entry);
      return () => {
        mine.delete(entry);
        unsubscribe(channel, h);
      };
    },
    close() {
      for (const { channel, handler } of mine) unsubscribe(channel, handler);
      mine.clear();
      return Promise.resolve();
    },
  };
}
