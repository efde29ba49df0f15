/**
 * Migrations of the foundation domain: users, workspaces, memberships, access tokens, OAuth
 * apps (oauth_migrations.ts). MySQL's DDL, or its SQLite equivalent (rules in
 * infra/db/migrations.ts) on the embedded database.
 */
import { type Kysely, sql } from "kysely";
import { dialectOf, type Migration } from "../../infra/db/mod.ts";
import { OAUTH_MIGRATIONS } from "./oauth_migrations.ts";

const TABLE_OPTIONS = sql.raw("engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci");

/** Foundation migrations (names sort after the infrastructure's). */
export const FOUNDATION_MIGRATIONS: Record<string, Migration> = {
  "0100_foundation_users_spaces": {
    async up(db) {
      if (dialectOf(db) === "sqlite") return await usersSpacesSqlite(db);
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
      if (dialectOf(db) === "sqlite") return await accessTokensSqlite(db);
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
  ...OAUTH_MIGRATIONS,
};

// deno-lint-ignore no-explicit-any
async function usersSpacesSqlite(db: Kysely<any>): Promise<void> {
  await sql`create table users (
    id integer not null primary key,
    name varchar(128) collate nocase not null,
    nick_name varchar(128) collate nocase not null default '',
    email varchar(255) collate nocase not null,
    password_hash varchar(255) collate nocase not null,
    description varchar(1024) collate nocase not null default '',
    avatar_uri varchar(1024) collate nocase not null default '',
    status varchar(32) collate nocase not null default 'active',
    created_at datetime(3) not null,
    updated_at datetime(3) not null
  )`.execute(db);
  await sql`create unique index uk_users_email on users (email)`.execute(db);
  await sql`create unique index uk_users_name on users (name)`.execute(db);
  await sql`create table spaces (
    id integer not null primary key,
    name varchar(255) collate nocase not null,
    description varchar(1024) collate nocase not null default '',
    space_type tinyint not null,
    owner_user_id bigint not null,
    created_at datetime(3) not null,
    updated_at datetime(3) not null
  )`.execute(db);
  await sql`create index idx_spaces_owner on spaces (owner_user_id)`.execute(db);
  await sql`create table space_users (
    space_id bigint not null,
    user_id bigint not null,
    role varchar(16) collate nocase not null,
    created_at datetime(3) not null,
    primary key (space_id, user_id)
  )`.execute(db);
  await sql`create index idx_space_users_user on space_users (user_id)`.execute(db);
}

// deno-lint-ignore no-explicit-any
async function accessTokensSqlite(db: Kysely<any>): Promise<void> {
  await sql`create table personal_access_tokens (
    id integer not null primary key,
    user_id bigint not null,
    name varchar(128) collate nocase not null,
    token_hash char(64) collate nocase not null,
    status varchar(16) collate nocase not null,
    expire_at bigint not null,
    last_used_at bigint not null default -1,
    created_at bigint not null,
    updated_at bigint not null
  )`.execute(db);
  await sql`create unique index uk_pat_hash on personal_access_tokens (token_hash)`.execute(db);
  await sql`create index idx_pat_user on personal_access_tokens (user_id, status)`.execute(db);
}
