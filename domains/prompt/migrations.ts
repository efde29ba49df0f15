/**
 * Migrations of the prompt domain: prompts, drafts, immutable commits, labels, debugging.
 * MySQL's DDL, or its SQLite equivalent (rules in infra/db/migrations.ts) on the embedded
 * database.
 */
import { type Kysely, sql } from "kysely";
import { dialectOf, type Migration } from "../../infra/db/mod.ts";

const OPTS = sql.raw("engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci");

/** Prompt migrations. */
export const PROMPT_MIGRATIONS: Record<string, Migration> = {
  "0200_prompt_hub": {
    async up(db) {
      if (dialectOf(db) === "sqlite") return await promptHubSqlite(db);
      // deleted_at is part of the unique key: a deleted prompt frees its key for reuse.
      await sql`create table prompts (
        id bigint unsigned not null primary key,
        space_id bigint unsigned not null,
        prompt_key varchar(128) not null,
        display_name varchar(128) not null,
        description varchar(1024) not null default '',
        prompt_type varchar(16) not null default 'normal',
        security_level varchar(8) not null default 'L3',
        latest_version varchar(64) null,
        latest_committed_at datetime(3) null,
        created_by bigint unsigned not null,
        updated_by bigint unsigned not null,
        created_at datetime(3) not null,
        updated_at datetime(3) not null,
        deleted_at bigint not null default 0,
        unique key uk_prompt_key (space_id, prompt_key, deleted_at),
        key idx_prompt_space (space_id, deleted_at, updated_at)
      ) ${OPTS}`.execute(db);
      await sql`create table prompt_commits (
        id bigint unsigned not null primary key,
        prompt_id bigint unsigned not null,
        space_id bigint unsigned not null,
        version varchar(64) not null,
        version_order bigint unsigned not null,
        base_version varchar(64) not null default '',
        detail json not null,
        description varchar(1024) not null default '',
        committed_by bigint unsigned not null,
        committed_at datetime(3) not null,
        unique key uk_commit_version (prompt_id, version),
        key idx_commit_order (prompt_id, version_order)
      ) ${OPTS}`.execute(db);
      await sql`create table prompt_drafts (
        prompt_id bigint unsigned not null,
        user_id bigint unsigned not null,
        detail json not null,
        base_version varchar(64) not null default '',
        is_modified tinyint(1) not null default 0,
        created_at datetime(3) not null,
        updated_at datetime(3) not null,
        primary key (prompt_id, user_id)
      ) ${OPTS}`.execute(db);
      await sql`create table prompt_labels (
        space_id bigint unsigned not null,
        label_key varchar(64) not null,
        created_by bigint unsigned not null,
        created_at datetime(3) not null,
        primary key (space_id, label_key)
      ) ${OPTS}`.execute(db);
      await sql`create table prompt_commit_labels (
        prompt_id bigint unsigned not null,
        label_key varchar(64) not null,
        version varchar(64) not null,
        updated_by bigint unsigned not null,
        updated_at datetime(3) not null,
        primary key (prompt_id, label_key)
      ) ${OPTS}`.execute(db);
      await sql`create table prompt_label_history (
        id bigint unsigned not null primary key,
        prompt_id bigint unsigned not null,
        label_key varchar(64) not null,
        from_version varchar(64) null,
        to_version varchar(64) null,
        changed_by bigint unsigned not null,
        changed_at datetime(3) not null,
        key idx_label_history (prompt_id, label_key, changed_at)
      ) ${OPTS}`.execute(db);
      await sql`create table prompt_debug_contexts (
        prompt_id bigint unsigned not null,
        user_id bigint unsigned not null,
        context json not null,
        updated_at datetime(3) not null,
        primary key (prompt_id, user_id)
      ) ${OPTS}`.execute(db);
      await sql`create table prompt_debug_logs (
        id bigint unsigned not null primary key,
        prompt_id bigint unsigned not null,
        space_id bigint unsigned not null,
        user_id bigint unsigned not null,
        debug_id bigint unsigned not null,
        input_tokens bigint not null default 0,
        output_tokens bigint not null default 0,
        cost_ms bigint not null default 0,
        status_code int not null default 0,
        started_at datetime(3) not null,
        ended_at datetime(3) not null,
        key idx_debug_log (prompt_id, user_id, started_at)
      ) ${OPTS}`.execute(db);
    },
  },
};

