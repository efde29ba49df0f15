/** `/api/prompt/v1/prompts`: create, list, get, update, delete and clone prompts (web UI). */
import { z } from "@hono/zod-openapi";
import type { PromptService } from "../../domains/prompt/prompts.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, int64, routeGroup } from "../_wire/routes.ts";
import { promptOut } from "./_schemas_prompt.ts";
import { id64, jsonBody, pageNumber, pageSize } from "../_wire/schemas.ts";
import { promptView } from "../_wire/convert_prompt.ts";
import type { RouteApp } from "../_env.ts";

const tags = ["prompt"];
const base = "/api/prompt/v1/prompts";
const idParam = z.object({ prompt_id: id64 });
// Documented as the domain checks it (its message names the rule).
const promptKey = z.string().min(1).max(128).openapi({ pattern: "^[A-Za-z0-9_.\\-]{1,128}$" });
const bool = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);

const create = apiRoute({
  method: "post",
  path: base,
  tags,
  summary: "Create a prompt (unique key per workspace), optionally with a draft",
  request: {
    body: jsonBody(
      z.object({
        workspace_id: id64,
        prompt_name: z.string().min(1).max(128),
        prompt_key: promptKey,
        prompt_description: z.string().max(1024).optional(),
        prompt_type: z.enum(["normal", "snippet"]).optional(),
        security_level: z.enum(["L1", "L2", "L3", "L4"]).optional(),
        draft_detail: z.unknown().optional(),
      }).strict(),
    ),
  },
}, { prompt_id: int64 });
const list = apiRoute({
  method: "post",
  path: `${base}/list`,
  tags,
  summary: "Search, page and sort the workspace's prompts",
  request: {
    body: jsonBody(
      z.object({
        workspace_id: id64,
        key_word: z.string().max(128).optional(),
        created_bys: z.array(z.string().max(32)).max(100).optional(),
        committed_only: z.boolean().optional(),
        filter_prompt_types: z.array(z.string()).optional(),
        page_num: pageNumber.optional(),
        page_size: pageSize.optional(),
        order_by: z.enum(["created_at", "committed_at"]).optional(),
        asc: z.boolean().optional(),
      }).strict(),
    ),
  },
}, { prompts: z.array(promptOut), total: z.number().int() });
const get = apiRoute({
  method: "get",
  path: `${base}/{prompt_id}`,
  tags,
  summary: "A prompt with the caller's draft and/or a commit",
  request: {
    params: idParam,
    query: z.object({
      workspace_id: id64.optional(),
      with_commit: bool.optional(),
      commit_version: z.string().max(64).optional(),
      with_draft: bool.optional(),
      with_default_config: bool.optional(),
      expand_snippet: bool.optional(),
    }).strict(),
  },
}, { prompt: promptOut });
const update = apiRoute({
  method: "put",
  path: `${base}/{prompt_id}`,
  tags,
  summary: "Update a prompt's name, description or security level",
  request: {
    params: idParam,
    body: jsonBody(
      z.object({
        prompt_id: z.unknown().optional(),
        prompt_name: z.string().min(1).max(128).optional(),
        prompt_description: z.string().max(1024).optional(),
        security_level: z.enum(["L1", "L2", "L3", "L4"]).optional(),
        downgrade_reason: z.string().max(1024).optional(),
      }).strict(),
    ),
  },
});
const remove = apiRoute({
  method: "delete",
  path: `${base}/{prompt_id}`,
  tags,
  summary: "Delete a prompt (soft; its key becomes free)",
  request: { params: idParam },
});
const clone = apiRoute({
  method: "post",
  path: `${base}/{prompt_id}/clone`,
  tags,
  summary: "Copy a version into a new prompt's draft",
  request: {
    params: idParam,
    body: jsonBody(
      z.object({
        prompt_id: z.unknown().optional(),
        commit_version: z.string().min(1).max(64),
        cloned_prompt_name: z.string().min(1).max(128),
        cloned_prompt_key: promptKey,
        cloned_prompt_description: z.string().max(1024).optional(),
      }).strict(),
    ),
  },
}, { cloned_prompt_id: int64 });

/** The prompt routes. */
export function promptRoutes(prompts: PromptService): RouteApp {
  const app = routeGroup();
  app.openapi(create, async (c) => {
    const b = c.req.valid("json");
    const p = await prompts.create(c.get("caller").userId, {
      workspaceId: b.workspace_id,
      promptKey: b.prompt_key,
      name: b.prompt_name,
      description: b.prompt_description,
      promptType: b.prompt_type,
      securityLevel: b.security_level,
      draftDetail: b.draft_detail,
    });
    return apiOk(c, { prompt_id: p.id });
  });
  app.openapi(list, async (c) => {
    const b = c.req.valid("json");
    const r = await prompts.list(c.get("caller").userId, {
      workspaceId: b.workspace_id,
      keyword: b.key_word,
      createdBys: b.created_bys,
      committedOnly: b.committed_only,
      pageNum: b.page_num,
      pageSize: b.page_size,
      orderBy: b.order_by,
      asc: b.asc,
    });
    return apiOk(c, { prompts: r.prompts.map((p) => promptView(p)), total: r.total });
  });
  app.openapi(get, async (c) => {
    const q = c.req.valid("query");
    const v = await prompts.get(c.get("caller").userId, c.req.valid("param").prompt_id, {
      workspaceId: q.workspace_id,
      withDraft: q.with_draft,
      withCommit: q.with_commit,
      commitVersion: q.commit_version,
    });
    return apiOk(c, { prompt: promptView(v.prompt, v.draft, v.commit) });
  });
  app.openapi(update, async (c) => {
    const b = c.req.valid("json");
    await prompts.update(c.get("caller").userId, c.req.valid("param").prompt_id, {
      name: b.prompt_name,
      description: b.prompt_description,
      securityLevel: b.security_level,
    });
    return apiOk(c);
  });
  app.openapi(remove, async (c) => {
    await prompts.remove(c.get("caller").userId, c.req.valid("param").prompt_id);
    return apiOk(c);
  });
  app.openapi(clone, async (c) => {
    const b = c.req.valid("json");
    const p = await prompts.clone(c.get("caller").userId, c.req.valid("param").prompt_id, {
      commitVersion: b.commit_version,
      promptKey: b.cloned_prompt_key,
      name: b.cloned_prompt_name,
      description: b.cloned_prompt_description,
    });
    return apiOk(c, { cloned_prompt_id: p.id });
  });
  return app;
}
