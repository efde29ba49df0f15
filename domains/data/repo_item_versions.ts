/**
 * Queries behind item versions (ambient session): an item's revisions, version names by
 * number, notes on revisions, and revisions of items by id across a workspace's datasets
 * (along uk_item_revision, whose prefix is dataset and item).
 */
import type { Kysely } from "kysely";
import type { Database } from "../../infra/db/mod.ts";
import type { DataTables, ItemRow } from "./_tables.ts";
import type { DatasetVersion } from "./types.ts";

/** `dataset_item_notes`: a description and status label of one revision. */
export interface ItemNoteRow {
  revision_id: string;
  space_id: string;
  dataset_id: string;
  item_id: string;
  description: string;
  status: string;
  updated_by: string;
  updated_at: Date;
}

interface Tables extends DataTables {
  dataset_item_notes: ItemNoteRow;
}

/** Data access for item versions. */
export function createItemVersionRepo(db: Database) {
  const q = (): Kysely<Tables> => db.session<Tables>();
  return {
    /** Every revision of an item, newest first. */
    async revisions(datasetId: bigint, itemId: bigint): Promise<ItemRow[]> {
      return await q().selectFrom("dataset_items").selectAll()
        .where("dataset_id", "=", `${datasetId}`).where("item_id", "=", `${itemId}`)
        .orderBy("add_vn", "desc").execute();
    },
    /** Revisions of items by id in any of `datasetIds`. */
    async ofItems(datasetIds: bigint[], itemIds: bigint[]): Promise<ItemRow[]> {
      if (!datasetIds.length || !itemIds.length) return [];
      return await q().selectFrom("dataset_items").selectAll()
        .where("dataset_id", "in", datasetIds.map(String))
        .where("item_id", "in", itemIds.map(String)).execute();
    },
    async revisionById(datasetId: bigint, rowId: bigint): Promise<ItemRow | undefined> {
      return await q().selectFrom("dataset_items").selectAll()
        .where("id", "=", `${rowId}`).where("dataset_id", "=", `${datasetId}`)
        .executeTakeFirst();
    },
    /** Versions of a dataset by number or by name. */
    async versionsOf(
      datasetId: bigint,
      by: { nums?: number[]; name?: string },
    ): Promise<Pick<DatasetVersion, "version" | "versionNum" | "schemaId">[]> {
      let sel = q().selectFrom("dataset_versions").select(["version", "version_num", "schema_id"])
        .where("dataset_id", "=", `${datasetId}`);
      if (by.nums) {
        if (!by.nums.length) return [];
        sel = sel.where("version_num", "in", [...new Set(by.nums)]);
      }
      if (by.name !== undefined) sel = sel.where("version", "=", by.name);
      const rows = await sel.execute();
      return rows.map((r) => ({
        version: r.version,
        versionNum: Number(r.version_num),
        schemaId: BigInt(r.schema_id),
      }));
    },
    /** Live datasets of a workspace in a category. */
    async datasetIds(spaceId: bigint, category: number): Promise<bigint[]> {
      const rows = await q().selectFrom("datasets").select("id")
        .where("space_id", "=", `${spaceId}`).where("category", "=", category)
        .where("deleted_at", "=", 0).execute();
      return rows.map((r) => BigInt(r.id));
    },
    async notes(revisionIds: bigint[]): Promise<Map<string, ItemNoteRow>> {
      if (!revisionIds.length) return new Map();
      const rows = await q().selectFrom("dataset_item_notes").selectAll()
        .where("revision_id", "in", revisionIds.map(String)).execute();
      return new Map(rows.map((r) => [`${r.revision_id}`, r]));
    },
    async saveNote(note: ItemNoteRow): Promise<void> {
      const { revision_id: id, ...rest } = note;
      const r = await q().updateTable("dataset_item_notes").set(rest)
        .where("revision_id", "=", id).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) {
        await q().insertInto("dataset_item_notes").values(note).execute();
      }
    },
  };
}

/** The repository's type. */
export type ItemVersionRepo = ReturnType<typeof createItemVersionRepo>;
