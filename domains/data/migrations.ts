/**
 * Migrations of the data domain: datasets, their schemas, versions and item revisions.
 * MySQL's DDL, or its SQLite equivalent (rules in infra/db/migrations.ts) on the embedded
 * database. JSON payloads are text columns: the domain writes and reads them whole.
 */
import { type Kysely, sql } from "kysely";
import { dialectOf, type Migration } from "../../infra/db/mod.ts";
import { MYSQL_TABLE_OPTIONS } from "./_ddl.ts";
import { ITEM_NOTE_MIGRATIONS } from "./item_note_migrations.ts";

const OPTS = MYSQL_TABLE_OPTIONS;

/** Data migrations. */
export const DATA_MIGRATIONS: Record<string, Migration> = {
  "0300_datasets": {
    async up(db) {
      if (dialectOf(db) === "sqlite") return await datasetsSqlite(db);
      // deleted_at is part of the unique name: a deleted dataset frees its name.
      await sql`create table datasets (
        id bigint unsigned not null primary key,
        space_id bigint unsigned not null,
        schema_id bigint unsigned not null,
        name varchar(255) not null,
        description varchar(2048) not null default '',
        category tinyint not null,
        biz_category varchar(128) not null default '',
        status tinyint not null,
        security_level tinyint not null,
        visibility tinyint not null,
        spec text not null,
        features text not null,
        latest_version varchar(128) not null default '',
        next_version_num int not null,
        item_count int not null default 0,
        change_uncommitted tinyint not null default 0,
        created_by bigint unsigned not null,
        updated_by bigint unsigned not null,
        created_at datetime(3) not null,
        updated_at datetime(3) not null,
        deleted_at bigint not null default 0,
        unique key uk_dataset_name (space_id, category, name, deleted_at),
        key idx_dataset_space (space_id, deleted_at, id),
        key idx_dataset_updated (space_id, deleted_at, updated_at),
        key idx_dataset_created (space_id, deleted_at, created_at)
      ) ${OPTS}`.execute(db);
      await sql`create table dataset_schemas (
        id bigint unsigned not null primary key,
        space_id bigint unsigned not null,
        dataset_id bigint unsigned not null,
        fields mediumtext not null,
        immutable tinyint not null default 0,
        update_version int not null default 0,
        created_by bigint unsigned not null,
        updated_by bigint unsigned not null,
        created_at datetime(3) not null,
        updated_at datetime(3) not null,
        key idx_schema_dataset (dataset_id)
      ) ${OPTS}`.execute(db);
      await sql`create table dataset_versions (
        id bigint unsigned not null primary key,
        space_id bigint unsigned not null,
        dataset_id bigint unsigned not null,
        schema_id bigint unsigned not null,
        version varchar(128) not null,
        version_num int not null,
        description varchar(2048) not null default '',
        dataset_brief text not null,
        item_count int not null,
        created_by bigint unsigned not null,
        created_at datetime(3) not null,
        unique key uk_version (dataset_id, version),
        unique key uk_version_num (dataset_id, version_num)
      ) ${OPTS}`.execute(db);
      // A revision is unique per item and del_vn (one live revision, one per version range);
      // item keys are compared exactly (binary), and unique among live revisions likewise.
      await sql`create table dataset_items (
        id bigint unsigned not null primary key,
        space_id bigint unsigned not null,
        dataset_id bigint unsigned not null,
        item_id bigint unsigned not null,
        item_key varchar(255) collate utf8mb4_bin null,
        add_vn int not null,
        del_vn int not null,
        payload mediumtext null,
        storage_key varchar(255) null,
        bytes int not null default 0,
        created_by bigint unsigned not null,
        updated_by bigint unsigned not null,
        created_at datetime(3) not null,
        updated_at datetime(3) not null,
        unique key uk_item_revision (dataset_id, item_id, del_vn),
        unique key uk_item_key (dataset_id, item_key, del_vn),
        key idx_item_live (dataset_id, del_vn, item_id),
        key idx_item_live_updated (dataset_id, del_vn, updated_at, item_id)
      ) ${OPTS}`.execute(db);
    },
  },
  "0360_dataset_item_scans": {
    // Reads of a committed version walk items in id or update order, deciding
    // `add_vn <= v < del_vn` from the index alone (the draft has its own indexes).
    async up(db) {
      if (dialectOf(db) === "sqlite") {
        await sql`create index idx_item_scan on dataset_items
          (dataset_id, item_id, add_vn, del_vn)`.execute(db);
        await sql`create index idx_item_scan_updated on dataset_items
          (dataset_id, updated_at, item_id, add_vn, del_vn)`.execute(db);
        return;
      }
      await sql`alter table dataset_items
        add key idx_item_scan (dataset_id, item_id, add_vn, del_vn),
        add key idx_item_scan_updated (dataset_id, updated_at, item_id, add_vn, del_vn)`
        .execute(db);
    },
  },
  ...ITEM_NOTE_MIGRATIONS,
};

