/**
 * A Kysely dialect wrapper that maps mysql2 errors at the driver boundary, so every query
 * (pool, transaction, migration) reports typed errors.
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
