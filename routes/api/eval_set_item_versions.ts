/**
 * `/api/evaluation/v1/evaluation_sets/{evaluation_set_id}/...`: items as entities with
 * versions of their own (item definitions, an item's versions, notes on a version), one
 * field of an item revision, and existing items added to a set. An item version is one
 * revision of the item (its id is the `id` items are answered with); see
 * domains/data/item_versions.ts for how versions are named and what their status means.
 */
import { z } from "@hono/zod-openapi";
import type { DataServices } from "../../domains/data/mod.ts";
import type { ItemDef, ItemVersionView } from "../../domains/data/item_versions.ts";
import { type FieldData, FieldStatus } from "../../domains/data/types.ts";
import { AppError, Codes, invalidParam } from "../../domains/errors.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, int64, routeGroup } from "../_wire/routes.ts";
import { i64, id64, jsonBody } from "../_wire/schemas.ts";
import { baseInfo, contentToWire, evalItemToWire } from "../_wire/convert_eval_set.ts";
import { pagingIn } from "./_schemas_data.ts";
import { pageFieldsOf, pageRequestOf } from "../_wire/paging.ts";
import {
  evalFieldDataOut,
  itemDefOut,
  itemVersionOut,
  itemVersionRefIn,
  itemVersionRefOut,
} from "./_schemas_eval_set_extra.ts";
import { evalSetScope } from "./eval_sets.ts";
import type { RouteApp } from "../_env.ts";

const tags = ["evaluation: evaluation set items"];
const base = "/api/evaluation/v1/evaluation_sets/{evaluation_set_id}";
const setParam = z.object({ evaluation_set_id: id64 });
const itemParam = z.object({ evaluation_set_id: id64, item_id: id64 });
const versionParam = itemParam.extend({
  item_version_id: i64.refine((n) => n >= 0n, "expected an id, or 0 to name item_version"),
});
const wsQuery = z.object({ workspace_id: id64 });
const paging = { workspace_id: id64, ...pagingIn };

const addExist = apiRoute({
  method: "post",
  path: `${base}/items/batch_add_exist`,
  tags,
  summary: "Copy existing items (of the workspace's evaluation sets) into this set's draft",
  description: "Values are matched to this set's fields by name; the same item version added " +
    "twice is added once; unresolved or unfitting references are answered as failed.",
  request: {
    params: setParam,
    body: jsonBody(z.object({
      workspace_id: id64,
      items: z.array(itemVersionRefIn).min(1).max(100),
      allow_partial_add: z.boolean().optional(),
    })),
  },
}, {
  success_count: z.number().int(),
  failed_count: z.number().int(),
  failed_items: z.array(itemVersionRefOut),
});
const getDef = apiRoute({
  method: "get",
  path: `${base}/item_defs/{item_id}`,
  tags,
  summary: "An item as an entity: its key, status and latest version",
  request: { params: itemParam, query: wsQuery },
}, { item_def: itemDefOut });
const listDefs = apiRoute({
  method: "post",
  path: `${base}/item_defs/list`,
  tags,
  summary: "The draft's items as entities (order by created_at or updated_at)",
  request: { params: setParam, body: jsonBody(z.object(paging)) },
}, { item_defs: z.array(itemDefOut), total: int64, next_page_token: z.string() });
const listVersions = apiRoute({
  method: "post",
  path: `${base}/items/{item_id}/versions/list`,
  tags,
  summary: "An item's versions (its revisions), newest first",
  request: { params: itemParam, body: jsonBody(z.object(paging)) },
}, { versions: z.array(itemVersionOut), total: int64, next_page_token: z.string() });
const getVersion = apiRoute({
  method: "get",
  path: `${base}/items/{item_id}/versions/{item_version_id}`,
  tags,
  summary: "One version of an item, by id (or, with id 0, by item_version: a set version)",
  request: {
    params: versionParam,
    query: wsQuery.extend({ item_version: z.string().max(64).optional() }),
  },
}, { version: itemVersionOut });
const patchVersion = apiRoute({
  method: "patch",
  path: `${base}/items/{item_id}/versions/{item_version_id}`,
  tags,
  summary: "Set a version's description or status label (its values never change)",
  request: {
    params: versionParam,
    body: jsonBody(z.object({
      workspace_id: id64,
      status: z.string().max(64).optional(),
      description: z.string().max(2048).optional(),
      item_version: z.string().max(64).optional(),
    })),
  },
});
const getField = apiRoute({
  method: "get",
  path: `${base}/items/{item_pk}/field`,
  tags,
  summary: "One field's full value of an item revision (item_pk: the item's `id`)",
  request: {
    params: z.object({ evaluation_set_id: id64, item_pk: id64 }),
    query: wsQuery.extend({
      field_name: z.string().max(128).optional(),
      field_key: z.string().max(64).optional(),
      turn_id: i64.optional(),
    }),
  },
}, { field_data: evalFieldDataOut });

