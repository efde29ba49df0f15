/**
 * Relational database: the interface domains use. A session is bound to the current async
 * context, so code called inside `transaction()` reads its own writes without passing a
 * handle around, and a nested `transaction()` joins the outer one.
 *
 * Two implementations run the same repositories and migrations: MySQL / MariaDB (mysql.ts)
 * and embedded SQLite (sqlite.ts). Where their SQL differs, code asks `db.dialect` (or
 * `dialectOf` inside a migration) or uses the helpers below.
 */
import { type InsertQueryBuilder, type Kysely, MysqlAdapter, sql, SqliteAdapter } from "kysely";
import type { Migration } from "kysely/migration";

export type { Migration } from "kysely/migration";

/** The SQL dialect behind a `Database`. */
export type SqlDialect = "mysql" | "sqlite";

/** The relational database as the domains see it. */
export interface Database {
  /** Which SQL the database speaks. */
  readonly dialect: SqlDialect;
  /** The query builder of the current transaction, or of the pool outside one. */
  session<S = unknown>(): Kysely<S>;
  /**
   * Runs `fn` in a transaction: commit when it resolves, rollback when it throws. Inside an
   * enclosing transaction it joins it (one commit at the outermost level).
   */
  transaction<T, S = unknown>(fn: (trx: Kysely<S>) => Promise<T>): Promise<T>;
  /** True while the caller runs inside `transaction()`. */
  inTransaction(): boolean;
  /** Round trip to the server; throws ServiceUnavailableError when it cannot. */
  ping(): Promise<void>;
  /**
   * Applies pending migrations, in name order, once, under a database lock; returns the names
   * applied. `history` names the table recording them (default "schema_migration").
   */
  migrate(migrations: Record<string, Migration>, options?: { history?: string }): Promise<string[]>;
  /** Closes every connection. */
  close(): Promise<void>;
}

/** The dialect of a Kysely instance (a migration gets one, not a `Database`). */
// deno-lint-ignore no-explicit-any
export function dialectOf(db: Kysely<any>): SqlDialect {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof SqliteAdapter) return "sqlite";
  if (adapter instanceof MysqlAdapter) return "mysql";
  throw new Error(`Unsupported SQL dialect: ${adapter.constructor.name}`);
}

/**
 * Makes an insert update `update` columns from the inserted row when it collides with an
 * existing one: `on duplicate key update c = values(c)` on MySQL (any unique key), and
 * `on conflict (keys) do update set c = excluded.c` on SQLite (`keys` must name the unique
 * key expected to collide, as SQLite requires a conflict target).
 */
export function onDuplicateKeyUpdate<DB, TB extends keyof DB, O>(
  qb: InsertQueryBuilder<DB, TB, O>,
  o: {
    dialect: SqlDialect;
    keys: readonly (keyof DB[TB] & string)[];
    update: readonly (keyof DB[TB] & string)[];
  },
): InsertQueryBuilder<DB, TB, O> {
  const set = (ref: (c: string) => unknown) =>
    // The values are raw SQL references, which Kysely's column-typed update objects accept
    // only through a cast.
    // deno-lint-ignore no-explicit-any
    Object.fromEntries(o.update.map((c) => [c, ref(c)])) as any;
  if (o.dialect === "mysql") {
    return qb.onDuplicateKeyUpdate(set((c) => sql`values(${sql.ref(c)})`));
  }
  return qb.onConflict((oc) =>
    // deno-lint-ignore no-explicit-any
    oc.columns(o.keys as any).doUpdateSet(set((c) => sql.ref(`excluded.${c}`)))
  );
}
