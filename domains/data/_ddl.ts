/**
 * Pieces of the data domain's DDL: MySQL's table options, and column types that differ on the
 * embedded SQLite database (an integer primary key there, unsigned bigints on MySQL).
 */
import { type Kysely, type RawBuilder, sql } from "kysely";
import { dialectOf } from "../../infra/db/mod.ts";

/** MySQL's table options of every data table. */
export const MYSQL_TABLE_OPTIONS: RawBuilder<unknown> = sql.raw(
  "engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci",
);

/** Column types and table options for the database a migration runs on. */
export function ddlOf(db: Kysely<unknown>): {
  /** A bigint primary key. */
  id: RawBuilder<unknown>;
  /** An unsigned bigint (a plain one on SQLite). */
  u64: RawBuilder<unknown>;
  /** What follows `create table (...)`. */
  options: RawBuilder<unknown>;
} {
  const sqlite = dialectOf(db) === "sqlite";
  return {
    id: sql.raw(sqlite ? "integer not null primary key" : "bigint unsigned not null primary key"),
    u64: sql.raw(sqlite ? "bigint" : "bigint unsigned"),
    options: sqlite ? sql.raw("") : MYSQL_TABLE_OPTIONS,
  };
}