// deno-lint-ignore no-explicit-any
async function datasetsSqlite(db: Kysely<any>): Promise<void> {
  await sql`create table datasets (
    id integer not null primary key,
    space_id bigint not null,
    schema_id bigint not null,
    name varchar(255) collate nocase not null,
    description varchar(2048) collate nocase not null default '',
    category tinyint not null,
    biz_category varchar(128) collate nocase not null default '',
    status tinyint not null,
    security_level tinyint not null,
    visibility tinyint not null,
    spec text collate nocase not null,
    features text collate nocase not null,
    latest_version varchar(128) collate nocase not null default '',
    next_version_num int not null,
    item_count int not null default 0,
    change_uncommitted tinyint not null default 0,
    created_by bigint not null,
    updated_by bigint not null,
    created_at datetime(3) not null,
    updated_at datetime(3) not null,
    deleted_at bigint not null default 0
  )`.execute(db);
  await sql`create unique index uk_dataset_name on datasets
    (space_id, category, name, deleted_at)`.execute(db);
  await sql`create index idx_dataset_space on datasets (space_id, deleted_at, id)`.execute(db);
  await sql`create index idx_dataset_updated on datasets (space_id, deleted_at, updated_at)`
    .execute(db);
  await sql`create index idx_dataset_created on datasets (space_id, deleted_at, created_at)`
    .execute(db);
  await sql`create table dataset_schemas (
    id integer not null primary key,
    space_id bigint not null,
    dataset_id bigint not null,
    fields mediumtext collate nocase not null,
    immutable tinyint not null default 0,
    update_version int not null default 0,
    created_by bigint not null,
    updated_by bigint not null,
    created_at datetime(3) not null,
    updated_at datetime(3) not null
  )`.execute(db);
  await sql`create index idx_schema_dataset on dataset_schemas (dataset_id)`.execute(db);
  await sql`create table dataset_versions (
    id integer not null primary key,
    space_id bigint not null,
    dataset_id bigint not null,
    schema_id bigint not null,
    version varchar(128) collate nocase not null,
    version_num int not null,
    description varchar(2048) collate nocase not null default '',
    dataset_brief text collate nocase not null,
    item_count int not null,
    created_by bigint not null,
    created_at datetime(3) not null
  )`.execute(db);
  await sql`create unique index uk_version on dataset_versions (dataset_id, version)`
    .execute(db);
  await sql`create unique index uk_version_num on dataset_versions (dataset_id, version_num)`
    .execute(db);
  // item_key keeps SQLite's binary collation, as MySQL's utf8mb4_bin.
  await sql`create table dataset_items (
    id integer not null primary key,
    space_id bigint not null,
    dataset_id bigint not null,
    item_id bigint not null,
    item_key varchar(255) null,
    add_vn int not null,
    del_vn int not null,
    payload mediumtext null,
    storage_key varchar(255) null,
    bytes int not null default 0,
    created_by bigint not null,
    updated_by bigint not null,
    created_at datetime(3) not null,
    updated_at datetime(3) not null
  )`.execute(db);
  await sql`create unique index uk_item_revision on dataset_items (dataset_id, item_id, del_vn)`
    .execute(db);
  await sql`create unique index uk_item_key on dataset_items (dataset_id, item_key, del_vn)`
    .execute(db);
  await sql`create index idx_item_live on dataset_items (dataset_id, del_vn, item_id)`
    .execute(db);
  await sql`create index idx_item_live_updated on dataset_items
    (dataset_id, del_vn, updated_at, item_id)`.execute(db);
}
