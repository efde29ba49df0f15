/**
 * `/api/evaluation/v1/evaluators`: create, list, get, batch get, check a name, update the
 * name and description, delete (web UI). Query-vs-body split as the IDL's annotations say.
 * Drafts, versions, runs and templates: evaluator_versions.ts.
 */
import { z } from "@hono/zod-openapi";
import type { EvaluatorService } from "../../domains/evaluation/evaluators.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, int64, routeGroup } from "../_wire/routes.ts";
import { id64, jsonBody } from "../_wire/schemas.ts";
import type { RouteApp } from "../_env.ts";
import {
  contentIn,
  evaluatorOut,
  evaluatorType,
  evaluatorView,
  queryBool,
} from "./_schemas_evaluation.ts";

const tags = ["evaluation"];
const base = "/api/evaluation/v1/evaluators";
const idParam = z.object({ evaluator_id: id64 });
const name = z.string().min(1).max(128);

const create = apiRoute({
  method: "post",
  path: base,
  tags,
  summary: "Create an evaluator: its first version (default 0.0.1) and its draft",
  request: {
    body: jsonBody(z.object({
      evaluator: z.object({
        workspace_id: id64,
        evaluator_type: evaluatorType,
        name,
        description: z.string().max(1024).optional(),
        current_version: z.object({
          version: z.string().max(64).optional(),
          description: z.string().max(1024).optional(),
          evaluator_content: contentIn,
        }),
      }),
      cid: z.string().max(128).optional(),
    })),
  },
}, { evaluator_id: int64 });
const list = apiRoute({
  method: "post",
  path: `${base}/list`,
  tags,
  summary: "Search and page the workspace's evaluators",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      search_name: z.string().max(128).optional(),
      creator_ids: z.array(z.string().regex(/^\d{1,19}$/)).max(100).optional(),
      evaluator_type: z.array(z.number().int()).max(10).optional(),
      with_version: z.boolean().optional(),
      builtin: z.boolean().optional(),
      page_size: z.number().int().min(1).max(200).optional(),
      page_number: z.number().int().min(1).max(100_000).optional(),
      order_bys: z.array(
        z.object({ field: z.string().max(64).optional(), is_asc: z.boolean().optional() }),
      )
        .max(5).optional(),
    })),
  },
}, { evaluators: z.array(evaluatorOut), total: int64 });
const batchGet = apiRoute({
  method: "post",
  path: `${base}/batch_get`,
  tags,
  summary: "Evaluators by id (with their drafts)",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      evaluator_ids: z.array(id64).max(200).optional(),
      include_deleted: z.boolean().optional(),
    })),
  },
}, { evaluators: z.array(evaluatorOut) });
const get = apiRoute({
  method: "get",
  path: `${base}/{evaluator_id}`,
  tags,
  summary: "An evaluator with its draft as current version",
  request: {
    params: idParam,
    query: z.object({ workspace_id: id64, include_deleted: queryBool.optional() }),
  },
}, { evaluator: evaluatorOut });
const update = apiRoute({
  method: "patch",
  path: `${base}/{evaluator_id}`,
  tags,
  summary: "Rename an evaluator or change its description",
  request: {
    params: idParam,
    body: jsonBody(z.object({
      workspace_id: id64,
      evaluator_type: evaluatorType,
      name: name.optional(),
      description: z.string().max(1024).optional(),
    })),
  },
});
const remove = apiRoute({
  method: "delete",
  path: `${base}/{evaluator_id}`,
  tags,
  summary: "Delete an evaluator (soft; its name becomes free)",
  request: { params: idParam, query: z.object({ workspace_id: id64 }) },
});
const checkName = apiRoute({
  method: "post",
  path: `${base}/check_name`,
  tags,
  summary: "Whether a name is free in the workspace",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      name,
      evaluator_id: id64.optional(),
    })),
  },
}, { pass: z.boolean(), message: z.string() });

/** The evaluator routes. */
export function evaluatorRoutes(evaluators: EvaluatorService): RouteApp {
  const app = routeGroup();
  app.openapi(create, async (c) => {
    const b = c.req.valid("json").evaluator;
    const e = await evaluators.create(c.get("caller").userId, {
      workspaceId: b.workspace_id,
      type: b.evaluator_type,
      name: b.name,
      description: b.description,
      content: b.current_version.evaluator_content,
      version: b.current_version.version,
      versionDescription: b.current_version.description,
    });
    return apiOk(c, { evaluator_id: e.id });
  });
  app.openapi(list, async (c) => {
    const b = c.req.valid("json");
    const r = await evaluators.list(c.get("caller").userId, {
      workspaceId: b.workspace_id,
      keyword: b.search_name,
      types: b.evaluator_type,
      creatorIds: b.creator_ids,
      builtin: b.builtin,
      pageSize: b.page_size,
      pageNumber: b.page_number,
      orderBy: b.order_bys?.[0] && { field: b.order_bys[0].field, asc: b.order_bys[0].is_asc },
    });
    return apiOk(c, {
      evaluators: r.evaluators.map((e) => evaluatorView(e)),
      total: String(r.total),
    });
  });
  app.openapi(batchGet, async (c) => {
    const b = c.req.valid("json");
    const views = await evaluators.batchGet(
      c.get("caller").userId,
      b.workspace_id,
      b.evaluator_ids ?? [],
      b.include_deleted,
    );
    return apiOk(c, { evaluators: views.map(evaluatorView) });
  });
  app.openapi(get, async (c) => {
    const q = c.req.valid("query");
    const v = await evaluators.get(
      c.get("caller").userId,
      q.workspace_id,
      c.req.valid("param").evaluator_id,
      q.include_deleted,
    );
    return apiOk(c, { evaluator: evaluatorView(v) });
  });
  app.openapi(update, async (c) => {
    const b = c.req.valid("json");
    await evaluators.updateMeta(
      c.get("caller").userId,
      b.workspace_id,
      c.req.valid("param").evaluator_id,
      {
        name: b.name,
        description: b.description,
      },
    );
    return apiOk(c);
  });
  app.openapi(remove, async (c) => {
    await evaluators.remove(
      c.get("caller").userId,
      c.req.valid("query").workspace_id,
      c.req.valid("param").evaluator_id,
    );
    return apiOk(c);
  });
  app.openapi(checkName, async (c) => {
    const b = c.req.valid("json");
    const r = await evaluators.checkName(
      c.get("caller").userId,
      b.workspace_id,
      b.name,
      b.evaluator_id,
    );
    return apiOk(c, r);
  });
  return app;
}
