/**
 * The write path of items, shared by the item routes and by jobs (imports): validate items
 * against a dataset (values, sizes, attachments present in storage), then write validated
 * items in one transaction that locks the dataset row, so that writers of one dataset queue
 * up, its item count (a column updated in the same transaction) stays exact, and its
 * capacity cannot be overrun. An item key is idempotent: an item whose key is already in the
 * draft is not written again, its existing id is returned instead, so a job that replays a
 * checkpointed batch writes each row once.
 */
import type { Database } from "../../infra/db/mod.ts";
import type { IdGenerator } from "../../infra/idgen/mod.ts";
import type { ObjectStorage } from "../../infra/storage/mod.ts";
import { AppError, Codes } from "../errors.ts";
import { objectKey } from "../foundation/files.ts";
import type { ItemRow } from "./_tables.ts";
import type { DatasetAccess } from "./access.ts";
import type { ItemStore } from "./item_store.ts";
import type { DatasetRepo } from "./repo.ts";
import type { ItemRepo } from "./repo_items.ts";
import { type DatasetWithSchema, type ItemError, ItemErrorType, LIVE_VN } from "./types.ts";
import { type ItemInput, validateItem, type ValidItem } from "./validate.ts";

/** What a write did, by the items' indexes in the caller's list. */
export interface WriteResult {
  /** Index -> item id, for items written and items whose key already existed. */
  added: Map<number, bigint>;
  /** Indexes whose key already existed (nothing written). */
  existing: Set<number>;
  /** Items left out for want of capacity (with `allowPartialAdd`). */
  errors: ItemError[];
}

/** Validation and writing of items. */
export interface ItemWriter {
  /** Checks items against the dataset: the valid ones, and an error per invalid one. */
  validate(
    ds: DatasetWithSchema,
    items: ItemInput[],
  ): Promise<{ valid: ValidItem[]; errors: ItemError[] }>;
  /**
   * Writes validated items to the draft (a trusted call: the caller checked access). Fails
   * with `concurrent change` if the schema changed since `ds` was read, and with `capacity
   * full` unless `allowPartialAdd`, which writes the first items that fit.
   */
  write(
    ds: DatasetWithSchema,
    items: ValidItem[],
    o: { actor: bigint; allowPartialAdd?: boolean },
  ): Promise<WriteResult>;
  /**
   * Runs `fn` in a transaction holding the dataset's row lock, after checking that the schema
   * is still the one `ds` was read with; `fn` sees the dataset as locked.
   */
  locked<T>(ds: DatasetWithSchema, fn: (locked: DatasetWithSchema) => Promise<T>): Promise<T>;
}

