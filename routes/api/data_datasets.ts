/** `/api/data/v1/datasets`: create, list, get, batch get, update, delete; the schema. */
import { z } from "@hono/zod-openapi";
import type { DataServices } from "../../domains/data/mod.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, int64, routeGroup } from "../_wire/routes.ts";
import { id64, jsonBody } from "../_wire/schemas.ts";
import { datasetToWire, fieldFromWire, fieldToWire } from "../_wire/convert_data.ts";
import {
  boolIn,
  datasetOut,
  fieldSchemaIn,
  fieldSchemaOut,
  idsIn,
  multiModalSpecIn,
  pagingIn,
} from "./_schemas_data.ts";
import { pageFieldsOf, pageRequestOf } from "../_wire/paging.ts";
import type { RouteApp } from "../_env.ts";

const tags = ["data: datasets"];
const base = "/api/data/v1/datasets";
const idParam = z.object({ dataset_id: id64 });
const readQuery = z.object({ workspace_id: id64.optional(), with_deleted: boolIn.optional() });
const count = z.union([z.number().int().min(0), z.string().regex(/^\d{1,15}$/)]).transform(Number);

const create = apiRoute({
  method: "post",
  path: base,
  tags,
  summary: "Create a dataset (name unique per workspace and category) with its fields",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      name: z.string().min(1).max(255),
      description: z.string().max(2048).optional(),
      category: z.number().int().min(1).max(4).optional(),
      biz_category: z.string().max(128).optional(),
      fields: z.array(fieldSchemaIn).min(1).max(200),
      security_level: z.number().int().min(1).max(4).optional(),
      visibility: z.number().int().min(1).max(3).optional(),
      spec: z.object({
        max_item_count: count.optional(),
        max_field_count: z.number().int().min(0).optional(),
        max_item_size: count.optional(),
        multi_modal_spec: multiModalSpecIn.optional(),
      }).optional(),
      features: z.object({
        editSchema: z.boolean().optional(),
        repeatedData: z.boolean().optional(),
        multiModal: z.boolean().optional(),
      }).optional(),
    })),
  },
}, { dataset_id: int64 });
const list = apiRoute({
  method: "post",
  path: `${base}/list`,
  tags,
  summary: "Search, sort and page the workspace's datasets",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      dataset_ids: idsIn.optional(),
      category: z.number().int().min(1).max(4).optional(),
      name: z.string().max(255).optional(),
      created_bys: z.array(z.string().max(32)).max(100).optional(),
      biz_categorys: z.array(z.string().max(128)).max(100).optional(),
      ...pagingIn,
    })),
  },
}, { datasets: z.array(datasetOut), next_page_token: z.string(), total: int64 });
const get = apiRoute({
  method: "get",
  path: `${base}/{dataset_id}`,
  tags,
  summary: "A dataset with its current schema",
  request: { params: idParam, query: readQuery },
}, { dataset: datasetOut });
const batchGet = apiRoute({
  method: "post",
  path: `${base}/batch_get`,
  tags,
  summary: "Datasets by id (missing ones left out)",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      dataset_ids: idsIn,
      with_deleted: z.boolean().optional(),
    })),
  },
}, { datasets: z.array(datasetOut) });
const update = apiRoute({
  method: "patch",
  path: `${base}/{dataset_id}`,
  tags,
  summary: "Rename a dataset or change its description",
  request: {
    params: idParam,
    body: jsonBody(z.object({
      workspace_id: id64.optional(),
      name: z.string().max(255).optional(),
      description: z.string().max(2048).optional(),
    })),
  },
});
const remove = apiRoute({
  method: "delete",
  path: `${base}/{dataset_id}`,
  tags,
  summary: "Delete a dataset (soft: its name becomes free, its versions stay readable)",
  request: { params: idParam, query: z.object({ workspace_id: id64.optional() }) },
});
const getSchema = apiRoute({
  method: "get",
  path: `${base}/{dataset_id}/schema`,
  tags,
  summary: "The dataset's current fields (deleted ones with with_deleted)",
  request: { params: idParam, query: readQuery },
}, { fields: z.array(fieldSchemaOut) });
const putSchema = apiRoute({
  method: "put",
  path: `${base}/{dataset_id}/schema`,
  tags,
  summary: "Replace the fields: no key adds one, fields left out become deleted",
  request: {
    params: idParam,
    body: jsonBody(z.object({
      workspace_id: id64.optional(),
      fields: z.array(fieldSchemaIn).min(1).max(200),
    })),
  },
});

/** The dataset routes. */
export function dataDatasetRoutes(data: DataServices): RouteApp {
  const app = routeGroup();
  app.openapi(create, async (c) => {
    const b = c.req.valid("json");
    const r = await data.datasets.create(c.get("caller").userId, {
      workspaceId: b.workspace_id,
      name: b.name,
      description: b.description,
      category: b.category,
      bizCategory: b.biz_category,
      fields: b.fields.map(fieldFromWire),
      securityLevel: b.security_level,
      visibility: b.visibility,
      spec: b.spec && {
        maxItemCount: b.spec.max_item_count,
        maxFieldCount: b.spec.max_field_count,
        maxItemSize: b.spec.max_item_size,
      },
      features: b.features,
    });
    return apiOk(c, { dataset_id: r.dataset.id });
  });
  app.openapi(list, async (c) => {
    const b = c.req.valid("json");
    const r = await data.datasets.list(c.get("caller").userId, {
      workspaceId: b.workspace_id,
      ids: b.dataset_ids,
      category: b.category,
      name: b.name,
      createdBys: b.created_bys,
      bizCategories: b.biz_categorys,
      ...pageRequestOf(b),
    });
    return apiOk(c, { datasets: r.datasets.map(datasetToWire), ...pageFieldsOf(r) });
  });
  app.openapi(get, async (c) => {
    const q = c.req.valid("query");
    const r = await data.datasets.get(c.get("caller").userId, c.req.valid("param").dataset_id, {
      workspaceId: q.workspace_id,
      withDeleted: q.with_deleted,
    });
    return apiOk(c, { dataset: datasetToWire(r) });
  });
  app.openapi(batchGet, async (c) => {
    const b = c.req.valid("json");
    const r = await data.datasets.batchGet(
      c.get("caller").userId,
      b.workspace_id,
      b.dataset_ids,
      b.with_deleted,
    );
    return apiOk(c, { datasets: r.map(datasetToWire) });
  });
  app.openapi(update, async (c) => {
    const b = c.req.valid("json");
    await data.datasets.update(c.get("caller").userId, c.req.valid("param").dataset_id, {
      workspaceId: b.workspace_id,
      name: b.name,
      description: b.description,
    });
    return apiOk(c);
  });
  app.openapi(remove, async (c) => {
    const id = c.req.valid("param").dataset_id;
    await data.datasets.remove(c.get("caller").userId, id, c.req.valid("query").workspace_id);
    return apiOk(c);
  });
  app.openapi(getSchema, async (c) => {
    const q = c.req.valid("query");
    const fields = await data.datasets.schema(
      c.get("caller").userId,
      c.req.valid("param").dataset_id,
      { workspaceId: q.workspace_id, withDeleted: q.with_deleted },
    );
    return apiOk(c, { fields: fields.map(fieldToWire) });
  });
  app.openapi(putSchema, async (c) => {
    const b = c.req.valid("json");
    await data.datasets.updateSchema(c.get("caller").userId, c.req.valid("param").dataset_id, {
      workspaceId: b.workspace_id,
      fields: b.fields.map(fieldFromWire),
    });
    return apiOk(c);
  });
  return app;
}
