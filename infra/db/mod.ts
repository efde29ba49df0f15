/**
 * Relational database: the interface domains use. A session is bound to the current async
 * context, so code called inside `transaction()` reads its own writes without passing a
 * handle around, and a nested `transaction()` joins the outer one.
 */
import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

export type { Migration } from "kysely/migration";

/** The relational database as the domains see it. */
export interface Database {
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
