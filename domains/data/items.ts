/**
 * Items of a dataset's draft (batch create, update, delete, clear) and reads of the draft or
 * of a committed version (list, batch get). Versions are exact without copying: a revision
 * written since the last commit (`add_vn` = the draft's number) is changed or deleted in
 * place; an older one is left as it is and ended (`del_vn` = the draft's number), and an
 * update writes a new revision of the same item. A committed version `v` therefore reads
 * exactly the revisions with `add_vn <= v < del_vn`, whatever the draft does later.
 */
import type { Database } from "../../infra/db/mod.ts";
import type { IdGenerator } from "../../infra/idgen/mod.ts";
import { AppError, Codes } from "../errors.ts";
import type { DatasetAccess, LoadOptions } from "./access.ts";
import type { ItemStore } from "./item_store.ts";
import { assignTurnIds, type ItemWriter, newRow, type WriteResult } from "./item_writer.ts";
import { decodePage, encodeToken, type PageRequest } from "./paging.ts";
import type { DatasetRepo } from "./repo.ts";
import type { ItemRepo, ItemScope } from "./repo_items.ts";
import {
  type Attachment,
  type DatasetSchema,
  type DatasetVersion,
  type Item,
  type ItemError,
  ItemErrorType,
} from "./types.ts";
import { describeErrors, type ItemInput } from "./validate.ts";
import type { VersionService } from "./versions.ts";

/** Where items are read: a dataset's draft, or one of its versions. */
export interface ItemTarget extends Pick<LoadOptions, "workspaceId"> {
  datasetId: bigint;
  versionId?: bigint;
}

/** Items read, with the schema that describes them (the version's, for a version). */
export interface ItemPage {
  items: Item[];
  schema: DatasetSchema;
  total: number;
  nextPageToken: string;
}

/** The item service. */
export interface ItemService {
  batchCreate(
    userId: bigint,
    input: ItemTarget & {
      items: ItemInput[];
      skipInvalidItems?: boolean;
      allowPartialAdd?: boolean;
    },
  ): Promise<WriteResult>;
  update(
    userId: bigint,
    input: ItemTarget & { itemId: bigint; item: ItemInput },
  ): Promise<void>;
  /** Deletes items of the draft; `mustExist`: an id not in the draft is `not found`. */
  remove(
    userId: bigint,
    input: ItemTarget & { itemIds: bigint[]; mustExist?: boolean },
  ): Promise<void>;
  clear(userId: bigint, input: ItemTarget): Promise<void>;
  list(userId: bigint, input: ItemTarget & PageRequest): Promise<ItemPage>;
  batchGet(
    userId: bigint,
    input: ItemTarget & { itemIds: bigint[] },
  ): Promise<Omit<ItemPage, "total" | "nextPageToken">>;
}

