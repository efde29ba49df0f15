/**
 * `/api/evaluation/v1/evaluation_sets`: evaluation sets (create with a schema or from a
 * template, list, get, update, delete), their schema, and versions (commit, list, get, batch get), over the data
 * domain: a set is a dataset of category Evaluation, so the data routes (an import, say) see
 * it too. A dataset of another category is not an evaluation set here ("not found").
 */
import { z } from "@hono/zod-openapi";
import type { DataServices } from "../../domains/data/mod.ts";
import { AppError, Codes } from "../../domains/errors.ts";
import { Category, type DatasetWithSchema } from "../../domains/data/types.ts";
import { evalSetFields } from "../../domains/data/eval_templates.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, int64, routeGroup } from "../_wire/routes.ts";
import { id64, jsonBody } from "../_wire/schemas.ts";
import { evalFieldFromWire, evalSetToWire, evalVersionToWire } from "../_wire/convert_eval_set.ts";
import { evalFieldIn, evalSetOut, evalVersionOut } from "./_schemas_eval_sets.ts";
import { idsIn, pagingIn } from "./_schemas_data.ts";
import { pageFieldsOf, pageRequestOf } from "../_wire/paging.ts";
import type { RouteApp } from "../_env.ts";

const tags = ["evaluation: evaluation sets"];
const base = "/api/evaluation/v1/evaluation_sets";
const setParam = z.object({ evaluation_set_id: id64 });
const wsQuery = z.object({ workspace_id: id64 });

/** The evaluation set `id` of the caller's workspace; not found for other categories. */
export async function evalSetOf(
  data: DataServices,
  userId: bigint,
  id: bigint,
  workspaceId: bigint,
): Promise<DatasetWithSchema> {
  const ds = await data.datasets.get(userId, id, { workspaceId });
  if (ds.dataset.category !== Category.Evaluation) {
    throw new AppError(Codes.dataNotFound, `evaluation set ${id} not found`);
  }
  return ds;
}

/** A request's evaluation set, checked as evalSetOf does. */
export interface EvalSetScope {
  /** The caller. */
  userId: bigint;
  /** The set as the data services' calls name it. */
  target: { datasetId: bigint; workspaceId: bigint };
  set: DatasetWithSchema;
}

/**
 * The evaluation set a request names (`evaluation_set_id` of its path, `workspace_id` of its
 * body or query), for the request's caller (see evalSetOf).
 */
export async function evalSetScope(
  data: DataServices,
  c: { get(k: "caller"): { userId: bigint } },
  path: { evaluation_set_id: bigint },
  request: { workspace_id: bigint },
): Promise<EvalSetScope> {
  const userId = c.get("caller").userId;
  const target = { datasetId: path.evaluation_set_id, workspaceId: request.workspace_id };
  const set = await evalSetOf(data, userId, target.datasetId, target.workspaceId);
  return { userId, target, set };
}

const create = apiRoute({
  method: "post",
  path: base,
  tags,
  summary: "Create an evaluation set with its schema, or a template's",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      name: z.string().min(1).max(255),
      description: z.string().max(2048).optional(),
      evaluation_set_schema: z.object({
        field_schemas: z.array(evalFieldIn).max(200).optional(),
      }).optional().openapi({ description: "required unless template_dataset_id is given" }),
      biz_category: z.string().max(128).optional(),
      template_dataset_id: id64.optional().openapi({
        description: "a template of templates/list: its fields, when no schema is given",
      }),
    })),
  },
}, { evaluation_set_id: int64 });
const list = apiRoute({
  method: "post",
  path: `${base}/list`,
  tags,
  summary: "Search, sort and page the workspace's evaluation sets",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      name: z.string().max(100).optional(),
      creators: z.array(z.string().max(32)).max(100).optional(),
      evaluation_set_ids: idsIn.optional(),
      ...pagingIn,
    })),
  },
}, { evaluation_sets: z.array(evalSetOut), total: int64, next_page_token: z.string() });
const get = apiRoute({
  method: "get",
  path: `${base}/{evaluation_set_id}`,
  tags,
  summary: "An evaluation set with its draft's schema",
  request: { params: setParam, query: wsQuery },
}, { evaluation_set: evalSetOut });
const update = apiRoute({
  method: "patch",
  path: `${base}/{evaluation_set_id}`,
  tags,
  summary: "Rename an evaluation set or change its description",
  request: {
    params: setParam,
    body: jsonBody(z.object({
      workspace_id: id64,
      name: z.string().max(255).optional(),
      description: z.string().max(2048).optional(),
    })),
  },
});
const remove = apiRoute({
  method: "delete",
  path: `${base}/{evaluation_set_id}`,
  tags,
  summary: "Delete an evaluation set (soft)",
  request: { params: setParam, query: wsQuery },
});
const putSchema = apiRoute({
  method: "put",
  path: `${base}/{evaluation_set_id}/schema`,
  tags,
  summary: "Replace the fields: no key adds one, fields left out become deleted",
  request: {
    params: setParam,
    body: jsonBody(z.object({
      workspace_id: id64,
      fields: z.array(evalFieldIn).min(1).max(200),
    })),
  },
});
const commit = apiRoute({
  method: "post",
  path: `${base}/{evaluation_set_id}/versions`,
  tags,
  summary: "Commit the draft as an immutable version (SemVer, above the latest)",
  request: {
    params: setParam,
    body: jsonBody(z.object({
      workspace_id: id64,
      version: z.string().min(1).max(50),
      desc: z.string().max(400).optional(),
    })),
  },
}, { id: int64 });
const listVersions = apiRoute({
  method: "post",
  path: `${base}/{evaluation_set_id}/versions/list`,
  tags,
  summary: "An evaluation set's versions, newest first",
  request: {
    params: setParam,
    body: jsonBody(z.object({
      workspace_id: id64,
      version_like: z.string().max(128).optional(),
      ...pagingIn,
    })),
  },
}, { versions: z.array(evalVersionOut), total: int64, next_page_token: z.string() });
const getVersion = apiRoute({
  method: "get",
  path: `${base}/{evaluation_set_id}/versions/{version_id}`,
  tags,
  summary: "A version with its evaluation set",
  request: {
    params: z.object({ evaluation_set_id: id64, version_id: id64 }),
    query: wsQuery,
  },
}, { version: evalVersionOut, evaluation_set: evalSetOut });
const batchGetVersions = apiRoute({
  method: "post",
  path: "/api/evaluation/v1/evaluation_set_versions/batch_get",
  tags,
  summary: "Versions by id, with their evaluation sets (missing ones left out)",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      version_ids: idsIn,
      deleted_at: z.boolean().optional(),
    })),
  },
}, {
  versioned_evaluation_sets: z.array(
    z.object({ version: evalVersionOut, evaluation_set: evalSetOut }),
  ),
});

