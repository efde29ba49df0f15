/** MySQL migrations of the foundation domain: users, workspaces, memberships, access tokens. */
import { sql } from "kysely";
import type { Migration } from "../../infra/db/mod.ts";

const TABLE_OPTIONS = sql.raw("engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci");

/** Foundation migrations (names sort after the infrastructure's). */
export const FOUNDATION_MIGRATIONS: Record<string, Migration> = {
  "0100_foundation_users_spaces": {
    async up(db) {
      await sql`create table users (
        id bigint unsigned not null primary key,
        name varchar(128) not null,
        nick_name varchar(128) not null default '',
        email varchar(255) not null,
        password_hash varchar(255) not null,
        description varchar(1024) not null default '',
        avatar_uri varchar(1024) not null default '',
        status varchar(32) not null default 'active',
        created_at datetime(3) not null,
        updated_at datetime(3) not null,
        unique key uk_users_email (email),
        unique key uk_users_name (name)
      ) ${TABLE_OPTIONS}`.execute(db);
      await sql`create table spaces (
        id bigint unsigned not null primary key,
        name varchar(255) not null,
        description varchar(1024) not null default '',
        space_type tinyint not null,
        owner_user_id bigint unsigned not null,
        created_at datetime(3) not null,
        updated_at datetime(3) not null,
        key idx_spaces_owner (owner_user_id)
      ) ${TABLE_OPTIONS}`.execute(db);
      await sql`create table space_users (
        space_id bigint unsigned not null,
        user_id bigint unsigned not null,
        role varchar(16) not null,
        created_at datetime(3) not null,
        primary key (space_id, user_id),
        key idx_space_users_user (user_id)
      ) ${TABLE_OPTIONS}`.execute(db);
    },
  },
  "0101_foundation_personal_access_tokens": {
    async up(db) {
      await sql`create table personal_access_tokens (
        id bigint unsigned not null primary key,
        user_id bigint unsigned not null,
        name varchar(128) not null,
        token_hash char(64) not null,
        status varchar(16) not null,
        expire_at bigint not null,
        last_used_at bigint not null default -1,
        created_at bigint not null,
        updated_at bigint not null,
        unique key uk_pat_hash (token_hash),
        key idx_pat_user (user_id, status)
      ) ${TABLE_OPTIONS}`.execute(db);
    },
  },
};