function defToWire(d: ItemDef) {
  return {
    item_id: d.itemId,
    workspace_id: d.spaceId,
    evaluation_set_id: d.datasetId,
    ...(d.itemKey !== undefined ? { item_key: d.itemKey } : {}),
    status: d.status,
    latest_version: d.latestVersion,
    base_info: baseInfo(d),
  };
}

function versionToWire(v: ItemVersionView) {
  return {
    item_version_id: v.item.id,
    item_id: v.item.itemId,
    version: v.version,
    version_num: BigInt(v.versionNum),
    description: v.description,
    turns: evalItemToWire(v.item, v.schema).turns,
    status: v.status,
    base_info: baseInfo(v.item),
  };
}

/** The item definition and item version routes. */
export function evalSetItemVersionRoutes(data: DataServices): RouteApp {
  const app = routeGroup();
  const selector = (id: bigint, version?: string) => {
    if (id === 0n && !version) {
      throw invalidParam("item_version", "required when item_version_id is 0");
    }
    return id === 0n ? { version } : { revisionId: id };
  };
  app.openapi(addExist, async (c) => {
    const b = c.req.valid("json");
    const s = await evalSetScope(data, c, c.req.valid("param"), b);
    const r = await data.itemRefs.addExisting(s.userId, {
      ...s.target,
      refs: b.items.map((i) => ({
        itemId: i.item_id,
        revisionId: i.item_version_id,
        version: i.item_version,
      })),
      allowPartialAdd: b.allow_partial_add,
    });
    return apiOk(c, {
      success_count: r.added,
      failed_count: r.failed.length,
      failed_items: r.failed.map(({ ref }) => ({
        item_id: ref.itemId,
        ...(ref.revisionId ? { item_version_id: ref.revisionId } : {}),
        ...(ref.version ? { item_version: ref.version } : {}),
      })),
    });
  });
  app.openapi(getDef, async (c) => {
    const p = c.req.valid("param");
    const s = await evalSetScope(data, c, p, c.req.valid("query"));
    const d = await data.itemVersions.def(s.userId, { ...s.target, itemId: p.item_id });
    return apiOk(c, { item_def: defToWire(d) });
  });
  app.openapi(listDefs, async (c) => {
    const b = c.req.valid("json");
    const s = await evalSetScope(data, c, c.req.valid("param"), b);
    const r = await data.itemVersions.defs(s.userId, { ...s.target, ...pageRequestOf(b) });
    return apiOk(c, { item_defs: r.defs.map(defToWire), ...pageFieldsOf(r) });
  });
  app.openapi(listVersions, async (c) => {
    const b = c.req.valid("json");
    const p = c.req.valid("param");
    const s = await evalSetScope(data, c, p, b);
    const r = await data.itemVersions.versions(s.userId, {
      ...s.target,
      itemId: p.item_id,
      ...pageRequestOf({ ...b, order_bys: undefined }),
    });
    return apiOk(c, { versions: r.versions.map(versionToWire), ...pageFieldsOf(r) });
  });
  app.openapi(getVersion, async (c) => {
    const p = c.req.valid("param");
    const q = c.req.valid("query");
    const s = await evalSetScope(data, c, p, q);
    const v = await data.itemVersions.version(s.userId, {
      ...s.target,
      itemId: p.item_id,
      ...selector(p.item_version_id, q.item_version),
    });
    return apiOk(c, { version: versionToWire(v) });
  });
  app.openapi(patchVersion, async (c) => {
    const p = c.req.valid("param");
    const b = c.req.valid("json");
    const s = await evalSetScope(data, c, p, b);
    await data.itemVersions.annotate(s.userId, {
      ...s.target,
      itemId: p.item_id,
      ...selector(p.item_version_id, b.item_version),
      status: b.status,
      description: b.description,
    });
    return apiOk(c);
  });
  app.openapi(getField, async (c) => {
    const p = c.req.valid("param");
    const q = c.req.valid("query");
    if (!q.field_key && !q.field_name) throw invalidParam("field_name", "is required");
    const s = await evalSetScope(data, c, p, q);
    const v = await data.itemVersions.revision(s.userId, { ...s.target, revisionId: p.item_pk });
    const field = q.field_key
      ? v.schema.fields.find((f) => f.key === q.field_key)
      : v.schema.fields.find((f) => f.name === q.field_name && f.status === FieldStatus.Available);
    if (!field) {
      throw new AppError(
        Codes.dataNotFound,
        `field ${JSON.stringify(q.field_key ?? q.field_name)} not found`,
      );
    }
    let values: FieldData[] = v.item.data ?? [];
    if (v.item.turns) {
      if (q.turn_id === undefined) {
        throw invalidParam("turn_id", "required: the item is multi-turn");
      }
      const turn = v.item.turns.find((t) => t.id === q.turn_id);
      if (!turn) throw new AppError(Codes.dataNotFound, `turn ${q.turn_id} not found`);
      values = turn.data;
    }
    const value = values.find((x) => x.key === field.key) ?? { key: field.key };
    return apiOk(c, {
      field_data: { key: field.key, name: field.name, content: contentToWire(value, field) },
    });
  });
  return app;
}