/** The evaluation set routes (sets, schema, versions). */
export function evalSetRoutes(data: DataServices): RouteApp {
  const app = routeGroup();
  const user = (c: { get(k: "caller"): { userId: bigint } }) => c.get("caller").userId;
  app.openapi(create, async (c) => {
    const b = c.req.valid("json");
    const r = await data.datasets.create(user(c), {
      workspaceId: b.workspace_id,
      name: b.name,
      description: b.description,
      category: Category.Evaluation,
      bizCategory: b.biz_category,
      fields: evalSetFields({
        templateId: b.template_dataset_id,
        fields: b.evaluation_set_schema?.field_schemas?.map(evalFieldFromWire),
      }),
    });
    return apiOk(c, { evaluation_set_id: r.dataset.id });
  });
  app.openapi(list, async (c) => {
    const b = c.req.valid("json");
    const r = await data.datasets.list(user(c), {
      workspaceId: b.workspace_id,
      category: Category.Evaluation,
      ids: b.evaluation_set_ids,
      name: b.name,
      createdBys: b.creators,
      ...pageRequestOf(b),
    });
    return apiOk(c, { evaluation_sets: r.datasets.map(evalSetToWire), ...pageFieldsOf(r) });
  });
  app.openapi(get, async (c) => {
    const s = await evalSetScope(data, c, c.req.valid("param"), c.req.valid("query"));
    return apiOk(c, { evaluation_set: evalSetToWire(s.set) });
  });
  app.openapi(update, async (c) => {
    const b = c.req.valid("json");
    const s = await evalSetScope(data, c, c.req.valid("param"), b);
    await data.datasets.update(s.userId, s.target.datasetId, {
      workspaceId: b.workspace_id,
      name: b.name,
      description: b.description,
    });
    return apiOk(c);
  });
  app.openapi(remove, async (c) => {
    const s = await evalSetScope(data, c, c.req.valid("param"), c.req.valid("query"));
    await data.datasets.remove(s.userId, s.target.datasetId, s.target.workspaceId);
    return apiOk(c);
  });
  app.openapi(putSchema, async (c) => {
    const b = c.req.valid("json");
    const s = await evalSetScope(data, c, c.req.valid("param"), b);
    await data.datasets.updateSchema(s.userId, s.target.datasetId, {
      workspaceId: b.workspace_id,
      fields: b.fields.map(evalFieldFromWire),
    });
    return apiOk(c);
  });
  app.openapi(commit, async (c) => {
    const b = c.req.valid("json");
    const s = await evalSetScope(data, c, c.req.valid("param"), b);
    const v = await data.versions.commit(s.userId, {
      ...s.target,
      version: b.version,
      description: b.desc,
    });
    return apiOk(c, { id: v.id });
  });
  app.openapi(listVersions, async (c) => {
    const b = c.req.valid("json");
    const s = await evalSetScope(data, c, c.req.valid("param"), b);
    const r = await data.versions.list(s.userId, {
      ...s.target,
      versionLike: b.version_like,
      ...pageRequestOf(b),
    });
    return apiOk(c, { versions: r.versions.map((v) => evalVersionToWire(v)), ...pageFieldsOf(r) });
  });
  app.openapi(getVersion, async (c) => {
    const p = c.req.valid("param");
    const ws = c.req.valid("query").workspace_id;
    const r = await data.versions.get(user(c), p.version_id, { workspaceId: ws });
    if (
      r.version.datasetId !== p.evaluation_set_id ||
      r.dataset.dataset.category !== Category.Evaluation
    ) {
      throw new AppError(Codes.dataNotFound, `version ${p.version_id} not found`);
    }
    return apiOk(c, {
      version: evalVersionToWire(r.version, r.dataset.schema),
      evaluation_set: evalSetToWire(r.dataset),
    });
  });
  app.openapi(batchGetVersions, async (c) => {
    const b = c.req.valid("json");
    const r = await data.versions.batchGet(user(c), b.workspace_id, b.version_ids, b.deleted_at);
    return apiOk(c, {
      versioned_evaluation_sets: r.filter((x) => x.dataset.dataset.category === Category.Evaluation)
        .map((x) => ({
          version: evalVersionToWire(x.version, x.dataset.schema),
          evaluation_set: evalSetToWire(x.dataset),
        })),
    });
  });
  return app;
}
