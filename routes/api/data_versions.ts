/**
 * Dataset versions: commit the draft (`/datasets/{id}/versions`), list a dataset's versions,
 * get and batch get versions (`/dataset_versions/...`), and read a version's items.
 */
import { z } from "@hono/zod-openapi";
import type { DataServices } from "../../domains/data/mod.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, int64, routeGroup } from "../_wire/routes.ts";
import { id64, jsonBody } from "../_wire/schemas.ts";
import { datasetToWire, itemTargetOf, itemToWire, versionToWire } from "../_wire/convert_data.ts";
import { boolIn, datasetOut, idsIn, itemOut, pagingIn, versionOut } from "./_schemas_data.ts";
import { pageFieldsOf, pageRequestOf } from "../_wire/paging.ts";
import type { RouteApp } from "../_env.ts";

const tags = ["data: versions"];
const datasetBase = "/api/data/v1/datasets/{dataset_id}/versions";
const ws = { workspace_id: id64.optional() };
const versionItemsParam = z.object({ dataset_id: id64, version_id: id64 });
const versionedOut = z.object({ version: versionOut, dataset: datasetOut });

const commit = apiRoute({
  method: "post",
  path: datasetBase,
  tags,
  summary: "Commit the draft as an immutable version (SemVer, above the latest)",
  request: {
    params: z.object({ dataset_id: id64 }),
    body: jsonBody(z.object({
      ...ws,
      version: z.string().min(1).max(128),
      desc: z.string().max(2048).optional(),
    })),
  },
}, { id: int64 });
const list = apiRoute({
  method: "post",
  path: `${datasetBase}/list`,
  tags,
  summary: "A dataset's versions, newest first",
  request: {
    params: z.object({ dataset_id: id64 }),
    body: jsonBody(z.object({ ...ws, version_like: z.string().max(128).optional(), ...pagingIn })),
  },
}, { versions: z.array(versionOut), next_page_token: z.string(), total: int64 });
const get = apiRoute({
  method: "get",
  path: "/api/data/v1/dataset_versions/{version_id}",
  tags,
  summary: "A version with its dataset (as described by the version's schema)",
  request: {
    params: z.object({ version_id: id64 }),
    query: z.object({ ...ws, with_deleted: boolIn.optional() }),
  },
}, { version: versionOut, dataset: datasetOut });
const batchGet = apiRoute({
  method: "post",
  path: "/api/data/v1/dataset_versions/batch_get",
  tags,
  summary: "Versions by id, with their datasets (missing ones left out)",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      version_ids: idsIn,
      with_deleted: z.boolean().optional(),
    })),
  },
}, { versioned_dataset: z.array(versionedOut) });
const listItems = apiRoute({
  method: "post",
  path: `${datasetBase}/{version_id}/items/list`,
  tags,
  summary: "Page through a version's items, exactly as committed",
  request: { params: versionItemsParam, body: jsonBody(z.object({ ...ws, ...pagingIn })) },
}, { items: z.array(itemOut), next_page_token: z.string(), total: int64 });
const batchGetItems = apiRoute({
  method: "post",
  path: `${datasetBase}/{version_id}/items/batch_get`,
  tags,
  summary: "A version's items by id",
  request: { params: versionItemsParam, body: jsonBody(z.object({ ...ws, item_ids: idsIn })) },
}, { items: z.array(itemOut) });

/** The version routes. */
export function dataVersionRoutes(data: DataServices): RouteApp {
  const app = routeGroup();
  app.openapi(commit, async (c) => {
    const b = c.req.valid("json");
    const v = await data.versions.commit(c.get("caller").userId, {
      workspaceId: b.workspace_id,
      datasetId: c.req.valid("param").dataset_id,
      version: b.version,
      description: b.desc,
    });
    return apiOk(c, { id: v.id });
  });
  app.openapi(list, async (c) => {
    const b = c.req.valid("json");
    const r = await data.versions.list(c.get("caller").userId, {
      workspaceId: b.workspace_id,
      datasetId: c.req.valid("param").dataset_id,
      versionLike: b.version_like,
      ...pageRequestOf(b),
    });
    return apiOk(c, { versions: r.versions.map(versionToWire), ...pageFieldsOf(r) });
  });
  app.openapi(get, async (c) => {
    const q = c.req.valid("query");
    const r = await data.versions.get(c.get("caller").userId, c.req.valid("param").version_id, {
      workspaceId: q.workspace_id,
      withDeleted: q.with_deleted,
    });
    return apiOk(c, { version: versionToWire(r.version), dataset: datasetToWire(r.dataset) });
  });
  app.openapi(batchGet, async (c) => {
    const b = c.req.valid("json");
    const r = await data.versions.batchGet(
      c.get("caller").userId,
      b.workspace_id,
      b.version_ids,
      b.with_deleted,
    );
    return apiOk(c, {
      versioned_dataset: r.map((x) => ({
        version: versionToWire(x.version),
        dataset: datasetToWire(x.dataset),
      })),
    });
  });
  app.openapi(listItems, async (c) => {
    const b = c.req.valid("json");
    const p = c.req.valid("param");
    const r = await data.items.list(c.get("caller").userId, {
      ...itemTargetOf(p, b),
      ...pageRequestOf(b),
    });
    return apiOk(c, { items: r.items.map((it) => itemToWire(it, r.schema)), ...pageFieldsOf(r) });
  });
  app.openapi(batchGetItems, async (c) => {
    const b = c.req.valid("json");
    const p = c.req.valid("param");
    const r = await data.items.batchGet(c.get("caller").userId, {
      ...itemTargetOf(p, b),
      itemIds: b.item_ids,
    });
    return apiOk(c, { items: r.items.map((it) => itemToWire(it, r.schema)) });
  });
  return app;
}
