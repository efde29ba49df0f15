/**
 * Group commit for the embedded queue: every write asked for in one turn of the event loop
 * (sends from many callers, offset commits from many partitions) goes into one transaction,
 * flushed from setImmediate. A commit costs an fsync or at least a WAL append, so this is
 * what makes batches of ~100 messages reach tens of thousands of messages per second. The
 * transaction is durable (synchronous=FULL) when any write in it asked to be.
 */
import { setImmediate } from "node:timers";
import { PartitionLostError } from "./_sqlite_group.ts";
import type { SqliteStore } from "./_sqlite_store.ts";

interface Pending {
  write(): void;
  durable: boolean;
  resolve(): void;
  reject(err: unknown): void;
}

/** Coalesces writes into one transaction per turn of the event loop. */
export class WriteBatcher {
  #pending: Pending[] = [];
  #scheduled = false;

  constructor(
    private readonly store: () => SqliteStore,
    private readonly mapError: (err: unknown) => unknown,
  ) {}

  /**
   * Runs `write` in the next shared transaction; resolves after it committed. A
   * PartitionLostError from `write` fails only that write (it must have changed nothing);
   * any other error fails the whole transaction.
   */
  run(write: () => void, durable: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ write, durable, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits what is pending now. */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    const lost = new Map<Pending, unknown>();
    try {
      const s = this.store();
      s.tx(() => {
        for (const p of batch) {
          try {
            p.write();
          } catch (err) {
            if (!(err instanceof PartitionLostError)) throw err;
            lost.set(p, err);
          }
        }
      }, batch.some((p) => p.durable));
    } catch (err) {
      const e = this.mapError(err);
      for (const p of batch) p.reject(e);
      return;
    }
    for (const p of batch) {
      if (lost.has(p)) p.reject(lost.get(p));
      else p.resolve();
    }
  }
}
