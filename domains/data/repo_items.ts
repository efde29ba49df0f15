/**
 * Queries on item revisions (ambient session). A revision belongs to versions
 * `add_vn <= v < del_vn`; the draft is version `next_version_num`, so the draft's items are the
 * revisions with `del_vn = LIVE_VN`, and a committed version `v` reads `add_vn <= v < del_vn`.
 */
import { type Kysely, type SelectQueryBuilder, sql } from "kysely";
import type { Database } from "../../infra/db/mod.ts";
import type { DataTables, ItemRow } from "./_tables.ts";
import type { Page } from "./paging.ts";
import { afterCursor } from "./_cursor.ts";
import { type ItemContent, LIVE_VN } from "./types.ts";

/** Which revisions to read: the draft's, or a committed version's. */
export type ItemScope = { datasetId: bigint; versionNum?: number };

type ItemQuery = SelectQueryBuilder<DataTables, "dataset_items", object>;

/** Data access for item revisions. */
export function createItemRepo(db: Database) {
  const q = (): Kysely<DataTables> => db.session<DataTables>();
  const scoped = (s: ItemScope): ItemQuery => {
    const sel = q().selectFrom("dataset_items").where("dataset_id", "=", s.datasetId.toString());
    if (s.versionNum === undefined) return sel.where("del_vn", "=", LIVE_VN);
    // `del_vn + 0`: no range scan on del_vn (the draft's index); a version is read along
    // idx_item_scan*, whose columns decide the filter without reading rows.
    return sel.where("add_vn", "<=", s.versionNum).where(
      sql<number>`del_vn + 0`,
      ">",
      s.versionNum,
    );
  };
  return {
    async insert(rows: ItemRow[]): Promise<void> {
      // Bounded statements: a 100-item batch of 64 KB payloads stays well under MySQL's packet.
      for (let i = 0; i < rows.length; i += 50) {
        await q().insertInto("dataset_items").values(rows.slice(i, i + 50)).execute();
      }
    },
    async byItemIds(s: ItemScope, itemIds: bigint[]): Promise<ItemRow[]> {
      if (!itemIds.length) return [];
      return await scoped(s).selectAll().where("item_id", "in", itemIds.map(String)).execute();
    },
    async liveByKeys(datasetId: bigint, keys: string[]): Promise<ItemRow[]> {
      if (!keys.length) return [];
      return await scoped({ datasetId }).selectAll().where("item_key", "in", keys).execute();
    },
    async list(s: ItemScope, page: Page): Promise<ItemRow[]> {
      const dir = page.asc ? "asc" : "desc";
      const col = page.timeColumn === "updated_at" ? "updated_at" : undefined;
      // Row ids first, along an index (deep offsets skip index entries, not rows), then rows.
      let sel = scoped(s).select("id");
      const after = page.after;
      if (after) {
        sel = sel.where((eb) => afterCursor(eb, { ...page, after }, { id: "item_id", time: col }));
      }
      if (col) sel = sel.orderBy(col, dir);
      const ids = await sel.orderBy("item_id", dir).limit(page.limit)
        .offset(page.after ? 0 : page.offset).execute();
      if (!ids.length) return [];
      const rows = await q().selectFrom("dataset_items").selectAll()
        .where("id", "in", ids.map((r) => r.id)).execute();
      const at = new Map(ids.map((r, i) => [`${r.id}`, i]));
      return rows.sort((a, b) => at.get(`${a.id}`)! - at.get(`${b.id}`)!);
    },
    async count(s: ItemScope): Promise<number> {
      const r = await scoped(s).select((eb) => eb.fn.countAll<string>().as("n"))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    /** Ends revisions at version `vn` (they stay in the versions before it). */
    async archive(rowIds: string[], vn: number): Promise<void> {
      if (!rowIds.length) return;
      await q().updateTable("dataset_items").set({ del_vn: vn }).where("id", "in", rowIds)
        .execute();
    },
    async remove(rowIds: string[]): Promise<void> {
      if (!rowIds.length) return;
      await q().deleteFrom("dataset_items").where("id", "in", rowIds).execute();
    },
    async update(rowId: string, patch: Partial<ItemRow>): Promise<void> {
      await q().updateTable("dataset_items").set(patch).where("id", "=", rowId).execute();
    },
    /**
     * Empties the draft: revisions added since the last version are deleted (returning their
     * storage keys), older ones end at `nextVn`.
     */
    async clearDraft(datasetId: bigint, nextVn: number): Promise<string[]> {
      const fresh = await scoped({ datasetId }).select(["id", "storage_key"])
        .where("add_vn", "=", nextVn).execute();
      for (let i = 0; i < fresh.length; i += 500) {
        await this.remove(fresh.slice(i, i + 500).map((r) => r.id));
      }
      await q().updateTable("dataset_items").set({ del_vn: nextVn })
        .where("dataset_id", "=", datasetId.toString()).where("del_vn", "=", LIVE_VN).execute();
      return fresh.map((r) => r.storage_key).filter((k): k is string => !!k);
    },
  };
}

/** The repository's type. */
export type ItemRepo = ReturnType<typeof createItemRepo>;

/** Values as stored (JSON text): `{data}` or `{turns: [{id, data}]}`, turn ids as strings. */
export function encodeContent(c: ItemContent): string {
  return JSON.stringify(
    c.turns ? { turns: c.turns.map((t) => ({ id: t.id.toString(), data: t.data })) } : {
      data: c.data ?? [],
    },
    // Presigned URLs are made when read, never stored.
    (k, v) => (k === "url" ? undefined : v),
  );
}

/** The stored JSON text back as values. */
export function decodeContent(text: string): ItemContent {
  const v = JSON.parse(text) as { data?: ItemContent["data"]; turns?: { id: string; data: [] }[] };
  if (v.turns) return { turns: v.turns.map((t) => ({ id: BigInt(t.id), data: t.data })) };
  return { data: v.data ?? [] };
}
