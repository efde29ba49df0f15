/**
 * The table of experiment result exports (MySQL, or its SQLite equivalent). A row is the truth
 * of an export job: its status (0 pending, 1 running, 2 success, 3 failed), the columns asked,
 * the object written, and the lease of the process running it (`lease_owner` until
 * `lease_until`, epoch ms); queue messages only wake workers.
 */
import { sql } from "kysely";
import { dialectOf, type Migration } from "../../../infra/db/mod.ts";

const OPTS = sql.raw("engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci");

/** Export migrations. */
export const EXPT_EXPORT_MIGRATIONS: Record<string, Migration> = {
  "0450_expt_exports": {
    async up(db) {
      const sqlite = dialectOf(db) === "sqlite";
      const id = sql.raw(
        sqlite ? "integer not null primary key" : "bigint unsigned not null primary key",
      );
      const u64 = sql.raw(sqlite ? "bigint" : "bigint unsigned");
      await sql`create table expt_export_records (
        id ${id},
        space_id ${u64} not null,
        expt_id ${u64} not null,
        status tinyint not null,
        export_columns text not null,
        file_key varchar(512) not null,
        error varchar(2048) null,
        failures int not null default 0,
        lease_owner varchar(64) null,
        lease_until bigint not null default 0,
        created_by ${u64} not null,
        created_at datetime(3) not null,
        updated_at datetime(3) not null,
        started_at bigint not null default 0,
        ended_at bigint not null default 0
      ) ${sqlite ? sql.raw("") : OPTS}`.execute(db);
      await sql`create index idx_expt_export_expt on expt_export_records (expt_id, created_at)`
        .execute(db);
    },
  },
};
