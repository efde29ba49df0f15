/**
 * The table of notes on item revisions (an evaluation set item's "version": its description
 * and status label), MySQL or its SQLite equivalent. A note never changes an item's values.
 */
import { sql } from "kysely";
import type { Migration } from "../../infra/db/mod.ts";
import { ddlOf } from "./_ddl.ts";

/** Item note migrations. */
export const ITEM_NOTE_MIGRATIONS: Record<string, Migration> = {
  "0445_dataset_item_notes": {
    async up(db) {
      const { id, u64, options } = ddlOf(db);
      await sql`create table dataset_item_notes (
        revision_id ${id},
        space_id ${u64} not null,
        dataset_id ${u64} not null,
        item_id ${u64} not null,
        description varchar(2048) not null default '',
        status varchar(64) not null default '',
        updated_by ${u64} not null,
        updated_at datetime(3) not null
      ) ${options}`.execute(db);
      await sql`create index idx_item_note_item on dataset_item_notes (dataset_id, item_id)`
        .execute(db);
    },
  },
};
