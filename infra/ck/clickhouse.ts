/**
 * ClickHouse implementation of AnalyticsDb over HTTP with @clickhouse/client. Transport
 * failures become ServiceUnavailableError naming the server; server-side errors keep
 * ClickHouse's code and message.
 */
import {
  type ClickHouseClient,
  ClickHouseError,
  ClickHouseLogLevel,
  createClient,
} from "@clickhouse/client";
import { Readable } from "node:stream";
import { ServiceUnavailableError } from "../errors.ts";
import { type AnalyticsDb, checkIdentifier, checkParams } from "./mod.ts";

/** ClickHouse connection settings. */
export interface ClickHouseOptions {
  url: string;
  user: string;
  password: string;
  database: string;
  requestTimeoutMs?: number;
}

/** Creates the client; it connects per request. */
export function createClickHouse(options: ClickHouseOptions): AnalyticsDb {
  const client: ClickHouseClient = createClient({
    url: options.url,
    username: options.user,
    password: options.password,
    database: options.database,
    request_timeout: options.requestTimeoutMs ?? 30_000,
    compression: { request: false, response: false },
    max_open_connections: 10,
    clickhouse_settings: { date_time_input_format: "best_effort" },
    // Errors reach the caller typed; the client's own console logging would duplicate them.
    log: { level: ClickHouseLogLevel.OFF },
  });
  const address = options.url;

  const run = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw mapClickHouseError(err, address);
    }
  };

  return {
    query: <T>(sql: string, params = {}) =>
      run(async () => {
        checkParams(sql, params);
        const rs = await client.query({ query: sql, query_params: params, format: "JSONEachRow" });
        return await rs.json<T>();
      }),
    command: (sql, params = {}) =>
      run(async () => {
        checkParams(sql, params);
        await client.command({ query: sql, query_params: params });
      }),
    insert: (table, rows) =>
      run(async () => {
        checkIdentifier(table);
        if (rows.length === 0) return;
        await client.insert({ table, values: rows, format: "JSONEachRow" });
      }),
    insertJsonLines: (table, chunks) =>
      run(async () => {
        checkIdentifier(table);
        if (chunks.length === 0) return;
        const r = await client.exec({
          query: `INSERT INTO ${table} FORMAT JSONEachRow`,
          values: Readable.from(chunks),
        });
        // The answer must be read for the connection to return to the pool.
        for await (const _ of r.stream) { /* drain */ }
      }),
    migrate: (statements) =>
      run(async () => {
        for (const sql of statements) await client.command({ query: sql });
      }),
    ping: () =>
      run(async () => {
        const r = await client.ping();
        if (!r.success) throw r.error;
      }),
    close: () => client.close(),
  };
}

/** Maps transport failures to ServiceUnavailableError; ClickHouse errors pass through. */
export function mapClickHouseError(err: unknown, address: string): unknown {
  if (err instanceof ClickHouseError || err instanceof TypeError) return err;
  const msg = `${(err as { code?: string })?.code ?? ""} ${(err as Error)?.message ?? ""}`;
  if (
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|socket hang up|Timeout error|timeout/i.test(
      msg,
    )
  ) {
    return new ServiceUnavailableError("ClickHouse", address, err);
  }
  return err;
}
