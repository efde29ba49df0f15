/**
 * Items as entities with versions of their own (the evaluation API's item definitions and
 * item versions), over the revisions items already have: a revision is one item version,
 * identified by its row id, numbered by the dataset version it first belongs to (`add_vn`),
 * named after that version ("" while it is only in the draft). Status: "draft" (not yet in a
 * version), "committed" (in versions and still the draft's), "archived" (only in older
 * versions), unless a note set another label; a note's description and status never change
 * values. An item selected by version name reads the revision that version holds; "draft"
 * names the draft's.
 */
import { AppError, Codes, invalidParam } from "../errors.ts";
import type { ItemRow } from "./_tables.ts";
import type { DatasetAccess, LoadOptions } from "./access.ts";
import type { ItemStore } from "./item_store.ts";
import { decodePage, encodeToken, type PageRequest } from "./paging.ts";
import type { DatasetRepo } from "./repo.ts";
import type { ItemRepo } from "./repo_items.ts";
import type { ItemVersionRepo } from "./repo_item_versions.ts";
import {
  type Dataset,
  type DatasetSchema,
  type DatasetWithSchema,
  type Item,
  LIVE_VN,
} from "./types.ts";

/** One item version: a revision with its values and the schema describing them. */
export interface ItemVersionView {
  item: Item;
  version: string;
  versionNum: number;
  status: string;
  description: string;
  schema: DatasetSchema;
}

/** An item as an entity of its dataset. */
export interface ItemDef {
  itemId: bigint;
  spaceId: bigint;
  datasetId: bigint;
  itemKey?: string;
  status: "available" | "deleted";
  latestVersion: string;
  createdBy: bigint;
  updatedBy: bigint;
  createdAt: Date;
  updatedAt: Date;
}

/** Which version of an item: a revision id, or a version name ("draft": the draft's). */
export interface VersionSelector {
  revisionId?: bigint;
  version?: string;
}

type ItemRef = Pick<LoadOptions, "workspaceId"> & { datasetId: bigint; itemId: bigint };

/** The item version service. */
export interface ItemVersionService {
  defs(
    userId: bigint,
    q: PageRequest & Pick<LoadOptions, "workspaceId"> & { datasetId: bigint },
  ): Promise<{ defs: ItemDef[]; total: number; nextPageToken: string }>;
  def(userId: bigint, ref: ItemRef): Promise<ItemDef>;
  versions(
    userId: bigint,
    q: ItemRef & Pick<PageRequest, "pageNumber" | "pageSize" | "pageToken">,
  ): Promise<{ versions: ItemVersionView[]; total: number; nextPageToken: string }>;
  version(userId: bigint, ref: ItemRef & VersionSelector): Promise<ItemVersionView>;
  annotate(
    userId: bigint,
    ref: ItemRef & VersionSelector & { status?: string; description?: string },
  ): Promise<void>;
  /** A revision by its row id (any version), with its values. */
  revision(
    userId: bigint,
    q: Pick<LoadOptions, "workspaceId"> & { datasetId: bigint; revisionId: bigint },
  ): Promise<ItemVersionView>;
}

const live = (r: ItemRow) => Number(r.del_vn) === LIVE_VN;

/** The revision a selector names among an item's revisions (newest first). */
export async function pickRevision(
  repo: Pick<ItemVersionRepo, "versionsOf">,
  datasetId: bigint,
  revs: ItemRow[],
  sel: VersionSelector,
): Promise<ItemRow | undefined> {
  if (sel.revisionId) return revs.find((r) => `${r.id}` === `${sel.revisionId}`);
  if (sel.version === "draft") return revs.find(live);
  if (sel.version) {
    const [v] = await repo.versionsOf(datasetId, { name: sel.version });
    if (!v) return undefined;
    return revs.find((r) => Number(r.add_vn) <= v.versionNum && Number(r.del_vn) > v.versionNum);
  }
  return revs.find(live) ?? revs[0];
}

