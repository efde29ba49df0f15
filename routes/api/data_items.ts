/**
 * `/api/data/v1/datasets/{dataset_id}/items`: the draft's items (batch create, update,
 * delete, batch delete, clear, list, get, batch get).
 */
import { z } from "@hono/zod-openapi";
import type { DataServices } from "../../domains/data/mod.ts";
import { AppError, Codes } from "../../domains/errors.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, int64, routeGroup } from "../_wire/routes.ts";
import { id64, jsonBody } from "../_wire/schemas.ts";
import {
  batchCreateToWire,
  itemFromWire,
  itemTargetOf,
  itemToWire,
} from "../_wire/convert_data.ts";
import { fieldDataIn, idsIn, itemIn, itemOut, pagingIn } from "./_schemas_data.ts";
import { pageFieldsOf, pageRequestOf } from "../_wire/paging.ts";
import { itemsBatchCreateRoute } from "./_items_batch_create.ts";
import type { RouteApp } from "../_env.ts";

const tags = ["data: items"];
const base = "/api/data/v1/datasets/{dataset_id}/items";
const idParam = z.object({ dataset_id: id64 });
const itemParam = z.object({ dataset_id: id64, item_id: id64 });
const ws = { workspace_id: id64.optional() };

const batchCreate = itemsBatchCreateRoute({
  base,
  tags,
  params: idParam,
  workspace: ws,
  item: itemIn,
});
const update = apiRoute({
  method: "put",
  path: `${base}/{item_id}`,
  tags,
  summary: "Replace an item's values",
  request: {
    params: itemParam,
    body: jsonBody(z.object({
      ...ws,
      data: z.array(fieldDataIn).max(200).optional(),
      repeated_data: itemIn.shape.repeated_data,
    })),
  },
});
const remove = apiRoute({
  method: "delete",
  path: `${base}/{item_id}`,
  tags,
  summary: "Delete an item from the draft",
  request: { params: itemParam, query: z.object(ws) },
});
const batchRemove = apiRoute({
  method: "post",
  path: `${base}/batch_delete`,
  tags,
  summary: "Delete items from the draft (ids not in it are ignored)",
  request: {
    params: idParam,
    body: jsonBody(z.object({ ...ws, item_ids: idsIn.min(1) })),
  },
});
const clear = apiRoute({
  method: "post",
  path: `${base}/clear`,
  tags,
  summary: "Empty the draft (versions keep their items)",
  request: { params: idParam, body: jsonBody(z.object(ws)) },
});
const list = apiRoute({
  method: "post",
  path: `${base}/list`,
  tags,
  summary: "Page through the draft's items (order by created_at or updated_at)",
  request: { params: idParam, body: jsonBody(z.object({ ...ws, ...pagingIn })) },
}, { items: z.array(itemOut), next_page_token: z.string(), total: int64 });
const get = apiRoute({
  method: "get",
  path: `${base}/{item_id}`,
  tags,
  summary: "One item of the draft",
  request: { params: itemParam, query: z.object(ws) },
}, { item: itemOut });
const batchGet = apiRoute({
  method: "post",
  path: `${base}/batch_get`,
  tags,
  summary: "Items of the draft by id (missing ones left out)",
  request: { params: idParam, body: jsonBody(z.object({ ...ws, item_ids: idsIn })) },
}, { items: z.array(itemOut) });

/** The item routes. */
export function dataItemRoutes(data: DataServices): RouteApp {
  const app = routeGroup();
  app.openapi(batchCreate, async (c) => {
    const b = c.req.valid("json");
    const r = await data.items.batchCreate(c.get("caller").userId, {
      ...itemTargetOf(c.req.valid("param"), b),
      items: b.items.map(itemFromWire),
      skipInvalidItems: b.skip_invalid_items,
      allowPartialAdd: b.allow_partial_add,
    });
    return apiOk(c, batchCreateToWire(r));
  });
  app.openapi(update, async (c) => {
    const b = c.req.valid("json");
    const p = c.req.valid("param");
    await data.items.update(c.get("caller").userId, {
      ...itemTargetOf(p, b),
      itemId: p.item_id,
      item: itemFromWire(b),
    });
    return apiOk(c);
  });
  app.openapi(remove, async (c) => {
    const p = c.req.valid("param");
    await data.items.remove(c.get("caller").userId, {
      ...itemTargetOf(p, c.req.valid("query")),
      itemIds: [p.item_id],
      mustExist: true,
    });
    return apiOk(c);
  });
  app.openapi(batchRemove, async (c) => {
    const b = c.req.valid("json");
    await data.items.remove(c.get("caller").userId, {
      ...itemTargetOf(c.req.valid("param"), b),
      itemIds: b.item_ids,
    });
    return apiOk(c);
  });
  app.openapi(clear, async (c) => {
    await data.items.clear(c.get("caller").userId, {
      ...itemTargetOf(c.req.valid("param"), c.req.valid("json")),
    });
    return apiOk(c);
  });
  app.openapi(list, async (c) => {
    const b = c.req.valid("json");
    const r = await data.items.list(c.get("caller").userId, {
      ...itemTargetOf(c.req.valid("param"), b),
      ...pageRequestOf(b),
    });
    return apiOk(c, { items: r.items.map((it) => itemToWire(it, r.schema)), ...pageFieldsOf(r) });
  });
  app.openapi(get, async (c) => {
    const p = c.req.valid("param");
    const r = await data.items.batchGet(c.get("caller").userId, {
      ...itemTargetOf(p, c.req.valid("query")),
      itemIds: [p.item_id],
    });
    if (!r.items.length) {
      throw new AppError(Codes.dataNotFound, `item ${p.item_id} not found in the draft`);
    }
    return apiOk(c, { item: itemToWire(r.items[0], r.schema) });
  });
  app.openapi(batchGet, async (c) => {
    const b = c.req.valid("json");
    const r = await data.items.batchGet(c.get("caller").userId, {
      ...itemTargetOf(c.req.valid("param"), b),
      itemIds: b.item_ids,
    });
    return apiOk(c, { items: r.items.map((it) => itemToWire(it, r.schema)) });
  });
  return app;
}
