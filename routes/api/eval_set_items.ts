/**
 * `/api/evaluation/v1/evaluation_sets/{evaluation_set_id}/items`: an evaluation set's items
 * as turns of `field_data_list` (batch create, update, batch delete, list, batch get of the
 * draft or a version, clear), over the data domain's items.
 */
import { z } from "@hono/zod-openapi";
import type { DataServices } from "../../domains/data/mod.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, int64, routeGroup } from "../_wire/routes.ts";
import { id64, jsonBody } from "../_wire/schemas.ts";
import { batchCreateToWire } from "../_wire/convert_data.ts";
import { evalItemFromWire, evalItemToWire } from "../_wire/convert_eval_set.ts";
import { evalItemIn, evalItemOut, turnsIn } from "./_schemas_eval_sets.ts";
import { batchCreateOptionsIn, batchCreateOut, idsIn, pagingIn } from "./_schemas_data.ts";
import { pageFieldsOf, pageRequestOf } from "../_wire/paging.ts";
import { evalSetOf } from "./eval_sets.ts";
import type { RouteApp } from "../_env.ts";

const tags = ["evaluation: evaluation set items"];
const base = "/api/evaluation/v1/evaluation_sets/{evaluation_set_id}/items";
const setParam = z.object({ evaluation_set_id: id64 });
const ws = { workspace_id: id64 };

const batchCreate = apiRoute({
  method: "post",
  path: `${base}/batch_create`,
  tags,
  summary: "Add up to 100 items: all or nothing, unless skip_invalid_items / allow_partial_add",
  request: {
    params: setParam,
    body: jsonBody(z.object({
      ...ws,
      items: z.array(evalItemIn).min(1).max(100),
      ...batchCreateOptionsIn,
    })),
  },
}, batchCreateOut);
const update = apiRoute({
  method: "put",
  path: `${base}/{item_id}`,
  tags,
  summary: "Replace an item's turns",
  request: {
    params: z.object({ evaluation_set_id: id64, item_id: id64 }),
    body: jsonBody(z.object({ ...ws, turns: turnsIn.optional() })),
  },
});
const batchDelete = apiRoute({
  method: "post",
  path: `${base}/batch_delete`,
  tags,
  summary: "Delete items from the draft (ids not in it are ignored)",
  request: { params: setParam, body: jsonBody(z.object({ ...ws, item_ids: idsIn.min(1) })) },
});
const list = apiRoute({
  method: "post",
  path: `${base}/list`,
  tags,
  summary: "Page through the draft's items, or a version's (version_id)",
  request: {
    params: setParam,
    body: jsonBody(z.object({
      ...ws,
      version_id: id64.optional(),
      ...pagingIn,
    })),
  },
}, { items: z.array(evalItemOut), total: int64, next_page_token: z.string() });
const batchGet = apiRoute({
  method: "post",
  path: `${base}/batch_get`,
  tags,
  summary: "Items by id, of the draft or a version (missing ones left out)",
  request: {
    params: setParam,
    body: jsonBody(z.object({ ...ws, version_id: id64.optional(), item_ids: idsIn })),
  },
}, { items: z.array(evalItemOut) });
const clear = apiRoute({
  method: "post",
  path: `${base}/clear`,
  tags,
  summary: "Empty the draft (versions keep their items)",
  request: { params: setParam, body: jsonBody(z.object(ws)) },
});

/** The evaluation set item routes. */
export function evalSetItemRoutes(data: DataServices): RouteApp {
  const app = routeGroup();
  app.openapi(batchCreate, async (c) => {
    const b = c.req.valid("json");
    const userId = c.get("caller").userId;
    const id = c.req.valid("param").evaluation_set_id;
    const ds = await evalSetOf(data, userId, id, b.workspace_id);
    const multi = ds.dataset.features.repeatedData;
    const r = await data.items.batchCreate(userId, {
      datasetId: id,
      workspaceId: b.workspace_id,
      items: b.items.map((i) => evalItemFromWire(i, multi)),
      skipInvalidItems: b.skip_invalid_items,
      allowPartialAdd: b.allow_partial_add,
    });
    return apiOk(c, batchCreateToWire(r));
  });
  app.openapi(update, async (c) => {
    const b = c.req.valid("json");
    const p = c.req.valid("param");
    const userId = c.get("caller").userId;
    const ds = await evalSetOf(data, userId, p.evaluation_set_id, b.workspace_id);
    await data.items.update(userId, {
      datasetId: p.evaluation_set_id,
      itemId: p.item_id,
      workspaceId: b.workspace_id,
      item: evalItemFromWire(b, ds.dataset.features.repeatedData),
    });
    return apiOk(c);
  });
  app.openapi(batchDelete, async (c) => {
    const b = c.req.valid("json");
    const userId = c.get("caller").userId;
    const id = c.req.valid("param").evaluation_set_id;
    await evalSetOf(data, userId, id, b.workspace_id);
    await data.items.remove(userId, {
      datasetId: id,
      workspaceId: b.workspace_id,
      itemIds: b.item_ids,
    });
    return apiOk(c);
  });
  app.openapi(list, async (c) => {
    const b = c.req.valid("json");
    const userId = c.get("caller").userId;
    const id = c.req.valid("param").evaluation_set_id;
    await evalSetOf(data, userId, id, b.workspace_id);
    const r = await data.items.list(userId, {
      datasetId: id,
      versionId: b.version_id,
      workspaceId: b.workspace_id,
      ...pageRequestOf(b),
    });
    return apiOk(c, {
      items: r.items.map((it) => evalItemToWire(it, r.schema)),
      ...pageFieldsOf(r),
    });
  });
  app.openapi(batchGet, async (c) => {
    const b = c.req.valid("json");
    const userId = c.get("caller").userId;
    const id = c.req.valid("param").evaluation_set_id;
    await evalSetOf(data, userId, id, b.workspace_id);
    const r = await data.items.batchGet(userId, {
      datasetId: id,
      versionId: b.version_id,
      workspaceId: b.workspace_id,
      itemIds: b.item_ids,
    });
    return apiOk(c, { items: r.items.map((it) => evalItemToWire(it, r.schema)) });
  });
  app.openapi(clear, async (c) => {
    const userId = c.get("caller").userId;
    const id = c.req.valid("param").evaluation_set_id;
    const w = c.req.valid("json").workspace_id;
    await evalSetOf(data, userId, id, w);
    await data.items.clear(userId, { datasetId: id, workspaceId: w });
    return apiOk(c);
  });
  return app;
}
