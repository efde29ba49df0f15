/**
 * The part of `Database` that is the same on every dialect: the session bound to the async
 * context, joined nested transactions, and migrations through Kysely's Migrator.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { type Kysely, sql } from "kysely";
import { type Migration, Migrator } from "kysely/migration";
import type { Database, SqlDialect } from "./mod.ts";

/** Builds a `Database` over a Kysely instance; `where` names it in errors ("MySQL at h:p"). */
export function kyselyDatabase(
  // deno-lint-ignore no-explicit-any
  root: Kysely<any>,
  o: { dialect: SqlDialect; where: string; close?: () => Promise<void> },
): Database {
  // deno-lint-ignore no-explicit-any
  const current = new AsyncLocalStorage<Kysely<any>>();
  return {
    dialect: o.dialect,
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
          `Migration ${failed ?? "(setup)"} failed on ${o.where}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
    },
    close: o.close ?? (() => root.destroy()),
  };
}
