/**
 * Embedded implementation of `Database` on SQLite (Deno's built-in node:sqlite) through
 * Kysely: the same repositories and migrations as MySQL, no server. One process owns the
 * file; its transactions are serialized (see _sqlite_driver.ts), reads outside a transaction
 * run beside them. Duplicate keys become AlreadyExistsError naming the index, as on MySQL.
 */
import {
  Kysely,
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryId,
  type QueryResult,
  type RootOperationNode,
  type SelectQueryNode,
  type UnknownRow,
} from "kysely";
import type { Database } from "./mod.ts";
import { kyselyDatabase } from "./_kysely_database.ts";
import { NodeSqliteDialect } from "./_sqlite_driver.ts";

/** Settings of the embedded database. */
export interface SqliteOptions {
  /** The database file, created when missing; `-wal` and `-shm` files sit next to it. */
  path: string;
  /** How long a statement waits for a lock held by another process (default 5 s). */
  busyTimeoutMs?: number;
  /**
   * How long a transaction (or a write outside one) waits for the transactions queued ahead
   * of it before failing (default 30 s), so a stuck transaction shows up as errors, not a hang.
   */
  lockTimeoutMs?: number;
  /**
   * "full" (default): every commit fsyncs the WAL before it returns, so an acknowledged
   * write survives kill -9 and power loss alike, as InnoDB's default
   * (innodb_flush_log_at_trx_commit=1) and the embedded queue (infra/mq/sqlite.ts) promise;
   * after a power loss the database never lags behind messages sent about its rows. The
   * price is one fsync per commit, on the event loop (node:sqlite is synchronous).
   * "normal": no fsync at commit; the commit has still reached the operating system when it
   * returns, so kill -9 loses nothing, but a power loss or OS crash can undo the last
   * commits (never corrupting the file). For write-heavy installations that accept that.
   */
  synchronous?: "normal" | "full";
}

/** Builds the embedded database; the file is opened on first use. */
export function createSqliteDatabase(options: SqliteOptions): Database {
  const path = options.path;
  if (!path || path === ":memory:" || path.startsWith("file::memory:")) {
    // The reader and the writer are two connections: they must share a file.
    throw new Error("SQLite needs a database file path, not an in-memory database");
  }
  const dialect = new NodeSqliteDialect({
    path,
    busyTimeoutMs: options.busyTimeoutMs ?? 5_000,
    lockTimeoutMs: options.lockTimeoutMs ?? 30_000,
    synchronous: options.synchronous ?? "full",
  });
  // deno-lint-ignore no-explicit-any
  const root = new Kysely<any>({ dialect, plugins: [new DropRowLocksPlugin()] });
  return kyselyDatabase(root, { dialect: "sqlite", where: `SQLite at ${path}` });
}

const ROW_LOCKS = new Set(["ForUpdate", "ForNoKeyUpdate", "ForShare", "ForKeyShare", "NoWait"]);

class DropRowLocks extends OperationNodeTransformer {
  protected override transformSelectQuery(node: SelectQueryNode, id?: QueryId): SelectQueryNode {
    const out = super.transformSelectQuery(node, id);
    const mods = out.endModifiers;
    if (!mods?.some((m) => m.modifier && ROW_LOCKS.has(m.modifier))) return out;
    return { ...out, endModifiers: mods.filter((m) => !(m.modifier && ROW_LOCKS.has(m.modifier))) };
  }
}

/**
 * Drops `for update` / `for share` (SQLite has no row locks and rejects the syntax). The
 * locks they take on MySQL are implied here: a transaction holds the only writer from
 * BEGIN IMMEDIATE to COMMIT, so nothing else writes while it reads.
 */
class DropRowLocksPlugin implements KyselyPlugin {
  readonly #transformer = new DropRowLocks();
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node, args.queryId);
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}
