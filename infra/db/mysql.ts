/**
 * MySQL / MariaDB implementation of `Database` on mysql2's pool through Kysely. Driver errors
 * are mapped here: duplicate keys become AlreadyExistsError, connection failures become
 * ServiceUnavailableError naming the server.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { createPool } from "mysql2";
import { Kysely, MysqlDialect, sql } from "kysely";
import { type Migration, Migrator } from "kysely/migration";
import type { Database } from "./mod.ts";
import { mappingDialect } from "./_error_mapping.ts";

/** Connection settings for MySQL / MariaDB. */
export interface MysqlOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  poolSize?: number;
  /** Fail a query that cannot get a connection within this time. */
  connectTimeoutMs?: number;
}

/** Builds a pooled MySQL database; connects lazily on first use. */
export function createMysqlDatabase(options: MysqlOptions): Database {
  const address = `${options.host}:${options.port}`;
  const pool = createPool({
    host: options.host,
    port: options.port,
    user: options.user,
    password: options.password,
    database: options.database,
    connectionLimit: options.poolSize ?? 20,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    // Idle connections are dropped so a restarted server is not met with dead sockets.
    maxIdle: Math.min(options.poolSize ?? 20, 10),
    idleTimeout: 30_000,
    enableKeepAlive: true,
    timezone: "Z",
    dateStrings: false,
    supportBigNumbers: true,
    bigNumberStrings: true,
    charset: "utf8mb4_unicode_ci",
  });
  const dialect = mappingDialect(new MysqlDialect({ pool }), address);
  // deno-lint-ignore no-explicit-any
  const root = new Kysely<any>({ dialect });
  // deno-lint-ignore no-explicit-any
  const current = new AsyncLocalStorage<Kysely<any>>();

  return {
    session: <S>() => (current.getStore() ?? root) as Kysely<S>,
    inTransaction: () => current.getStore() !== undefined,
    transaction<T, S>(fn: (trx: Kysely<S>) => Promise<T>): Promise<T> {
      const outer = current.getStore();
      if (outer) return fn(outer as Kysely<S>);
      return root.transaction().execute((trx) =>
        current.run(trx, () => fn(trx as unknown as Kysely<S>))
      );
    },
    async ping() {
      await sql`select 1`.execute(root);
    },
    async migrate(migrations: Record<string, Migration>, opts: { history?: string } = {}) {
      const history = opts.history ?? "schema_migration";
      const migrator = new Migrator({
        db: root,
        provider: { getMigrations: () => Promise.resolve(migrations) },
        migrationTableName: history,
        migrationLockTableName: `${history}_lock`,
      });
      const { error, results } = await migrator.migrateToLatest();
      if (error) {
        const failed = results?.find((r) => r.status === "Error")?.migrationName;
        throw new Error(
          `Migration ${failed ?? "(setup)"} failed on MySQL at ${address}: ${
            (error as Error).message
          }`,
          { cause: error },
        );
      }
      return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
    },
    close: () => root.destroy(),
  };
}
