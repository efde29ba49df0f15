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
import { idsIn, pagingIn } from "./_schemas_data.ts";
import { pageFieldsOf, pageRequestOf } from "../_wire/paging.ts";
import { evalSetScope } from "./eval_sets.ts";
import { itemsBatchCreateRoute } from "./_items_batch_create.ts";
import type { RouteApp } from "../_env.ts";

const tags = ["evaluation: evaluation set items"];
const base = "/api/evaluation/v1/evaluation_sets/{evaluation_set_id}/items";
const setParam = z.object({ evaluation_set_id: id64 });
const ws = { workspace_id: id64 };

const batchCreate = itemsBatchCreateRoute({
  base,
  tags,
  params: setParam,
  workspace: ws,
  item: evalItemIn,
});
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
    const s = await evalSetScope(data, c, c.req.valid("param"), b);
    const multi = s.set.dataset.features.repeatedData;
    const r = await data.items.batchCreate(s.userId, {
      ...s.target,
      items: b.items.map((i) => evalItemFromWire(i, multi)),
      skipInvalidItems: b.skip_invalid_items,
      allowPartialAdd: b.allow_partial_add,
    });
    return apiOk(c, batchCreateToWire(r));
  });
  app.openapi(update, async (c) => {
    const b = c.req.valid("json");
    const p = c.req.valid("param");
    const s = await evalSetScope(data, c, p, b);
    await data.items.update(s.userId, {
      ...s.target,
      itemId: p.item_id,
      item: evalItemFromWire(b, s.set.dataset.features.repeatedData),
    });
    return apiOk(c);
  });
  app.openapi(batchDelete, async (c) => {
    const b = c.req.valid("json");
    const s = await evalSetScope(data, c, c.req.valid("param"), b);
    await data.items.remove(s.userId, { ...s.target, itemIds: b.item_ids });
    return apiOk(c);
  });
  app.openapi(list, async (c) => {
    const b = c.req.valid("json");
    const s = await evalSetScope(data, c, c.req.valid("param"), b);
    const r = await data.items.list(s.userId, {
      ...s.target,
      versionId: b.version_id,
      ...pageRequestOf(b),
    });
    return apiOk(c, {
      items: r.items.map((it) => evalItemToWire(it, r.schema)),
      ...pageFieldsOf(r),
    });
  });
  app.openapi(batchGet, async (c) => {
    const b = c.req.valid("json");
    const s = await evalSetScope(data, c, c.req.valid("param"), b);
    const r = await data.items.batchGet(s.userId, {
      ...s.target,
      versionId: b.version_id,
      itemIds: b.item_ids,
    });
    return apiOk(c, { items: r.items.map((it) => evalItemToWire(it, r.schema)) });
  });
  app.openapi(clear, async (c) => {
    const s = await evalSetScope(data, c, c.req.valid("param"), c.req.valid("json"));
    await data.items.clear(s.userId, s.target);
    return apiOk(c);
  });
  return app;
}
