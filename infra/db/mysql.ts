/**
 * MySQL / MariaDB implementation of `Database` on mysql2's pool through Kysely. Driver errors
 * are mapped here: duplicate keys become AlreadyExistsError, connection failures become
 * ServiceUnavailableError naming the server.
 */
import { createPool } from "mysql2";
import { Kysely, MysqlDialect } from "kysely";
import type { Database } from "./mod.ts";
import { mappingDialect } from "./_error_mapping.ts";
import { kyselyDatabase } from "./_kysely_database.ts";

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
  return kyselyDatabase(root, { dialect: "mysql", where: `MySQL at ${address}` });
}
