/**
 * Migrations of tags (data domain): versions of tags, their values, and the names managed
 * tags hold. MySQL's DDL, or its SQLite equivalent (rules in infra/db/migrations.ts) on the
 * embedded database.
 */
import { type Kysely, sql } from "kysely";
import { dialectOf, type Migration } from "../../infra/db/mod.ts";
import { MYSQL_TABLE_OPTIONS } from "./_ddl.ts";

const OPTS = MYSQL_TABLE_OPTIONS;

/** Tag migrations. */
export const TAG_MIGRATIONS: Record<string, Migration> = {
  "0350_data_tags": {
    async up(db) {
      if (dialectOf(db) === "sqlite") return await tagsSqlite(db);
      await sql`create table tag_keys (
        id bigint unsigned not null primary key,
        space_id bigint unsigned not null,
        tag_key_id bigint unsigned not null,
        version_num int not null,
        version varchar(64) not null default '',
        tag_key_name varchar(255) not null,
        description varchar(2000) null,
        status varchar(32) not null,
        tag_type varchar(32) not null,
        content_type varchar(64) not null,
        domain_types varchar(256) not null default '',
        spec json null,
        change_log json not null,
        parent_key_id bigint unsigned null,
        created_by bigint unsigned not null,
        updated_by bigint unsigned not null,
        created_at datetime(3) not null,
        updated_at datetime(3) not null,
        unique key uk_tag_version (space_id, tag_key_id, version_num),
        key idx_tag_updated (space_id, tag_type, status, updated_at),
        key idx_tag_created (space_id, tag_type, status, created_at),
        key idx_tag_name (space_id, tag_type, status, tag_key_name)
      ) ${OPTS}`.execute(db);
      await sql`create table tag_values (
        id bigint unsigned not null primary key,
        space_id bigint unsigned not null,
        tag_key_id bigint unsigned not null,
        tag_value_id bigint unsigned not null,
        version_num int not null,
        tag_value_name varchar(255) not null,
        description varchar(2000) null,
        parent_value_id bigint unsigned not null default 0,
        position int not null,
        status varchar(32) not null,
        created_by bigint unsigned not null,
        updated_by bigint unsigned not null,
        created_at datetime(3) not null,
        updated_at datetime(3) not null,
        key idx_tag_value_version (space_id, tag_key_id, version_num, position)
      ) ${OPTS}`.execute(db);
      await sql`create table tag_key_names (
        space_id bigint unsigned not null,
        tag_key_name varchar(255) not null,
        tag_key_id bigint unsigned not null,
        primary key (space_id, tag_key_name),
        unique key uk_tag_name_owner (space_id, tag_key_id)
      ) ${OPTS}`.execute(db);
    },
  },
};

// deno-lint-ignore no-explicit-any
async function tagsSqlite(db: Kysely<any>): Promise<void> {
  await sql`create table tag_keys (
    id integer not null primary key,
    space_id bigint not null,
    tag_key_id bigint not null,
    version_num int not null,
    version varchar(64) collate nocase not null default '',
    tag_key_name varchar(255) collate nocase not null,
    description varchar(2000) collate nocase null,
    status varchar(32) collate nocase not null,
    tag_type varchar(32) collate nocase not null,
    content_type varchar(64) collate nocase not null,
    domain_types varchar(256) collate nocase not null default '',
    spec json text null check (spec is null or json_valid(spec)),
    change_log json text not null check (json_valid(change_log)),
    parent_key_id bigint null,
    created_by bigint not null,
    updated_by bigint not null,
    created_at datetime(3) not null,
    updated_at datetime(3) not null
  )`.execute(db);
  await sql`create unique index uk_tag_version on tag_keys (space_id, tag_key_id, version_num)`
    .execute(db);
  await sql`create index idx_tag_updated on tag_keys (space_id, tag_type, status, updated_at)`
    .execute(db);
  await sql`create index idx_tag_created on tag_keys (space_id, tag_type, status, created_at)`
    .execute(db);
  await sql`create index idx_tag_name on tag_keys (space_id, tag_type, status, tag_key_name)`
    .execute(db);
  await sql`create table tag_values (
    id integer not null primary key,
    space_id bigint not null,
    tag_key_id bigint not null,
    tag_value_id bigint not null,
    version_num int not null,
    tag_value_name varchar(255) collate nocase not null,
    description varchar(2000) collate nocase null,
    parent_value_id bigint not null default 0,
    position int not null,
    status varchar(32) collate nocase not null,
    created_by bigint not null,
    updated_by bigint not null,
    created_at datetime(3) not null,
    updated_at datetime(3) not null
  )`.execute(db);
  await sql`create index idx_tag_value_version on tag_values
    (space_id, tag_key_id, version_num, position)`.execute(db);
  await sql`create table tag_key_names (
    space_id bigint not null,
    tag_key_name varchar(255) collate nocase not null,
    tag_key_id bigint not null,
    primary key (space_id, tag_key_name)
  )`.execute(db);
  await sql`create unique index uk_tag_name_owner on tag_key_names (space_id, tag_key_id)`
    .execute(db);
}
