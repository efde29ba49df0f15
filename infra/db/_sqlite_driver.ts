/**
 * A Kysely dialect on Deno's built-in node:sqlite (DatabaseSync). node:sqlite is synchronous,
 * so a statement runs to completion on the event loop; what must be serialized is the time a
 * transaction stays open across awaits. The driver holds two connections to one WAL file:
 *
 * - the writer, behind a FIFO lock: a transaction holds it from BEGIN IMMEDIATE to COMMIT,
 *   so concurrent transactions queue instead of interleaving on one connection, and a write
 *   outside a transaction waits for the transaction ahead to finish;
 * - a read-only reader for SELECTs outside a transaction, which therefore never wait for an
 *   open transaction and see only committed data (a WAL snapshot per statement), as a
 *   MySQL pool connection would.
 */
import { DatabaseSync } from "node:sqlite";
import {
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  DeleteQueryNode,
  type Dialect,
  type DialectAdapter,
  type Driver,
  InsertQueryNode,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  RawNode,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  UpdateQueryNode,
} from "kysely";
import { ServiceUnavailableError } from "../errors.ts";
import { mapSqliteError } from "./_error_mapping.ts";
import { Handle, WriterLock } from "./_sqlite_handle.ts";

/** Settings of the embedded database. */
export interface SqliteDriverOptions {
  path: string;
  /** SQLite busy_timeout: how long a statement waits for another process's lock. */
  busyTimeoutMs: number;
  /** How long a transaction or write waits for the writer before it fails. */
  lockTimeoutMs: number;
  synchronous: "normal" | "full";
}

