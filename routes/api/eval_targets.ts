/**
 * `/api/evaluation/v1/eval_targets...` and `eval_target_versions...`: evaluation targets
 * (committed prompt versions) for the web UI: create, by source, versions by id, the sources a
 * target can be made of (prompts, their commits), and running a version on sample input.
 * Query-vs-body split as the IDL's annotations say (only the GETs take a query).
 */
import { z } from "@hono/zod-openapi";
import type { TargetService } from "../../domains/evaluation/targets.ts";
import type { Content } from "../../domains/evaluation/types.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, int64, routeGroup } from "../_wire/routes.ts";
import { id64, jsonBody, pageSize } from "../_wire/schemas.ts";
import type { RouteApp } from "../_env.ts";
import {
  inputDataIn,
  recordOut,
  recordView,
  sharedOptionIn,
  sourceIdIn,
  targetOut,
  targetTypeIn,
  targetTypeQuery,
  targetView,
  versionOut,
  versionView,
} from "./_schemas_eval_targets.ts";

const tags = ["evaluation: targets"];
const T = "/api/evaluation/v1/eval_targets";
const V = "/api/evaluation/v1/eval_target_versions";
const sourceIds = z.array(sourceIdIn).max(100);
const pageToken = z.string().max(32);

const create = apiRoute({
  method: "post",
  path: T,
  tags,
  summary: "Create (or find) the target and version of a committed prompt version",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      param: z.object({
        source_target_id: sourceIdIn.optional(),
        source_target_version: z.string().max(128).optional(),
        eval_target_type: targetTypeIn.optional(),
        bot_info_type: z.number().int().optional(),
        bot_publish_version: z.string().max(128).optional(),
        region: z.string().max(32).optional(),
        env: z.string().max(128).optional(),
      }),
    })),
  },
}, { id: int64, version_id: int64 });
const batchGetBySource = apiRoute({
  method: "post",
  path: `${T}/batch_get_by_source`,
  tags,
  summary: "The workspace's targets of the given prompts",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      source_target_ids: sourceIds.optional(),
      eval_target_type: targetTypeIn.optional(),
      need_source_info: z.boolean().optional(),
    })),
  },
}, { eval_targets: z.array(targetOut) });
const getVersion = apiRoute({
  method: "get",
  path: `${V}/{eval_target_version_id}`,
  tags,
  summary: "A target with one of its versions",
  request: {
    params: z.object({ eval_target_version_id: id64 }),
    query: z.object({ workspace_id: id64, shared_option: z.string().max(256).optional() }),
  },
}, { eval_target: targetOut });
const batchGetVersions = apiRoute({
  method: "post",
  path: `${V}/batch_get`,
  tags,
  summary: "Targets with their versions, by version id",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      eval_target_version_ids: z.array(id64).max(200).optional(),
      need_source_info: z.boolean().optional(),
    })),
  },
}, { eval_targets: z.array(targetOut) });
const paged = {
  next_page_token: z.string(),
  has_more: z.boolean(),
};
const listSource = apiRoute({
  method: "post",
  path: `${T}/list_source`,
  tags,
  summary: "The workspace's prompts a target can be made of (name or key search, paged)",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      target_type: targetTypeIn.optional(),
      name: z.string().min(1).max(128).optional(),
      shared_option: sharedOptionIn.optional(),
      page_size: pageSize.optional(),
      page_token: pageToken.optional(),
    })),
  },
}, { eval_targets: z.array(targetOut), ...paged });
const listSourceVersion = apiRoute({
  method: "post",
  path: `${T}/list_source_version`,
  tags,
  summary: "A prompt's committed versions, newest first",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      source_target_id: sourceIdIn,
      target_type: targetTypeIn.optional(),
      shared_option: sharedOptionIn.optional(),
      page_size: pageSize.optional(),
      page_token: pageToken.optional(),
    })),
  },
}, { versions: z.array(versionOut), ...paged });
const batchGetSource = apiRoute({
  method: "post",
  path: `${T}/batch_get_source`,
  tags,
  summary: "Prompts by id, as target sources (unknown ones are left out)",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      source_target_ids: sourceIds.optional(),
      target_type: targetTypeIn.optional(),
    })),
  },
}, { eval_targets: z.array(targetOut) });
const getSourceVersion = apiRoute({
  method: "get",
  path: `${T}/get_source_version`,
  tags,
  summary: "What a target of a committed prompt version would be (latest when no version)",
  request: {
    query: z.object({
      workspace_id: id64,
      source_target_id: sourceIdIn.optional(),
      source_target_version: z.string().max(128).optional(),
      target_type: targetTypeQuery.optional(),
      shared_option: z.string().max(256).optional(),
    }),
  },
}, { eval_target_version: versionOut });
const execute = apiRoute({
  method: "post",
  path: `${T}/{eval_target_id}/versions/{eval_target_version_id}/execute`,
  tags,
  summary: "Run a target version on input fields (prompt variables by key); not stored",
  request: {
    params: z.object({ eval_target_id: id64, eval_target_version_id: id64 }),
    body: jsonBody(z.object({
      workspace_id: id64,
      input_data: inputDataIn,
      experiment_run_id: id64.optional(),
      eval_target: z.unknown().optional(),
    })),
  },
}, { eval_target_record: recordOut });

