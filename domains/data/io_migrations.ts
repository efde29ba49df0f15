/**
 * The table of dataset import and export jobs (MySQL, or its SQLite equivalent). A row is
 * the truth of a job: status, progress, error groups, the checkpoint of its reading and the
 * lease of the process running it (`lease_owner` until `lease_until`, epoch ms).
 */
import { sql } from "kysely";
import type { Migration } from "../../infra/db/mod.ts";
import { ddlOf } from "./_ddl.ts";

/** IO job migrations. */
export const IO_JOB_MIGRATIONS: Record<string, Migration> = {
  "0420_dataset_io_jobs": {
    async up(db) {
      const { id, u64, options } = ddlOf(db);
      await sql`create table dataset_io_jobs (
        id ${id},
        space_id ${u64} not null,
        dataset_id ${u64} not null,
        job_type tinyint not null,
        status tinyint not null,
        source text not null,
        target text not null,
        field_mappings text not null,
        overwrite tinyint not null default 0,
        total bigint null,
        processed bigint not null default 0,
        added bigint not null default 0,
        errors mediumtext not null,
        checkpoint text not null,
        reason varchar(2048) null,
        lease_owner varchar(64) null,
        lease_until bigint not null default 0,
        created_by ${u64} not null,
        created_at datetime(3) not null,
        updated_at datetime(3) not null,
        started_at datetime(3) null,
        ended_at datetime(3) null
      ) ${options}`.execute(db);
      await sql`create index idx_io_job_dataset on dataset_io_jobs (dataset_id, created_at)`
        .execute(db);
      await sql`create index idx_io_job_status on dataset_io_jobs (status, lease_until)`
        .execute(db);
    },
  },
};
