/**
 * The SQLite file behind the durable in-process cache: schema, pragmas, the load on open,
 * batched writes and the sweep of expired rows. Every method is synchronous (node:sqlite).
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { dirname } from "node:path";
import { describeCause } from "../errors.ts";

// `seq` is the order of the latest writes (the eviction order); it is not the rowid, so that
// rewriting a key updates its row in place instead of deleting and inserting one. Expiry is
// in ms on the cache's clock; NULL means never. Only rows with an expiry are indexed by it.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS cache_entries (
  key TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL,
  expires_at REAL,
  seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS cache_entries_expiry ON cache_entries (expires_at)
  WHERE expires_at IS NOT NULL;
`;

/** One row as written: the encoded value, its expiry (Infinity: never) and write order. */
export interface CacheRow {
  value: string;
  expiresAt: number;
  seq: number;
}

/** A live row read back on open, in write order. */
export interface LoadedRow extends CacheRow {
  key: string;
}

/** The open cache file. */
export class CacheFile {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #upsert: StatementSync;
  readonly #delete: StatementSync;
  readonly #sweep: StatementSync;

  /** Opens (creating it and its directory when missing); throws an error naming the path. */
  constructor(path: string, options: { busyTimeoutMs?: number } = {}) {
    this.path = path;
    let db: DatabaseSync | undefined;
    try {
      Deno.mkdirSync(dirname(path), { recursive: true });
      const busy = Math.floor(options.busyTimeoutMs ?? 2_000);
      db = new DatabaseSync(path, { timeout: busy });
      db.exec(`PRAGMA busy_timeout = ${busy}`);
      const mode = db.prepare("PRAGMA journal_mode = WAL").get() as { journal_mode: string };
      if (mode.journal_mode !== "wal") {
        throw new Error(`cannot use WAL (journal mode ${mode.journal_mode})`);
      }
      // NORMAL in WAL mode: COMMIT returns once the transaction is written to the WAL file
      // (the OS has it), so a committed write survives kill -9 of this process; only a power
      // loss or OS crash can lose the last commits (never part of one). No fsync per commit.
      db.exec("PRAGMA synchronous = NORMAL");
      db.exec("PRAGMA journal_size_limit = 67108864"); // truncate a WAL grown by a burst
      db.exec(SCHEMA);
      this.#upsert = db.prepare(
        `INSERT INTO cache_entries (key, value, expires_at, seq) VALUES (?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET
           value = excluded.value, expires_at = excluded.expires_at, seq = excluded.seq`,
      );
      this.#delete = db.prepare("DELETE FROM cache_entries WHERE key = ?");
      // Chunked, so that a sweep never holds the event loop long however many rows expired.
      this.#sweep = db.prepare(
        `DELETE FROM cache_entries WHERE rowid IN (
           SELECT rowid FROM cache_entries WHERE expires_at <= ? LIMIT ?)`,
      );
      this.#db = db;
    } catch (err) {
      if (db?.isOpen) db.close();
      throw new Error(`Cannot open the cache file ${path}: ${describeCause(err)}`, {
        cause: err,
      });
    }
  }

  /** Deletes the rows expired at `now`, then returns the others in write order. */
  load(now: number): LoadedRow[] {
    try {
      this.transaction(() => {
        while (this.sweep(now, 10_000) === 10_000) { /* until none is left */ }
      });
      const select = this.#db.prepare(
        "SELECT key, value, expires_at, seq FROM cache_entries ORDER BY seq",
      );
      select.setReturnArrays(true); // about half the time of row objects, for 100k rows
      const rows = select.all() as unknown as [string, string, number | null, number][];
      return rows.map(([key, value, expiresAt, seq]) => ({
        key,
        value,
        expiresAt: expiresAt ?? Infinity,
        seq: Number(seq),
      }));
    } catch (err) {
      throw new Error(`Cannot read the cache file ${this.path}: ${describeCause(err)}`, {
        cause: err,
      });
    }
  }

  /** Applies a batch in one transaction: a row per key, or null to delete the key. */
  write(ops: Map<string, CacheRow | null>): void {
    this.transaction(() => {
      for (const [key, row] of ops) {
        if (row === null) this.#delete.run(key);
        else {
          const at = row.expiresAt === Infinity ? null : row.expiresAt;
          this.#upsert.run(key, row.value, at, row.seq);
        }
      }
    });
  }

  /** Deletes up to `limit` rows expired at `now`; returns how many. */
  sweep(now: number, limit: number): number {
    return Number(this.#sweep.run(now, limit).changes);
  }

  /** Runs `fn` in one write transaction (rolled back when it throws). */
  transaction(fn: () => void): void {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      fn();
      this.#db.exec("COMMIT");
    } catch (err) {
      try {
        this.#db.exec("ROLLBACK");
      } catch { /* the failed statement may have rolled back already */ }
      throw err;
    }
  }

  /** Closes the file (checkpointing the WAL into it). */
  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
