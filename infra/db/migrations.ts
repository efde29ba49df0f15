/**
 * The server's MySQL migrations, applied in name order once each. Domains add theirs here
 * as they arrive; names are `NNNN_what`.
 */
import { sql } from "kysely";
import type { Migration } from "./mod.ts";

/** Every migration of the relational schema. */
export const DB_MIGRATIONS: Record<string, Migration> = {
  "0001_server_meta": {
    // A key-value table for server-wide facts (e.g. the schema generation), created first.
    async up(db) {
      await sql`create table if not exists server_meta (
        meta_key varchar(128) not null primary key,
        meta_value text not null,
        updated_at datetime(3) not null default current_timestamp(3) on update current_timestamp(3)
      ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci`.execute(db);
    },
  },
};