/** Creates the service. */
export function createItemService(deps: {
  db: Database;
  ids: IdGenerator;
  repo: DatasetRepo;
  items: ItemRepo;
  store: ItemStore;
  access: DatasetAccess;
  writer: ItemWriter;
  versions: Pick<VersionService, "versionOf">;
  /** Presigned download URLs of attachments (keys relative to the workspace), in order. */
  signUrls?: (spaceId: bigint, uris: string[]) => Promise<string[]>;
  now?: () => Date;
}): ItemService {
  const { items, store, access, writer } = deps;
  const now = deps.now ?? (() => new Date());
  const itemNotFound = (id: bigint) =>
    new AppError(Codes.dataNotFound, `item ${id} not found in the dataset's draft`);
  // The scope to read, its schema and its total.
  const target = async (userId: bigint, t: ItemTarget) => {
    const ds = await access.withSchema(userId, t.datasetId, { workspaceId: t.workspaceId });
    if (t.versionId === undefined) {
      return {
        scope: { datasetId: ds.dataset.id },
        schema: ds.schema,
        total: ds.dataset.itemCount,
      };
    }
    const v: DatasetVersion = await deps.versions.versionOf(ds.dataset, t.versionId);
    const schema = (await deps.repo.schemasByIds([v.schemaId])).get(v.schemaId)!;
    const scope: ItemScope = { datasetId: ds.dataset.id, versionNum: v.versionNum };
    return { scope, schema, total: v.itemCount };
  };
  const withUrls = async (list: Item[]): Promise<Item[]> => {
    const refs = list.flatMap((it) => attachmentsOf(it).map((a) => ({ a, space: it.spaceId })));
    if (!refs.length || !deps.signUrls) return list;
    const urls = await deps.signUrls(refs[0].space, refs.map((r) => r.a.uri));
    refs.forEach((r, i) => (r.a.url = urls[i]));
    return list;
  };
  const draftOnly = (t: ItemTarget) => {
    if (t.versionId !== undefined) throw new Error("items of a version cannot change");
  };

  return {
    async batchCreate(userId, input) {
      draftOnly(input);
      const ds = await access.withSchema(userId, input.datasetId, input);
      const { valid, errors } = await writer.validate(ds, input.items);
      if (errors.length && !input.skipInvalidItems) {
        throw new AppError(
          Codes.datasetItemsInvalid,
          `invalid items, nothing was added: ${describeErrors(errors)}`,
        );
      }
      const r = await writer.write(ds, valid, {
        actor: userId,
        allowPartialAdd: input.allowPartialAdd,
      });
      return { ...r, errors: [...errors, ...r.errors] };
    },
    async update(userId, input) {
      const ds = await access.withSchema(userId, input.datasetId, input);
      const { valid, errors } = await writer.validate(ds, [input.item]);
      if (errors.length) throw invalidItem(errors[0]);
      const v = valid[0];
      await assignTurnIds(deps.ids, [v]);
      // The values go to storage (when large) before the lock is taken, under a fresh key.
      const newId = await deps.ids.genId();
      const payload = await store.put(
        { spaceId: ds.dataset.spaceId, datasetId: ds.dataset.id, rowId: newId },
        v.content,
      );
      let stale: string | null = null;
      try {
        await writer.locked(ds, async ({ dataset: d }) => {
          const [rev] = await items.byItemIds({ datasetId: d.id }, [input.itemId]);
          if (!rev) throw itemNotFound(input.itemId);
          const at = now();
          if (Number(rev.add_vn) === d.nextVersionNum) {
            await items.update(rev.id, {
              ...payload,
              bytes: v.bytes,
              updated_by: userId.toString(),
              updated_at: at,
            });
            stale = rev.storage_key;
          } else {
            await items.archive([rev.id], d.nextVersionNum);
            const kept = { itemKey: rev.item_key ?? undefined, bytes: v.bytes };
            await items.insert([{
              ...newRow(ds, newId, kept, userId, at, payload),
              item_id: rev.item_id,
              add_vn: d.nextVersionNum,
              created_by: rev.created_by,
              created_at: rev.created_at,
            }]);
          }
          await deps.repo.updateDataset(d.id, {
            change_uncommitted: 1,
            updated_by: userId.toString(),
            updated_at: at,
          });
        });
      } catch (err) {
        await store.discard([payload.storage_key]);
        throw err;
      }
      await store.discard([stale]);
    },
    async remove(userId, input) {
      draftOnly(input);
      const ds = await access.withSchema(userId, input.datasetId, input);
      const gone = await writer.locked(ds, async ({ dataset: d }) => {
        const revs = await items.byItemIds({ datasetId: d.id }, [...new Set(input.itemIds)]);
        if (input.mustExist && revs.length < new Set(input.itemIds).size) {
          throw itemNotFound(input.itemIds.find((id) => !revs.some((r) => r.item_id === `${id}`))!);
        }
        const fresh = revs.filter((r) => Number(r.add_vn) === d.nextVersionNum);
        await items.remove(fresh.map((r) => r.id));
        await items.archive(
          revs.filter((r) => !fresh.includes(r)).map((r) => r.id),
          d.nextVersionNum,
        );
        if (revs.length) {
          await deps.repo.updateDataset(d.id, {
            item_count: d.itemCount - revs.length,
            change_uncommitted: 1,
            updated_by: userId.toString(),
            updated_at: now(),
          });
        }
        return fresh.map((r) => r.storage_key);
      });
      await store.discard(gone);
    },
    async clear(userId, input) {
      draftOnly(input);
      const ds = await access.withSchema(userId, input.datasetId, input);
      const gone = await writer.locked(ds, async ({ dataset: d }) => {
        const keys = await items.clearDraft(d.id, d.nextVersionNum);
        await deps.repo.updateDataset(d.id, {
          item_count: 0,
          change_uncommitted: 1,
          updated_by: userId.toString(),
          updated_at: now(),
        });
        return keys;
      });
      await store.discard(gone);
    },
    async list(userId, input) {
      const page = decodePage(input, ["created_at", "updated_at"]);
      const t = await target(userId, input);
      const rows = await items.list(t.scope, page);
      const last = rows.length === page.limit ? rows.at(-1) : undefined;
      return {
        items: await withUrls(await store.load(rows)),
        schema: t.schema,
        // A page seen past the stored total means the total moved meanwhile: never less.
        total: Math.max(t.total, page.offset + rows.length),
        nextPageToken: encodeToken(
          page,
          last && { time: last.updated_at, id: BigInt(last.item_id) },
        ),
      };
    },
    async batchGet(userId, input) {
      const t = await target(userId, input);
      const rows = await items.byItemIds(t.scope, [...new Set(input.itemIds)]);
      const order = new Map(input.itemIds.map((id, i) => [`${id}`, i]));
      rows.sort((a, b) => order.get(a.item_id)! - order.get(b.item_id)!);
      return { items: await withUrls(await store.load(rows)), schema: t.schema };
    },
  };
}

function attachmentsOf(it: Item): Attachment[] {
  const values = it.turns ? it.turns.flatMap((t) => t.data) : it.data ?? [];
  return values.flatMap((
    v,
  ) => [...(v.attachments ?? []), ...(v.parts ?? []).flatMap((p) => p.attachments ?? [])]);
}

function invalidItem(e: ItemError): AppError {
  const code = e.type === ItemErrorType.ExceedMaxItemSize
    ? Codes.datasetItemTooLarge
    : Codes.datasetItemsInvalid;
  return new AppError(code, `invalid item: ${e.message}`);
}
