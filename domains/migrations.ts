/**
 * Every domain's migrations, in one map (names sort in the order they apply). Each runs
 * MySQL's DDL or, on the embedded database, its SQLite equivalent.
 */
import type { Migration } from "../infra/db/mod.ts";
import { FOUNDATION_MIGRATIONS } from "./foundation/migrations.ts";
import { PROMPT_MIGRATIONS } from "./prompt/migrations.ts";
import { EVALUATOR_MIGRATIONS } from "./evaluation/migrations.ts";
import { DATA_MIGRATIONS } from "./data/migrations.ts";
import { TAG_MIGRATIONS } from "./data/tag_migrations.ts";
import { IO_JOB_MIGRATIONS } from "./data/io_migrations.ts";
import { TARGET_MIGRATIONS } from "./evaluation/target_migrations.ts";
import { EXPERIMENT_MIGRATIONS } from "./evaluation/experiments/migrations.ts";
import { EXPT_EXPORT_MIGRATIONS } from "./evaluation/experiments/export_migrations.ts";

/** Migrations of all domains. */
export const DOMAIN_MIGRATIONS: Record<string, Migration> = {
  ...FOUNDATION_MIGRATIONS,
  ...PROMPT_MIGRATIONS,
  ...EVALUATOR_MIGRATIONS,
  ...DATA_MIGRATIONS,
  ...TAG_MIGRATIONS,
  ...IO_JOB_MIGRATIONS,
  ...TARGET_MIGRATIONS,
  ...EXPERIMENT_MIGRATIONS,
  ...EXPT_EXPORT_MIGRATIONS,
};
