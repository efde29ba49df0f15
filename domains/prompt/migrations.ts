/** MySQL migrations of the prompt domain: prompts, drafts, immutable commits, labels, debugging. */
import { sql } from "kysely";
import type { Migration } from "../../infra/db/mod.ts";

const OPTS = sql.raw("engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci");

/** Prompt migrations. */
export const PROMPT_MIGRATIONS: Record<string, Migration> = {
  "0200_prompt_hub": {
    async up(db) {
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
