/**
 * Where an item revision's values live: in its row, or, past 64 KB of JSON (the reference's
 * limit for the database), in object storage under a key of its own, read back transparently.
 * A blob is written before the row that names it and under a fresh key every time, so a row
 * never names a missing or half-written blob; blobs of rows that were not stored (a failed
 * transaction, an item key that already existed) or that were deleted are removed afterwards.
 */
import type { ObjectStorage } from "../../infra/storage/mod.ts";
import type { ItemRow } from "./_tables.ts";
import { decodeContent, encodeContent } from "./repo_items.ts";
import type { Item, ItemContent } from "./types.ts";

/** Largest values kept in the row (bytes of JSON). */
export const MAX_ROW_PAYLOAD_BYTES = 64 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Item values in rows and blobs. */
export interface ItemStore {
  /** The payload columns of a revision: the JSON, or a new blob's key (uploaded now). */
  put(
    row: { spaceId: bigint; datasetId: bigint; rowId: bigint },
    content: ItemContent,
  ): Promise<Pick<ItemRow, "payload" | "storage_key">>;
  /** Revisions with their values (blobs read in one batch). */
  load(rows: ItemRow[]): Promise<Item[]>;
  /** Deletes blobs, logging rather than failing (an orphan costs space, nothing else). */
  discard(keys: (string | null | undefined)[]): Promise<void>;
}

/** Creates the store. */
export function createItemStore(
  storage: ObjectStorage,
  onError: (message: string, err: unknown) => void = () => {},
): ItemStore {
  return {
    async put(row, content) {
      const json = encodeContent(content);
      const bytes = encoder.encode(json);
      if (bytes.length <= MAX_ROW_PAYLOAD_BYTES) return { payload: json, storage_key: null };
      const key = `data/${row.spaceId}/datasets/${row.datasetId}/items/${row.rowId}-` +
        `${crypto.randomUUID()}.json`;
      await storage.upload(key, bytes, { contentType: "application/json", size: bytes.length });
      return { payload: null, storage_key: key };
    },
    async load(rows) {
      const keys = rows.filter((r) => r.storage_key).map((r) => r.storage_key!);
      const blobs = new Map<string, Uint8Array | null>();
      if (keys.length) {
        const read = await storage.readMany(keys);
        keys.forEach((k, i) => blobs.set(k, read[i]));
      }
      return rows.map((r) => {
        let content: ItemContent = { data: [] };
        if (r.payload !== null) {
          content = decodeContent(r.payload);
        } else if (r.storage_key) {
          const blob = blobs.get(r.storage_key);
          if (!blob) throw new Error(`item ${r.item_id}: its values are missing from storage`);
          content = decodeContent(decoder.decode(blob));
        }
        return toItem(r, content);
      });
    },
    async discard(keys) {
      const list = keys.filter((k): k is string => !!k);
      if (!list.length) return;
      try {
        await storage.removeMany(list);
      } catch (err) {
        onError("cannot delete dataset item blobs", err);
      }
    },
  };
}

function toItem(r: ItemRow, content: ItemContent): Item {
  return {
    id: BigInt(r.id),
    spaceId: BigInt(r.space_id),
    datasetId: BigInt(r.dataset_id),
    itemId: BigInt(r.item_id),
    ...(r.item_key !== null ? { itemKey: r.item_key } : {}),
    addVn: Number(r.add_vn),
    delVn: Number(r.del_vn),
    createdBy: BigInt(r.created_by),
    updatedBy: BigInt(r.updated_by),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...content,
  };
}
