/** Every domain's MySQL migrations, in one map (names sort in the order they apply). */
import type { Migration } from "../infra/db/mod.ts";
import { FOUNDATION_MIGRATIONS } from "./foundation/migrations.ts";
import { PROMPT_MIGRATIONS } from "./prompt/migrations.ts";

/** Migrations of all domains. */
export const DOMAIN_MIGRATIONS: Record<string, Migration> = {
  ...FOUNDATION_MIGRATIONS,
  ...PROMPT_MIGRATIONS,
};
