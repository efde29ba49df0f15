/**
 * Migrations of the experiment tables (see _tables.ts): MySQL's DDL or its SQLite
 * equivalent. JSON columns are text the repos write and parse.
 */
import { type Kysely, sql } from "kysely";
import { dialectOf, type Migration } from "../../../infra/db/mod.ts";

const OPTS = sql.raw("engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci");

/** Experiment migrations. */
export const EXPERIMENT_MIGRATIONS: Record<string, Migration> = {
  "0440_experiments": {
    async up(db) {
      if (dialectOf(db) === "sqlite") return await experimentsSqlite(db);
      await sql`create table experiments (
        id bigint unsigned not null primary key,
        space_id bigint unsigned not null,
        name varchar(255) not null,
        description varchar(2048) not null default '',
        status tinyint not null,
        status_message varchar(2048) not null default '',
        eval_set_id bigint unsigned not null,
        eval_set_version_id bigint unsigned not null,
        target_id bigint unsigned not null default 0,
        target_version_id bigint unsigned not null default 0,
        evaluator_version_ids text not null,
        target_field_mapping mediumtext not null,
        evaluator_field_mapping mediumtext not null,
        pass_thresholds text not null,
        item_concur_num int not null,
        item_retry_num int not null,
        expt_type tinyint not null default 1,
        source_type tinyint not null default 1,
        source_id varchar(255) not null default '',
        run_id bigint unsigned not null,
        created_by bigint unsigned not null,
        start_at bigint not null default 0,
        end_at bigint not null default 0,
        created_at datetime(3) not null,
        updated_at datetime(3) not null,
        deleted_at bigint not null default 0,
        unique key uk_expt_name (space_id, name, deleted_at),
        key idx_expt_space (space_id, deleted_at, created_at)
      ) ${OPTS}`.execute(db);
      await sql`create table expt_items (
        expt_id bigint unsigned not null,
        item_id bigint unsigned not null,
        space_id bigint unsigned not null,
        item_idx int not null,
        turn_id bigint unsigned not null default 0,
        status tinyint not null,
        run_id bigint unsigned not null,
        attempts int not null default 0,
        dispatched_at bigint not null default 0,
        lease_owner varchar(64) null,
        lease_until bigint not null default 0,
        target_output mediumtext null,
        error text null,
        started_at bigint not null default 0,
        ended_at bigint not null default 0,
        updated_at datetime(3) not null,
        primary key (expt_id, item_id),
        key idx_expt_item_order (expt_id, item_idx),
        key idx_expt_item_status (expt_id, status),
        key idx_expt_item_space (space_id, status, lease_until)
      ) ${OPTS}`.execute(db);
      await sql`create table expt_evaluator_records (
        id bigint unsigned not null primary key,
        space_id bigint unsigned not null,
        expt_id bigint unsigned not null,
        item_id bigint unsigned not null,
        turn_id bigint unsigned not null default 0,
        evaluator_version_id bigint unsigned not null,
        run_id bigint unsigned not null,
        status tinyint not null,
        score double null,
        reason mediumtext not null,
        corrected_score double null,
        correction_explain text not null,
        corrected_by varchar(64) not null default '',
        error text null,
        raw_output mediumtext not null,
        stdout mediumtext not null,
        latency_ms int not null default 0,
        input_tokens int not null default 0,
        output_tokens int not null default 0,
        trace_id varchar(64) not null default '',
        input mediumtext not null,
        created_at datetime(3) not null,
        updated_at datetime(3) not null,
        unique key uk_expt_record (expt_id, item_id, evaluator_version_id),
        key idx_expt_record_evaluator (expt_id, evaluator_version_id)
      ) ${OPTS}`.execute(db);
    },
  },
};

// deno-lint-ignore no-explicit-any
async function experimentsSqlite(db: Kysely<any>): Promise<void> {
  await sql`create table experiments (
    id integer not null primary key,
    space_id bigint not null,
    name varchar(255) collate nocase not null,
    description varchar(2048) not null default '',
    status tinyint not null,
    status_message varchar(2048) not null default '',
    eval_set_id bigint not null,
    eval_set_version_id bigint not null,
    target_id bigint not null default 0,
    target_version_id bigint not null default 0,
    evaluator_version_ids text not null,
    target_field_mapping mediumtext not null,
    evaluator_field_mapping mediumtext not null,
    pass_thresholds text not null,
    item_concur_num int not null,
    item_retry_num int not null,
    expt_type tinyint not null default 1,
    source_type tinyint not null default 1,
    source_id varchar(255) not null default '',
    run_id bigint not null,
    created_by bigint not null,
    start_at bigint not null default 0,
    end_at bigint not null default 0,
    created_at datetime(3) not null,
    updated_at datetime(3) not null,
    deleted_at bigint not null default 0
  )`.execute(db);
  await sql`create unique index uk_expt_name on experiments (space_id, name, deleted_at)`
    .execute(db);
  await sql`create index idx_expt_space on experiments (space_id, deleted_at, created_at)`
    .execute(db);
  await sql`create table expt_items (
    expt_id bigint not null,
    item_id bigint not null,
    space_id bigint not null,
    item_idx int not null,
    turn_id bigint not null default 0,
    status tinyint not null,
    run_id bigint not null,
    attempts int not null default 0,
    dispatched_at bigint not null default 0,
    lease_owner varchar(64) null,
    lease_until bigint not null default 0,
    target_output mediumtext null,
    error text null,
    started_at bigint not null default 0,
    ended_at bigint not null default 0,
    updated_at datetime(3) not null,
    primary key (expt_id, item_id)
  )`.execute(db);
  await sql`create index idx_expt_item_order on expt_items (expt_id, item_idx)`.execute(db);
  await sql`create index idx_expt_item_status on expt_items (expt_id, status)`.execute(db);
  await sql`create index idx_expt_item_space on expt_items (space_id, status, lease_until)`
    .execute(db);
  await sql`create table expt_evaluator_records (
    id integer not null primary key,
    space_id bigint not null,
    expt_id bigint not null,
    item_id bigint not null,
    turn_id bigint not null default 0,
    evaluator_version_id bigint not null,
    run_id bigint not null,
    status tinyint not null,
    score double null,
    reason mediumtext not null,
    corrected_score double null,
    correction_explain text not null,
    corrected_by varchar(64) not null default '',
    error text null,
    raw_output mediumtext not null,
    stdout mediumtext not null,
    latency_ms int not null default 0,
    input_tokens int not null default 0,
    output_tokens int not null default 0,
    trace_id varchar(64) not null default '',
    input mediumtext not null,
    created_at datetime(3) not null,
    updated_at datetime(3) not null
  )`.execute(db);
  await sql`create unique index uk_expt_record on expt_evaluator_records
    (expt_id, item_id, evaluator_version_id)`.execute(db);
  await sql`create index idx_expt_record_evaluator on expt_evaluator_records
    (expt_id, evaluator_version_id)`.execute(db);
}
