/**
 * Migrations of the evaluation targets: a target is one source object of a workspace (today a
 * prompt: `(space_id, target_type, source_target_id)` unique among live targets), a version
 * one of its source versions (a committed prompt version: `(target_id,
 * source_target_version)` unique), holding the IDL's EvalTargetContent as JSON. MySQL's DDL or
 * its SQLite equivalent.
 */
import { type Kysely, sql } from "kysely";
import { dialectOf, type Migration } from "../../infra/db/mod.ts";

const OPTS = sql.raw("engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci");

/** Evaluation target migrations. */
export const TARGET_MIGRATIONS: Record<string, Migration> = {
  "0430_eval_targets": {
    async up(db) {
      if (dialectOf(db) === "sqlite") return await targetsSqlite(db);
      await sql`create table eval_targets (
        id bigint unsigned not null primary key,
        space_id bigint unsigned not null,
        target_type int not null,
        source_target_id varchar(128) not null,
        created_by bigint unsigned not null,
        updated_by bigint unsigned not null,
        created_at datetime(3) not null,
        updated_at datetime(3) not null,
        deleted_at bigint not null default 0,
        unique key uk_eval_target_source (space_id, target_type, source_target_id, deleted_at)
      ) ${OPTS}`.execute(db);
      await sql`create table eval_target_versions (
        id bigint unsigned not null primary key,
        space_id bigint unsigned not null,
        target_id bigint unsigned not null,
        target_type int not null,
        source_target_version varchar(128) not null,
        content json not null,
        created_by bigint unsigned not null,
        updated_by bigint unsigned not null,
        created_at datetime(3) not null,
        updated_at datetime(3) not null,
        deleted_at bigint not null default 0,
        unique key uk_eval_target_version (target_id, source_target_version),
        key idx_eval_target_version_space (space_id, target_id)
      ) ${OPTS}`.execute(db);
    },
  },
};

// deno-lint-ignore no-explicit-any
async function targetsSqlite(db: Kysely<any>): Promise<void> {
  await sql`create table eval_targets (
    id integer not null primary key,
    space_id bigint not null,
    target_type int not null,
    source_target_id varchar(128) collate nocase not null,
    created_by bigint not null,
    updated_by bigint not null,
    created_at datetime(3) not null,
    updated_at datetime(3) not null,
    deleted_at bigint not null default 0
  )`.execute(db);
  await sql`create unique index uk_eval_target_source on eval_targets
    (space_id, target_type, source_target_id, deleted_at)`.execute(db);
  await sql`create table eval_target_versions (
    id integer not null primary key,
    space_id bigint not null,
    target_id bigint not null,
    target_type int not null,
    source_target_version varchar(128) collate nocase not null,
    content json text not null check (json_valid(content)),
    created_by bigint not null,
    updated_by bigint not null,
    created_at datetime(3) not null,
    updated_at datetime(3) not null,
    deleted_at bigint not null default 0
  )`.execute(db);
  await sql`create unique index uk_eval_target_version on eval_target_versions
    (target_id, source_target_version)`.execute(db);
  await sql`create index idx_eval_target_version_space on eval_target_versions
    (space_id, target_id)`.execute(db);
}
