/**
 * Analytics database (ClickHouse) as the domains see it. Values reach the engine only as
 * named, typed parameters (`{name:Type}` in the SQL), never spliced into the text.
 */

/** Named query parameters; each `{name:Type}` placeholder needs one. */
export type QueryParams = Record<string, unknown>;

/** The analytics database interface. */
export interface AnalyticsDb {
  /** Rows of a SELECT, decoded from JSONEachRow. */
  query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]>;
  /** A statement without a result set (DDL, ALTER, OPTIMIZE...). */
  command(sql: string, params?: QueryParams): Promise<void>;
  /** Inserts rows in one batch (JSONEachRow). */
  insert<T extends Record<string, unknown>>(table: string, rows: T[]): Promise<void>;
  /**
   * Inserts rows already encoded as JSONEachRow (one JSON object per line), in one batch,
   * without decoding them: the ingestion writer passes queue messages straight through.
   */
  insertJsonLines(table: string, chunks: Uint8Array[]): Promise<void>;
  /** Applies idempotent DDL statements in order (start-up). */
  migrate(statements: string[]): Promise<void>;
  /** Round trip; ServiceUnavailableError when the server cannot be reached. */
  ping(): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*):[^}]+\}/g;

/**
 * Checks that the placeholders of `sql` and the keys of `params` match exactly, so a typo
 * fails loudly instead of sending a query with an unbound or ignored value.
 */
export function checkParams(sql: string, params: QueryParams = {}): void {
  const wanted = new Set(Array.from(sql.matchAll(PLACEHOLDER), (m) => m[1]));
  const given = Object.keys(params);
  const missing = [...wanted].filter((n) => !(n in params));
  const extra = given.filter((n) => !wanted.has(n));
  if (missing.length || extra.length) {
    throw new TypeError(
      `Query parameters do not match placeholders: ${
        missing.length ? `missing ${missing.join(", ")}` : ""
      }${missing.length && extra.length ? "; " : ""}${
        extra.length ? `unused ${extra.join(", ")}` : ""
      }`,
    );
  }
}

/** A table name safe to put in SQL: identifiers only (database.table allowed). */
export function checkIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(name)) {
    throw new TypeError(`Invalid table name "${name}"`);
  }
  return name;
}
