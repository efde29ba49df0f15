/**
 * Driver errors mapped to typed errors at the driver boundary: a Kysely dialect wrapper for
 * mysql2, so every query (pool, transaction, migration) reports them, and the same mapping
 * for node:sqlite errors (called by the SQLite driver).
 */
import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  QueryResult,
  TransactionSettings,
} from "kysely";
import { AlreadyExistsError, ServiceUnavailableError } from "../errors.ts";

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "ER_CON_COUNT_ERROR",
  "ER_SERVER_SHUTDOWN",
  "ER_ACCESS_DENIED_ERROR",
  "ER_BAD_DB_ERROR",
]);

/** Maps a mysql2 error to our typed errors; anything else is returned unchanged. */
export function mapMysqlError(err: unknown, address: string): unknown {
  const e = err as { code?: string; errno?: number; fatal?: boolean; message?: string };
  if (e?.code === "ER_DUP_ENTRY" || e?.errno === 1062) {
    const key = /for key '([^']+)'/.exec(e.message ?? "")?.[1];
    return new AlreadyExistsError(`Already exists: ${e.message}`, { key, cause: err });
  }
  if (
    (e?.code && CONNECTION_CODES.has(e.code)) || e?.fatal === true ||
    /closed state|Pool is closed|connect ETIMEDOUT/.test(e?.message ?? "")
  ) {
    return new ServiceUnavailableError("MySQL", address, err);
  }
  return err;
}

// SQLite result codes (the low byte of the extended code) meaning that the database file
// cannot be used right now: BUSY, LOCKED, IOERR, CORRUPT, FULL, CANTOPEN, NOTADB.
const SQLITE_UNAVAILABLE = new Set([5, 6, 10, 11, 13, 14, 26]);
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
const SQLITE_CONSTRAINT_UNIQUE = 2067;

/**
 * Maps a node:sqlite error to our typed errors; anything else is returned unchanged.
 * `keyName(table, columns)` names the unique index over exactly those columns, so that
 * AlreadyExistsError.key is the index name, as MySQL reports it ("PRIMARY" for the key).
 */
export function mapSqliteError(
  err: unknown,
  path: string,
  keyName?: (table: string, columns: string[]) => string | undefined,
): unknown {
  const e = err as { code?: string; errcode?: number; message?: string };
  if (e?.errcode === SQLITE_CONSTRAINT_UNIQUE || e?.errcode === SQLITE_CONSTRAINT_PRIMARYKEY) {
    // "UNIQUE constraint failed: users.email", "...: t.a, t.b", or "...: index 'name'".
    const what = /constraint failed: (.*)$/.exec(e.message ?? "")?.[1] ?? "";
    let key = /^index '(.+)'$/.exec(what)?.[1];
    if (!key && e.errcode === SQLITE_CONSTRAINT_PRIMARYKEY) key = "PRIMARY";
    if (!key && what) {
      const refs = what.split(", ").map((r) => r.trim());
      const table = refs[0].slice(0, refs[0].lastIndexOf("."));
      key = keyName?.(table, refs.map((r) => r.slice(table.length + 1))) ?? what;
    }
    return new AlreadyExistsError(`Already exists: ${e.message}`, { key, cause: err });
  }
  if (
    (typeof e?.errcode === "number" && SQLITE_UNAVAILABLE.has(e.errcode & 0xff)) ||
    (e?.code === "ERR_INVALID_STATE" && /not open/.test(e.message ?? ""))
  ) {
    return new ServiceUnavailableError("SQLite", path, err);
  }
  return err;
}

/** Wraps a dialect so that every driver and connection error passes through mapMysqlError. */
export function mappingDialect(inner: Dialect, address: string): Dialect {
  return {
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createDriver: () => new MappingDriver(inner.createDriver(), address),
  };
}

class MappingDriver implements Driver {
  #wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
  #inner: Driver;
  #address: string;

  constructor(inner: Driver, address: string) {
    this.#inner = inner;
    this.#address = address;
  }

  #map<T>(p: Promise<T>): Promise<T> {
    return p.catch((err) => {
      throw mapMysqlError(err, this.#address);
    });
  }

  init() {
    return this.#map(this.#inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const conn = await this.#map(this.#inner.acquireConnection());
    const address = this.#address;
    const wrapped: DatabaseConnection = {
      executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
        return conn.executeQuery<R>(q).catch((err) => {
          throw mapMysqlError(err, address);
        });
      },
      streamQuery: <R>(q: CompiledQuery, chunkSize: number) => conn.streamQuery<R>(q, chunkSize),
    };
    this.#wrapped.set(wrapped, conn);
    return wrapped;
  }

  #unwrap(c: DatabaseConnection): DatabaseConnection {
    return this.#wrapped.get(c) ?? c;
  }

  beginTransaction(c: DatabaseConnection, s: TransactionSettings) {
    return this.#map(this.#inner.beginTransaction(this.#unwrap(c), s));
  }
  commitTransaction(c: DatabaseConnection) {
    return this.#map(this.#inner.commitTransaction(this.#unwrap(c)));
  }
  rollbackTransaction(c: DatabaseConnection) {
    return this.#map(this.#inner.rollbackTransaction(this.#unwrap(c)));
  }
  releaseConnection(c: DatabaseConnection) {
    return this.#inner.releaseConnection(this.#unwrap(c));
  }
  destroy() {
    return this.#inner.destroy();
  }
}