/** Creates the writer. */
export function createItemWriter(deps: {
  db: Database;
  ids: IdGenerator;
  storage: ObjectStorage;
  store: ItemStore;
  repo: DatasetRepo;
  items: ItemRepo;
  access: DatasetAccess;
  now?: () => Date;
}): ItemWriter {
  const now = deps.now ?? (() => new Date());
  const locked = <T>(ds: DatasetWithSchema, fn: (l: DatasetWithSchema) => Promise<T>) =>
    deps.db.transaction(async () => {
      const cur = await deps.access.trusted(ds.dataset.id, { forUpdate: true });
      if (
        cur.schema.id !== ds.schema.id || cur.schema.updateVersion !== ds.schema.updateVersion
      ) {
        throw new AppError(
          Codes.datasetConcurrentChange,
          `dataset ${ds.dataset.id}: its schema changed while items were written; retry`,
        );
      }
      return await fn(cur);
    });

  const checkAttachments = async (ds: DatasetWithSchema, valid: ValidItem[]) => {
    const uris = [...new Set(valid.flatMap((v) => v.attachments.map((a) => a.uri)))];
    const infos = await deps.storage.statMany(uris.map((u) => objectKey(ds.dataset.spaceId, u)));
    const sizes = new Map(uris.map((u, i) => [u, infos[i]?.size ?? -1]));
    const errors: ItemError[] = [];
    const ok = valid.filter((v) => {
      for (const a of v.attachments) {
        const size = sizes.get(a.uri)!;
        if (size < 0) {
          errors.push({
            index: v.index,
            type: ItemErrorType.GetImageFailed,
            message: `field "${a.field}": no object "${a.uri}" in this workspace`,
          });
          return false;
        }
        if (a.maxSize && size > a.maxSize) {
          errors.push({
            index: v.index,
            type: ItemErrorType.ExceedMaxImageSize,
            message: `field "${a.field}": "${a.uri}" has ${size} bytes, more than ${a.maxSize}`,
          });
          return false;
        }
      }
      return true;
    });
    return { ok, errors };
  };

  return {
    locked,
    async validate(ds, items) {
      const rules = {
        fields: ds.schema.fields,
        spec: ds.dataset.spec,
        features: ds.dataset.features,
      };
      const valid: ValidItem[] = [];
      const errors: ItemError[] = [];
      items.forEach((input, i) => {
        const r = validateItem(rules, input, i);
        if ("type" in r) errors.push(r);
        else valid.push(r);
      });
      const checked = await checkAttachments(ds, valid);
      return {
        valid: checked.ok,
        errors: [...errors, ...checked.errors].sort((a, b) => a.index - b.index),
      };
    },
    async write(ds, items, o) {
      const keys = items.map((v) => v.itemKey).filter((k): k is string => !!k);
      if (new Set(keys).size !== keys.length) {
        throw new AppError(Codes.datasetItemsInvalid, "the same item_key is given twice");
      }
      const idList = await deps.ids.genIds(items.length);
      await assignTurnIds(deps.ids, items);
      const at = now();
      const rows: { index: number; row: ItemRow }[] = [];
      try {
        for (const [i, v] of items.entries()) {
          const place = { spaceId: ds.dataset.spaceId, datasetId: ds.dataset.id, rowId: idList[i] };
          rows.push({
            index: v.index,
            row: newRow(ds, idList[i], v, o.actor, at, await deps.store.put(place, v.content)),
          });
        }
      } catch (err) {
        await deps.store.discard(rows.map((r) => r.row.storage_key));
        throw err;
      }
      const result: WriteResult = { added: new Map(), existing: new Set(), errors: [] };
      let written: typeof rows = [];
      try {
        await locked(ds, async ({ dataset: d }) => {
          const found = new Map(
            (await deps.items.liveByKeys(d.id, keys)).map((r) => [r.item_key!, r.item_id]),
          );
          let fresh = rows.filter(({ index, row }) => {
            const existing = row.item_key !== null ? found.get(row.item_key) : undefined;
            if (existing === undefined) return true;
            result.added.set(index, BigInt(existing));
            result.existing.add(index);
            return false;
          });
          const room = Math.max(0, d.spec.maxItemCount - d.itemCount);
          if (fresh.length > room) {
            if (!o.allowPartialAdd) {
              throw new AppError(
                Codes.datasetCapacityFull,
                `dataset ${d.id} is full: ${d.itemCount} of ${d.spec.maxItemCount} items, ` +
                  `${fresh.length} more do not fit`,
              );
            }
            for (const { index } of fresh.slice(room)) {
              result.errors.push({
                index,
                type: ItemErrorType.ExceedDatasetCapacity,
                message: `the dataset holds at most ${d.spec.maxItemCount} items`,
              });
            }
            fresh = fresh.slice(0, room);
          }
          for (const r of fresh) r.row.add_vn = d.nextVersionNum;
          await deps.items.insert(fresh.map((r) => r.row));
          if (fresh.length) {
            await deps.repo.updateDataset(d.id, {
              item_count: d.itemCount + fresh.length,
              change_uncommitted: 1,
              updated_by: o.actor.toString(),
              updated_at: at,
            });
          }
          written = fresh;
        });
      } finally {
        const kept = new Set(written.map((r) => r.row.id));
        await deps.store.discard(
          rows.filter((r) => !kept.has(r.row.id)).map((r) => r.row.storage_key),
        );
      }
      for (const { index, row } of written) result.added.set(index, BigInt(row.item_id));
      return result;
    },
  };
}

/** Gives turns without an id one. */
export async function assignTurnIds(ids: IdGenerator, items: { content: ValidItem["content"] }[]) {
  const turns = items.flatMap((v) => v.content.turns ?? []).filter((t) => !t.id);
  const fresh = await ids.genIds(turns.length);
  turns.forEach((t, i) => (t.id = fresh[i]));
}

/** A new revision row (values placed by the item store). */
export function newRow(
  ds: DatasetWithSchema,
  id: bigint,
  v: Pick<ValidItem, "itemKey" | "bytes">,
  actor: bigint,
  at: Date,
  payload: Pick<ItemRow, "payload" | "storage_key">,
): ItemRow {
  return {
    id: id.toString(),
    space_id: ds.dataset.spaceId.toString(),
    dataset_id: ds.dataset.id.toString(),
    item_id: id.toString(),
    item_key: v.itemKey ?? null,
    add_vn: ds.dataset.nextVersionNum,
    del_vn: LIVE_VN,
    ...payload,
    bytes: v.bytes,
    created_by: actor.toString(),
    updated_by: actor.toString(),
    created_at: at,
    updated_at: at,
  };
}