/** Creates the service. */
export function createItemVersionService(deps: {
  access: DatasetAccess;
  repo: Pick<DatasetRepo, "schemasByIds">;
  items: Pick<ItemRepo, "list">;
  versions: ItemVersionRepo;
  store: Pick<ItemStore, "load">;
  /** Presigned download URLs of attachments (keys relative to the workspace), in order. */
  signUrls?: (spaceId: bigint, uris: string[]) => Promise<string[]>;
  now?: () => Date;
}): ItemVersionService {
  const { access, versions: vrepo } = deps;
  const now = deps.now ?? (() => new Date());
  const notFound = (what: string) => new AppError(Codes.dataNotFound, `${what} not found`);
  const names = async (d: Dataset, rows: ItemRow[]) => {
    const nums = rows.map((r) => Number(r.add_vn)).filter((n) => n < d.nextVersionNum);
    const list = await vrepo.versionsOf(d.id, { nums });
    return new Map(list.map((v) => [v.versionNum, v]));
  };
  const revisionsOf = async (ds: DatasetWithSchema, itemId: bigint) => {
    const revs = await vrepo.revisions(ds.dataset.id, itemId);
    if (!revs.length) throw notFound(`item ${itemId}`);
    return revs;
  };
  const views = async (ds: DatasetWithSchema, rows: ItemRow[]): Promise<ItemVersionView[]> => {
    const d = ds.dataset;
    const byNum = await names(d, rows);
    const schemas = await deps.repo.schemasByIds([...byNum.values()].map((v) => v.schemaId));
    const notes = await vrepo.notes(rows.map((r) => BigInt(r.id)));
    const items = await withUrls(await deps.store.load(rows));
    return rows.map((r, i) => {
      const n = Number(r.add_vn);
      const v = byNum.get(n);
      const note = notes.get(`${r.id}`);
      const derived = n >= d.nextVersionNum ? "draft" : live(r) ? "committed" : "archived";
      return {
        item: items[i],
        version: v?.version ?? "",
        versionNum: n,
        status: note?.status || derived,
        description: note?.description ?? "",
        schema: (live(r) ? ds.schema : v && schemas.get(v.schemaId)) ?? ds.schema,
      };
    });
  };
  const withUrls = async (list: Item[]): Promise<Item[]> => {
    const refs = list.flatMap((it) =>
      (it.turns ? it.turns.flatMap((t) => t.data) : it.data ?? []).flatMap((v) => [
        ...(v.attachments ?? []),
        ...(v.parts ?? []).flatMap((p) => p.attachments ?? []),
      ])
    );
    if (!refs.length || !deps.signUrls) return list;
    const urls = await deps.signUrls(list[0].spaceId, refs.map((a) => a.uri));
    refs.forEach((a, i) => (a.url = urls[i]));
    return list;
  };
  const defOf = (d: Dataset, newest: ItemRow, latest: string): ItemDef => ({
    itemId: BigInt(newest.item_id),
    spaceId: d.spaceId,
    datasetId: d.id,
    ...(newest.item_key !== null ? { itemKey: newest.item_key } : {}),
    status: live(newest) ? "available" : "deleted",
    latestVersion: latest,
    createdBy: BigInt(newest.created_by),
    updatedBy: BigInt(newest.updated_by),
    createdAt: newest.created_at,
    updatedAt: newest.updated_at,
  });
  const selected = async (userId: bigint, ref: ItemRef & VersionSelector) => {
    const ds = await access.withSchema(userId, ref.datasetId, ref);
    const revs = await revisionsOf(ds, ref.itemId);
    const rev = await pickRevision(vrepo, ds.dataset.id, revs, ref);
    if (!rev) {
      throw notFound(
        `version ${ref.revisionId ?? JSON.stringify(ref.version)} of item ${ref.itemId}`,
      );
    }
    return { ds, rev };
  };

  return {
    async defs(userId, q) {
      const page = decodePage(q, ["created_at", "updated_at"]);
      const ds = await access.withSchema(userId, q.datasetId, q);
      const rows = await deps.items.list({ datasetId: ds.dataset.id }, page);
      const byNum = await names(ds.dataset, rows);
      const last = rows.length === page.limit ? rows.at(-1) : undefined;
      return {
        defs: rows.map((r) => defOf(ds.dataset, r, byNum.get(Number(r.add_vn))?.version ?? "")),
        total: Math.max(ds.dataset.itemCount, page.offset + rows.length),
        nextPageToken: encodeToken(
          page,
          last && { time: last.updated_at, id: BigInt(last.item_id) },
        ),
      };
    },
    async def(userId, ref) {
      const ds = await access.withSchema(userId, ref.datasetId, ref);
      const revs = await revisionsOf(ds, ref.itemId);
      const byNum = await names(ds.dataset, revs.slice(0, 1));
      return defOf(ds.dataset, revs[0], byNum.get(Number(revs[0].add_vn))?.version ?? "");
    },
    async versions(userId, q) {
      const ds = await access.withSchema(userId, q.datasetId, q);
      const revs = await revisionsOf(ds, q.itemId);
      const size = q.pageSize ?? 20;
      if (q.pageToken !== undefined && q.pageToken !== "" && !/^\d{1,6}$/.test(q.pageToken)) {
        throw invalidParam("page_token", "not a token this list issued");
      }
      const from = q.pageToken ? Number(q.pageToken) : ((q.pageNumber ?? 1) - 1) * size;
      const page = revs.slice(from, from + size);
      const next = from + page.length;
      return {
        versions: await views(ds, page),
        total: revs.length,
        nextPageToken: page.length && next < revs.length ? `${next}` : "",
      };
    },
    async version(userId, ref) {
      const { ds, rev } = await selected(userId, ref);
      return (await views(ds, [rev]))[0];
    },
    async annotate(userId, ref) {
      if ((ref.description ?? "").length > 2048) {
        throw invalidParam("description", "at most 2048 characters");
      }
      if ((ref.status ?? "").length > 64) throw invalidParam("status", "at most 64 characters");
      const { ds, rev } = await selected(userId, ref);
      const old = (await vrepo.notes([BigInt(rev.id)])).get(`${rev.id}`);
      await vrepo.saveNote({
        revision_id: `${rev.id}`,
        space_id: `${ds.dataset.spaceId}`,
        dataset_id: `${ds.dataset.id}`,
        item_id: `${rev.item_id}`,
        description: ref.description ?? old?.description ?? "",
        status: ref.status ?? old?.status ?? "",
        updated_by: `${userId}`,
        updated_at: now(),
      });
    },
    async revision(userId, q) {
      const ds = await access.withSchema(userId, q.datasetId, q);
      const rev = await vrepo.revisionById(ds.dataset.id, q.revisionId);
      if (!rev) throw notFound(`item ${q.revisionId}`);
      return (await views(ds, [rev]))[0];
    },
  };
}