// deno-lint-ignore no-explicit-any
async function promptHubSqlite(db: Kysely<any>): Promise<void> {
  await sql`create table prompts (
    id integer not null primary key,
    space_id bigint not null,
    prompt_key varchar(128) collate nocase not null,
    display_name varchar(128) collate nocase not null,
    description varchar(1024) collate nocase not null default '',
    prompt_type varchar(16) collate nocase not null default 'normal',
    security_level varchar(8) collate nocase not null default 'L3',
    latest_version varchar(64) collate nocase null,
    latest_committed_at datetime(3) null,
    created_by bigint not null,
    updated_by bigint not null,
    created_at datetime(3) not null,
    updated_at datetime(3) not null,
    deleted_at bigint not null default 0
  )`.execute(db);
  await sql`create unique index uk_prompt_key on prompts (space_id, prompt_key, deleted_at)`
    .execute(db);
  await sql`create index idx_prompt_space on prompts (space_id, deleted_at, updated_at)`
    .execute(db);
  await sql`create table prompt_commits (
    id integer not null primary key,
    prompt_id bigint not null,
    space_id bigint not null,
    version varchar(64) collate nocase not null,
    version_order bigint not null,
    base_version varchar(64) collate nocase not null default '',
    detail json text not null check (json_valid(detail)),
    description varchar(1024) collate nocase not null default '',
    committed_by bigint not null,
    committed_at datetime(3) not null
  )`.execute(db);
  await sql`create unique index uk_commit_version on prompt_commits (prompt_id, version)`
    .execute(db);
  await sql`create index idx_commit_order on prompt_commits (prompt_id, version_order)`
    .execute(db);
  await sql`create table prompt_drafts (
    prompt_id bigint not null,
    user_id bigint not null,
    detail json text not null check (json_valid(detail)),
    base_version varchar(64) collate nocase not null default '',
    is_modified tinyint not null default 0,
    created_at datetime(3) not null,
    updated_at datetime(3) not null,
    primary key (prompt_id, user_id)
  )`.execute(db);
  await sql`create table prompt_labels (
    space_id bigint not null,
    label_key varchar(64) collate nocase not null,
    created_by bigint not null,
    created_at datetime(3) not null,
    primary key (space_id, label_key)
  )`.execute(db);
  await sql`create table prompt_commit_labels (
    prompt_id bigint not null,
    label_key varchar(64) collate nocase not null,
    version varchar(64) collate nocase not null,
    updated_by bigint not null,
    updated_at datetime(3) not null,
    primary key (prompt_id, label_key)
  )`.execute(db);
  await sql`create table prompt_label_history (
    id integer not null primary key,
    prompt_id bigint not null,
    label_key varchar(64) collate nocase not null,
    from_version varchar(64) collate nocase null,
    to_version varchar(64) collate nocase null,
    changed_by bigint not null,
    changed_at datetime(3) not null
  )`.execute(db);
  await sql`create index idx_label_history on prompt_label_history
    (prompt_id, label_key, changed_at)`.execute(db);
  await sql`create table prompt_debug_contexts (
    prompt_id bigint not null,
    user_id bigint not null,
    context json text not null check (json_valid(context)),
    updated_at datetime(3) not null,
    primary key (prompt_id, user_id)
  )`.execute(db);
  await sql`create table prompt_debug_logs (
    id integer not null primary key,
    prompt_id bigint not null,
    space_id bigint not null,
    user_id bigint not null,
    debug_id bigint not null,
    input_tokens bigint not null default 0,
    output_tokens bigint not null default 0,
    cost_ms bigint not null default 0,
    status_code int not null default 0,
    started_at datetime(3) not null,
    ended_at datetime(3) not null
  )`.execute(db);
  await sql`create index idx_debug_log on prompt_debug_logs (prompt_id, user_id, started_at)`
    .execute(db);
}
