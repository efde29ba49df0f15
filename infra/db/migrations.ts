/**
 * The server's relational migrations, applied in name order once each. Domains add theirs
 * here as they arrive; names are `NNNN_what`. Each migration runs MySQL's DDL, or SQLite's
 * equivalent on the embedded database (the MySQL text of an applied migration never changes).
 *
 * SQLite equivalents follow one set of rules: `bigint unsigned` -> `bigint` (`integer` for a
 * single-column primary key, SQLite's rowid), `datetime(3)` kept as the declared type (the
 * driver reads it as a Date), `json` -> `json text` with a json_valid check (as MariaDB
 * has), varchar/char/text `collate nocase` (the tables' utf8mb4_unicode_ci compares case
 * insensitively), and `key`/`unique key` -> `create [unique] index` with the same name.
 */
import { sql } from "kysely";
import { dialectOf, type Migration } from "./mod.ts";

// SQLite's current_timestamp(3): UTC with milliseconds, the text the driver reads as a Date.
const NOW_MS = sql.raw(`(strftime('%Y-%m-%d %H:%M:%f', 'now'))`);

/** Every migration of the relational schema. */
export const DB_MIGRATIONS: Record<string, Migration> = {
  "0001_server_meta": {
    // A key-value table for server-wide facts (e.g. the schema generation), created first.
    async up(db) {
      if (dialectOf(db) === "sqlite") {
        await sql`create table if not exists server_meta (
          meta_key varchar(128) collate nocase not null primary key,
          meta_value text collate nocase not null,
          updated_at datetime(3) not null default ${NOW_MS}
        )`.execute(db);
        // MySQL's "on update current_timestamp(3)": a changed row is stamped unless the
        // update set updated_at itself.
        await sql`create trigger if not exists server_meta_updated_at
          after update on server_meta for each row
          when new.updated_at is old.updated_at and new.meta_value is not old.meta_value
          begin
            update server_meta set updated_at = ${NOW_MS} where meta_key = new.meta_key;
          end`.execute(db);
        return;
      }
      await sql`create table if not exists server_meta (
        meta_key varchar(128) not null primary key,
        meta_value text not null,
        updated_at datetime(3) not null default current_timestamp(3) on update current_timestamp(3)
      ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci`.execute(db);
    },
  },
};
