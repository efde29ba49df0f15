/**
 * Wake-ups for the embedded queue, so that idle consumers sleep instead of polling hard.
 * Every key (a topic, the delay table) has a version that grows when a local commit touches
 * it; `bumpAll` grows every version at once (another connection committed, seen through
 * `PRAGMA data_version`). A waiter passes the version it saw before looking at the data,
 * so a commit that lands between its look and its wait is never missed.
 */

/** Versioned wake-ups by key. */
export class Notifier {
  #global = 0;
  #versions = new Map<string, number>();
  #waiters = new Map<string, Set<() => void>>();

  /** The current version of `key`. */
  version(key: string): number {
    return (this.#versions.get(key) ?? 0) + this.#global;
  }

  /** Something changed under `key`. */
  bump(key: string): void {
    this.#versions.set(key, (this.#versions.get(key) ?? 0) + 1);
    this.#fire(this.#waiters.get(key));
  }

  /** Something may have changed anywhere. */
  bumpAll(): void {
    this.#global++;
    for (const set of this.#waiters.values()) this.#fire(set);
  }

  /**
   * Resolves when the version of `key` differs from `seen`, after `ms`, or on abort,
   * whichever comes first. Never rejects.
   */
  wait(key: string, seen: number, ms: number, signal?: AbortSignal): Promise<void> {
    if (this.version(key) !== seen || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let set = this.#waiters.get(key);
      if (!set) this.#waiters.set(key, set = new Set());
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        set.delete(done);
        if (set.size === 0 && this.#waiters.get(key) === set) this.#waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener("abort", done, { once: true });
      set.add(done);
    });
  }

  #fire(set: Set<() => void> | undefined): void {
    if (set) { for (const f of [...set]) f(); }
  }
}

/** Sleeps `ms`, or less when `signal` aborts. Never rejects. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener("abort", done, { once: true });
  });
}
