/**
 * A bound on concurrent work in this process (a counting semaphore with a bounded queue):
 * `permits` tasks run at once, up to `maxWaiting` more wait in order, and any further task is
 * refused at once (GateFullError), as is a waiting one after `maxWaitMs`. For work that is
 * heavy in memory or CPU per request (decompressing and decoding bodies), where letting every
 * request in at once is what takes the server down.
 */

/** Thrown when the gate refuses a task: too many waiting, or waited too long. */
export class GateFullError extends Error {
  override name = "GateFullError";
}

/** A concurrency gate. */
export interface Gate {
  /** Runs `task` holding a permit; rejects with GateFullError when refused. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks holding a permit now. */
  readonly active: number;
  /** Tasks waiting for one. */
  readonly waiting: number;
}

/** Creates a gate. */
export function createGate(
  options: { permits: number; maxWaiting: number; maxWaitMs?: number },
): Gate {
  const permits = Math.max(1, options.permits);
  const queue: { admit(): void; timer?: ReturnType<typeof setTimeout> }[] = [];
  let active = 0;

  const release = () => {
    const next = queue.shift();
    if (next) {
      clearTimeout(next.timer);
      next.admit(); // the permit passes straight on
    } else active--;
  };

  const acquire = (): Promise<void> => {
    if (active < permits) {
      active++;
      return Promise.resolve();
    }
    if (queue.length >= options.maxWaiting) {
      return Promise.reject(new GateFullError(`busy: ${active} running, ${queue.length} waiting`));
    }
    return new Promise((resolve, reject) => {
      const entry: { admit(): void; timer?: ReturnType<typeof setTimeout> } = { admit: resolve };
      if (options.maxWaitMs !== undefined) {
        entry.timer = setTimeout(() => {
          const i = queue.indexOf(entry);
          if (i >= 0) queue.splice(i, 1);
          reject(new GateFullError(`busy: waited ${options.maxWaitMs} ms`));
        }, options.maxWaitMs);
      }
      queue.push(entry);
    });
  };

  return {
    async run(task) {
      await acquire();
      try {
        return await task();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
  };
}
