/**
 * Existing items added to a dataset (`items/batch_add_exist`): each reference names an item
 * of a dataset of the same workspace and category (a version of it: a revision id, a version
 * name, or by default the draft's), whose values are copied into this dataset's draft, field
 * by field name (values of fields this dataset lacks are left out), and checked like any new
 * item. The copy's item key, `ref:<item id>:<revision id>`, makes adding the same version
 * twice add it once; an item already in this dataset's draft counts as added. References
 * that cannot be resolved or whose values do not fit are answered as failed; capacity is all
 * or nothing unless `allowPartialAdd`.
 */
import type { DatasetAccess, LoadOptions } from "./access.ts";
import type { ItemStore } from "./item_store.ts";
import { pickRevision, type VersionSelector } from "./item_versions.ts";
import type { ItemWriter } from "./item_writer.ts";
import type { DatasetRepo } from "./repo.ts";
import type { ItemVersionRepo } from "./repo_item_versions.ts";
import type { ItemRow } from "./_tables.ts";
import { type FieldData, FieldStatus, type Item, LIVE_VN } from "./types.ts";
import type { FieldDataInput, ItemInput } from "./validate.ts";

/** A reference to an existing item (version). */
export interface ExistingItemRef extends VersionSelector {
  itemId: bigint;
}

/** What adding existing items did. */
export interface AddExistingResult {
  added: number;
  failed: { ref: ExistingItemRef; reason: string }[];
}

/** The service. */
export interface ItemRefService {
  addExisting(
    userId: bigint,
    input: Pick<LoadOptions, "workspaceId"> & {
      datasetId: bigint;
      refs: ExistingItemRef[];
      allowPartialAdd?: boolean;
    },
  ): Promise<AddExistingResult>;
}

/** Creates the service. */
export function createItemRefService(deps: {
  access: DatasetAccess;
  writer: Pick<ItemWriter, "validate" | "write">;
  store: Pick<ItemStore, "load">;
  repo: Pick<DatasetRepo, "datasetsByIds" | "schemasByIds">;
  versions: ItemVersionRepo;
}): ItemRefService {
  return {
    async addExisting(userId, input) {
      const ds = await deps.access.withSchema(userId, input.datasetId, input);
      const d = ds.dataset;
      const sources = await deps.versions.datasetIds(d.spaceId, d.category);
      const rows = await deps.versions.ofItems(sources, [
        ...new Set(input.refs.map((r) => r.itemId)),
      ]);
      const byItem = new Map<string, ItemRow[]>();
      for (const r of rows) byItem.set(`${r.item_id}`, [...byItem.get(`${r.item_id}`) ?? [], r]);
      for (const list of byItem.values()) list.sort((a, b) => Number(b.add_vn) - Number(a.add_vn));

      const failed: AddExistingResult["failed"] = [];
      const picked: { ref: ExistingItemRef; row: ItemRow }[] = [];
      let already = 0;
      for (const ref of input.refs) {
        const revs = byItem.get(`${ref.itemId}`);
        if (!revs) {
          failed.push({ ref, reason: `item ${ref.itemId} not found in this workspace` });
          continue;
        }
        const row = await pickRevision(deps.versions, BigInt(revs[0].dataset_id), revs, ref);
        if (!row) {
          failed.push({ ref, reason: `item ${ref.itemId} has no such version` });
        } else if (`${row.dataset_id}` === `${d.id}` && Number(row.del_vn) === LIVE_VN) {
          already++;
        } else {
          picked.push({ ref, row });
        }
      }
      if (!picked.length) return { added: already, failed };

      const loaded = await deps.store.load(picked.map((p) => p.row));
      const names = await fieldNames(deps.repo, d.spaceId, picked.map((p) => p.row));
      const target = new Map(
        ds.schema.fields.filter((f) => f.status === FieldStatus.Available).map((f) => [
          f.name,
          f.key,
        ]),
      );
      const inputs: ItemInput[] = [];
      const sent: number[] = [];
      picked.forEach((p, i) => {
        const copy = copyOf(loaded[i], names.get(`${p.row.dataset_id}`), target, d.features);
        if (typeof copy === "string") return failed.push({ ref: p.ref, reason: copy });
        inputs.push(copy);
        sent.push(i);
      });
      const { valid, errors } = await deps.writer.validate(ds, inputs);
      for (const e of errors) failed.push({ ref: picked[sent[e.index]].ref, reason: e.message });
      if (!valid.length) return { added: already, failed };
      const r = await deps.writer.write(ds, valid, {
        actor: userId,
        allowPartialAdd: input.allowPartialAdd,
      });
      for (const e of r.errors) failed.push({ ref: picked[sent[e.index]].ref, reason: e.message });
      return { added: already + r.added.size, failed };
    },
  };
}

/** Field names by key, for each source dataset (deleted fields too: old values name them). */
async function fieldNames(
  repo: Pick<DatasetRepo, "datasetsByIds" | "schemasByIds">,
  spaceId: bigint,
  rows: ItemRow[],
): Promise<Map<string, Map<string, string>>> {
  const ids = [...new Set(rows.map((r) => BigInt(r.dataset_id)))];
  const sets = await repo.datasetsByIds(spaceId, ids, true);
  const schemas = await repo.schemasByIds(sets.map((s) => s.schemaId));
  return new Map(sets.map((s) => [
    `${s.id}`,
    new Map((schemas.get(s.schemaId)?.fields ?? []).map((f) => [f.key, f.name])),
  ]));
}

function copyOf(
  it: Item,
  names: Map<string, string> | undefined,
  target: Map<string, string>,
  features: { repeatedData: boolean },
): ItemInput | string {
  const values = (data: FieldData[]): FieldDataInput[] =>
    data.flatMap((v) => {
      const key = target.get(names?.get(v.key) ?? "");
      return key ? [{ ...v, key }] : [];
    });
  const itemKey = `ref:${it.itemId}:${it.id}`;
  if (features.repeatedData) {
    const turns = it.turns ?? [{ data: it.data ?? [] }];
    return { itemKey, repeatedData: turns.map((t) => ({ data: values(t.data) })) };
  }
  if (it.turns && it.turns.length > 1) {
    return `item ${it.itemId} has ${it.turns.length} turns; this set takes single-turn items`;
  }
  return { itemKey, data: values(it.turns?.[0]?.data ?? it.data ?? []) };
}
