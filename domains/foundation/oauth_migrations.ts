/**
 * Migration of the OAuth app tables (apps, their public keys, exchanged JWT ids, issued
 * access tokens): MySQL's DDL, or its SQLite equivalent (rules in infra/db/migrations.ts).
 * JWT ids and key ids compare exactly (`utf8mb4_bin`; SQLite's default binary collation).
 */
import { type Kysely, sql } from "kysely";
import { dialectOf, type Migration } from "../../infra/db/mod.ts";

const TABLE_OPTIONS = sql.raw("engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci");

/** The OAuth app migration (sorts after the personal access tokens'). */
export const OAUTH_MIGRATIONS: Record<string, Migration> = {
  "0102_foundation_oauth_apps": {
    async up(db) {
      if (dialectOf(db) === "sqlite") return await oauthSqlite(db);
      await sql`create table oauth_apps (
        id bigint unsigned not null primary key,
        owner_user_id bigint unsigned not null,
        name varchar(128) not null,
        description varchar(1024) not null default '',
        client_id varchar(64) collate utf8mb4_bin not null,
        workspace_ids text not null,
        created_at bigint not null,
        updated_at bigint not null,
        unique key uk_oauth_apps_client (client_id),
        key idx_oauth_apps_owner (owner_user_id)
      ) ${TABLE_OPTIONS}`.execute(db);
      await sql`create table oauth_app_keys (
        app_id bigint unsigned not null,
        key_id varchar(64) collate utf8mb4_bin not null,
        algorithm varchar(16) not null,
        public_key text not null,
        created_at bigint not null,
        primary key (app_id, key_id)
      ) ${TABLE_OPTIONS}`.execute(db);
      await sql`create table oauth_jwt_ids (
        app_id bigint unsigned not null,
        jti varchar(128) collate utf8mb4_bin not null,
        expire_at bigint not null,
        primary key (app_id, jti)
      ) ${TABLE_OPTIONS}`.execute(db);
      await sql`create table oauth_access_tokens (
        id bigint unsigned not null primary key,
        app_id bigint unsigned not null,
        user_id bigint unsigned not null,
        token_hash char(64) not null,
        expire_at bigint not null,
        created_at bigint not null,
        unique key uk_oat_hash (token_hash),
        key idx_oat_app (app_id, expire_at)
      ) ${TABLE_OPTIONS}`.execute(db);
    },
  },
};

// deno-lint-ignore no-explicit-any
async function oauthSqlite(db: Kysely<any>): Promise<void> {
  await sql`create table oauth_apps (
    id integer not null primary key,
    owner_user_id bigint not null,
    name varchar(128) collate nocase not null,
    description varchar(1024) collate nocase not null default '',
    client_id varchar(64) not null,
    workspace_ids text collate nocase not null,
    created_at bigint not null,
    updated_at bigint not null
  )`.execute(db);
  await sql`create unique index uk_oauth_apps_client on oauth_apps (client_id)`.execute(db);
  await sql`create index idx_oauth_apps_owner on oauth_apps (owner_user_id)`.execute(db);
  await sql`create table oauth_app_keys (
    app_id bigint not null,
    key_id varchar(64) not null,
    algorithm varchar(16) collate nocase not null,
    public_key text collate nocase not null,
    created_at bigint not null,
    primary key (app_id, key_id)
  )`.execute(db);
  await sql`create table oauth_jwt_ids (
    app_id bigint not null,
    jti varchar(128) not null,
    expire_at bigint not null,
    primary key (app_id, jti)
  )`.execute(db);
  await sql`create table oauth_access_tokens (
    id integer not null primary key,
    app_id bigint not null,
    user_id bigint not null,
    token_hash char(64) collate nocase not null,
    expire_at bigint not null,
    created_at bigint not null
  )`.execute(db);
  await sql`create unique index uk_oat_hash on oauth_access_tokens (token_hash)`.execute(db);
  await sql`create index idx_oat_app on oauth_access_tokens (app_id, expire_at)`.execute(db);
}