/** The evaluation target routes. */
export function evalTargetRoutes(targets: TargetService): RouteApp {
  const app = routeGroup();
  app.openapi(create, async (c) => {
    const b = c.req.valid("json");
    const r = await targets.create(c.get("caller").userId, b.workspace_id, {
      targetType: b.param.eval_target_type,
      sourceTargetId: b.param.source_target_id,
      sourceTargetVersion: b.param.source_target_version,
    });
    return apiOk(c, { id: r.id, version_id: r.versionId });
  });
  app.openapi(batchGetBySource, async (c) => {
    const b = c.req.valid("json");
    const views = await targets.batchGetBySource(c.get("caller").userId, b.workspace_id, {
      sourceTargetIds: b.source_target_ids ?? [],
      targetType: b.eval_target_type,
      needSourceInfo: b.need_source_info,
    });
    return apiOk(c, { eval_targets: views.map(targetView) });
  });
  app.openapi(getVersion, async (c) => {
    const view = await targets.getVersion(
      c.get("caller").userId,
      c.req.valid("query").workspace_id,
      c.req.valid("param").eval_target_version_id,
    );
    return apiOk(c, { eval_target: targetView(view) });
  });
  app.openapi(batchGetVersions, async (c) => {
    const b = c.req.valid("json");
    const views = await targets.batchGetVersions(
      c.get("caller").userId,
      b.workspace_id,
      b.eval_target_version_ids ?? [],
      b.need_source_info,
    );
    return apiOk(c, { eval_targets: views.map(targetView) });
  });
  app.openapi(listSource, async (c) => {
    const b = c.req.valid("json");
    const page = await targets.listSource(c.get("caller").userId, b.workspace_id, {
      targetType: b.target_type,
      name: b.name,
      pageSize: b.page_size,
      pageToken: b.page_token,
    });
    return apiOk(c, {
      eval_targets: page.items.map(targetView),
      next_page_token: page.nextPageToken,
      has_more: page.hasMore,
    });
  });
  app.openapi(listSourceVersion, async (c) => {
    const b = c.req.valid("json");
    const page = await targets.listSourceVersions(c.get("caller").userId, b.workspace_id, {
      sourceTargetId: b.source_target_id,
      targetType: b.target_type,
      pageSize: b.page_size,
      pageToken: b.page_token,
    });
    return apiOk(c, {
      versions: page.items.map(versionView),
      next_page_token: page.nextPageToken,
      has_more: page.hasMore,
    });
  });
  app.openapi(batchGetSource, async (c) => {
    const b = c.req.valid("json");
    const views = await targets.batchGetSource(c.get("caller").userId, b.workspace_id, {
      sourceTargetIds: b.source_target_ids ?? [],
      targetType: b.target_type,
    });
    return apiOk(c, { eval_targets: views.map(targetView) });
  });
  app.openapi(getSourceVersion, async (c) => {
    const q = c.req.valid("query");
    const v = await targets.getSourceVersion(c.get("caller").userId, q.workspace_id, {
      sourceTargetId: q.source_target_id,
      sourceTargetVersion: q.source_target_version,
      targetType: q.target_type,
    });
    return apiOk(c, { eval_target_version: versionView(v) });
  });
  app.openapi(execute, async (c) => {
    const b = c.req.valid("json");
    const p = c.req.valid("param");
    const userId = c.get("caller").userId;
    const r = await targets.execute(userId, b.workspace_id, {
      targetId: p.eval_target_id,
      versionId: p.eval_target_version_id,
      inputFields: (b.input_data.input_fields ?? {}) as Record<string, Content>,
      historyMessages: b.input_data.history_messages,
      runtimeParam: b.input_data.ext?.builtin_runtime_param,
      signal: c.req.raw.signal,
    });
    return apiOk(c, {
      eval_target_record: recordView(r.version, b.input_data, r.output, {
        experimentRunId: b.experiment_run_id,
        userId,
      }),
    });
  });
  return app;
}
