/**
 * Migrations of the evaluators: evaluators (name unique per workspace among live ones) and
 * their versions (the draft is version "", submitted versions are immutable). MySQL's DDL or
 * its SQLite equivalent.
 */
import { type Kysely, sql } from "kysely";
import { dialectOf, type Migration } from "../../infra/db/mod.ts";

const OPTS = sql.raw("engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci");

/** Evaluator migrations. */
export const EVALUATOR_MIGRATIONS: Record<string, Migration> = {
  "0400_evaluators": {
    async up(db) {
      if (dialectOf(db) === "sqlite") return await evaluatorsSqlite(db);
      await sql`create table evaluators (
        id bigint unsigned not null primary key,
        space_id bigint unsigned not null,
        evaluator_type tinyint not null,
        name varchar(128) not null,
        description varchar(1024) not null default '',
        draft_submitted tinyint(1) not null default 0,
        latest_version varchar(64) not null default '',
        builtin tinyint(1) not null default 0,
        benchmark varchar(128) not null default '',
        vendor varchar(128) not null default '',
        created_by bigint unsigned not null,
        updated_by bigint unsigned not null,
        created_at datetime(3) not null,
        updated_at datetime(3) not null,
        deleted_at bigint not null default 0,
        unique key uk_evaluator_name (space_id, name, deleted_at),
        key idx_evaluator_space (space_id, deleted_at, updated_at)
      ) ${OPTS}`.execute(db);
      await sql`create table evaluator_versions (
        id bigint unsigned not null primary key,
        evaluator_id bigint unsigned not null,
        space_id bigint unsigned not null,
        evaluator_type tinyint not null,
        version varchar(64) not null,
        version_order bigint unsigned not null,
        description varchar(1024) not null default '',
        content json not null,
        created_by bigint unsigned not null,
        updated_by bigint unsigned not null,
        created_at datetime(3) not null,
        updated_at datetime(3) not null,
        deleted_at bigint not null default 0,
        unique key uk_evaluator_version (evaluator_id, version),
        key idx_evaluator_version_order (evaluator_id, version_order)
      ) ${OPTS}`.execute(db);
    },
  },
};

// deno-lint-ignore no-explicit-any
async function evaluatorsSqlite(db: Kysely<any>): Promise<void> {
  await sql`create table evaluators (
    id integer not null primary key,
    space_id bigint not null,
    evaluator_type tinyint not null,
    name varchar(128) collate nocase not null,
    description varchar(1024) collate nocase not null default '',
    draft_submitted tinyint not null default 0,
    latest_version varchar(64) collate nocase not null default '',
    builtin tinyint not null default 0,
    benchmark varchar(128) collate nocase not null default '',
    vendor varchar(128) collate nocase not null default '',
    created_by bigint not null,
    updated_by bigint not null,
    created_at datetime(3) not null,
    updated_at datetime(3) not null,
    deleted_at bigint not null default 0
  )`.execute(db);
  await sql`create unique index uk_evaluator_name on evaluators (space_id, name, deleted_at)`
    .execute(db);
  await sql`create index idx_evaluator_space on evaluators (space_id, deleted_at, updated_at)`
    .execute(db);
  await sql`create table evaluator_versions (
    id integer not null primary key,
    evaluator_id bigint not null,
    space_id bigint not null,
    evaluator_type tinyint not null,
    version varchar(64) collate nocase not null,
    version_order bigint not null,
    description varchar(1024) collate nocase not null default '',
    content json text not null check (json_valid(content)),
    created_by bigint not null,
    updated_by bigint not null,
    created_at datetime(3) not null,
    updated_at datetime(3) not null,
    deleted_at bigint not null default 0
  )`.execute(db);
  await sql`create unique index uk_evaluator_version on evaluator_versions (evaluator_id, version)`
    .execute(db);
  await sql`create index idx_evaluator_version_order on evaluator_versions
    (evaluator_id, version_order)`.execute(db);
}