/** The dialect: Kysely's SQLite compiler and introspector over our driver. */
export class NodeSqliteDialect implements Dialect {
  readonly #options: SqliteDriverOptions;
  constructor(options: SqliteDriverOptions) {
    this.#options = options;
  }
  createAdapter(): DialectAdapter {
    return new EmbeddedSqliteAdapter();
  }
  createDriver(): Driver {
    return new NodeSqliteDriver(this.#options);
  }
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
  // deno-lint-ignore no-explicit-any
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

// Kysely's SQLite adapter assumes one connection (and serializes every query behind one
// mutex, which would make a read outside a transaction wait for it) and no transactional
// DDL. This driver multiplexes itself, and SQLite's DDL is transactional: a migration run
// commits whole or not at all.
class EmbeddedSqliteAdapter extends SqliteAdapter {
  override get supportsMultipleConnections(): boolean {
    return true;
  }
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

const RAW_READ = /^\s*select\b/i;
const RAW_DML = /^\s*(select|insert|update|delete|replace|with)\b/i;

/** True when the statement only reads (it can go to the reader outside a transaction). */
function isRead(q: CompiledQuery): boolean {
  return SelectQueryNode.is(q.query) || (RawNode.is(q.query) && RAW_READ.test(q.sql));
}

/** True when the statement may change the schema (prepared statements must be renewed). */
function isDdl(q: CompiledQuery): boolean {
  const n = q.query;
  if (RawNode.is(n)) return !RAW_DML.test(q.sql);
  return !(SelectQueryNode.is(n) || InsertQueryNode.is(n) || UpdateQueryNode.is(n) ||
    DeleteQueryNode.is(n));
}

class Connection implements DatabaseConnection {
  /** True between BEGIN and COMMIT/ROLLBACK: this connection holds the writer. */
  inTransaction = false;
  readonly #driver: NodeSqliteDriver;

  constructor(driver: NodeSqliteDriver) {
    this.#driver = driver;
  }

  executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    return this.#driver.execute(this, q) as Promise<QueryResult<R>>;
  }

  streamQuery<R>(q: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    return this.#driver.stream(this, q, chunkSize) as AsyncIterableIterator<QueryResult<R>>;
  }
}

class NodeSqliteDriver implements Driver {
  readonly #o: SqliteDriverOptions;
  readonly #lock = new WriterLock();
  #writer?: Handle;
  #reader?: Handle;

  constructor(options: SqliteDriverOptions) {
    this.#o = options;
  }

  init(): Promise<void> {
    const { path, busyTimeoutMs } = this.#o;
    let writer: DatabaseSync | undefined;
    try {
      writer = new DatabaseSync(path, { timeout: busyTimeoutMs });
      writer.exec(`pragma busy_timeout = ${busyTimeoutMs}`);
      const mode = writer.prepare("pragma journal_mode = wal").get() as { journal_mode: string };
      if (mode.journal_mode !== "wal") {
        throw new Error(`SQLite at ${path} cannot use WAL (journal mode ${mode.journal_mode})`);
      }
      // Durability: see SqliteOptions.synchronous.
      writer.exec(`pragma synchronous = ${this.#o.synchronous === "full" ? "full" : "normal"}`);
      writer.exec("pragma foreign_keys = on"); // InnoDB enforces foreign keys
      writer.exec("pragma journal_size_limit = 67108864"); // truncate a WAL grown by a burst
      const reader = new DatabaseSync(path, { readOnly: true, timeout: busyTimeoutMs });
      reader.exec(`pragma busy_timeout = ${busyTimeoutMs}`);
      this.#writer = new Handle(writer, path);
      this.#reader = new Handle(reader, path);
      return Promise.resolve();
    } catch (err) {
      if (writer?.isOpen) writer.close();
      // A file that cannot be opened (or put in WAL mode) is an unavailable database.
      return Promise.reject(new ServiceUnavailableError("SQLite", path, err));
    }
  }

  acquireConnection(): Promise<DatabaseConnection> {
    return Promise.resolve(new Connection(this));
  }

  async execute(c: Connection, q: CompiledQuery): Promise<QueryResult<unknown>> {
    const writer = this.#writer!;
    if (c.inTransaction) {
      this.#checkStillInTransaction();
      return this.#run(writer, q);
    }
    if (isRead(q)) return this.#run(this.#reader!, q);
    await this.#lock.acquire(this.#o.lockTimeoutMs);
    try {
      return this.#run(writer, q);
    } finally {
      this.#lock.release();
    }
  }

  async *stream(c: Connection, q: CompiledQuery, chunkSize: number) {
    if (!SelectQueryNode.is(q.query)) {
      throw new Error("The SQLite driver streams select queries only");
    }
    if (c.inTransaction) {
      this.#checkStillInTransaction();
      yield* this.#writer!.stream(q, chunkSize);
      return;
    }
    // A stream outside a transaction reads one snapshot for as long as it is consumed. On
    // the shared reader every other read would see that old snapshot meanwhile, so it gets
    // a connection of its own.
    let own: DatabaseSync;
    try {
      own = new DatabaseSync(this.#o.path, { readOnly: true, timeout: this.#o.busyTimeoutMs });
    } catch (err) {
      throw new ServiceUnavailableError("SQLite", this.#o.path, err);
    }
    try {
      yield* new Handle(own, this.#o.path).stream(q, chunkSize);
    } finally {
      own.close();
    }
  }

  #run(h: Handle, q: CompiledQuery): QueryResult<unknown> {
    try {
      return h.execute(q);
    } finally {
      if (isDdl(q)) {
        this.#writer!.forget();
        this.#reader!.forget();
      }
    }
  }

  // SQLite rolls a transaction back by itself after some errors (disk full, I/O); going on
  // would run the rest of it as separate autocommit statements.
  #checkStillInTransaction(): void {
    const db = this.#writer!.db;
    if (db.isOpen && !db.isTransaction) {
      throw new Error("SQLite rolled this transaction back after an earlier error");
    }
  }

  async beginTransaction(c: Connection): Promise<void> {
    await this.#lock.acquire(this.#o.lockTimeoutMs);
    try {
      // IMMEDIATE takes the file's write lock now, not at the first write, so that another
      // process on the same file cannot make this transaction fail halfway (SQLITE_BUSY).
      this.#writer!.db.exec("begin immediate");
    } catch (err) {
      this.#lock.release();
      throw mapSqliteError(err, this.#o.path);
    }
    c.inTransaction = true;
  }

  commitTransaction(c: Connection): Promise<void> {
    try {
      this.#writer!.db.exec("commit");
    } catch (err) {
      // Kysely rolls back after a failed commit; the lock is released there.
      return Promise.reject(mapSqliteError(err, this.#o.path));
    }
    c.inTransaction = false;
    this.#lock.release();
    return Promise.resolve();
  }

  rollbackTransaction(c: Connection): Promise<void> {
    try {
      if (this.#writer!.db.isOpen && this.#writer!.db.isTransaction) {
        this.#writer!.db.exec("rollback");
      }
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(mapSqliteError(err, this.#o.path));
    } finally {
      if (c.inTransaction) {
        c.inTransaction = false;
        this.#lock.release();
      }
    }
  }

  async releaseConnection(c: Connection): Promise<void> {
    if (c.inTransaction) await this.rollbackTransaction(c);
  }

  async destroy(): Promise<void> {
    // Let the transaction in progress (and those queued) finish first, within reason.
    await this.#lock.acquire(this.#o.lockTimeoutMs).catch(() => {});
    try {
      this.#writer?.db.exec("pragma optimize");
    } catch { /* only statistics */ }
    this.#reader?.db.close();
    this.#writer?.db.close();
  }
}
