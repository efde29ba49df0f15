/** `POST /v1/loop/prompts/list`: a workspace's prompts with their latest versions (SDKs). */
import { z } from "@hono/zod-openapi";
import type { PromptService } from "../../domains/prompt/prompts.ts";
import type { Prompt } from "../../domains/prompt/types.ts";
import { loopOk } from "../_wire/json.ts";
import { loopRoute, routeGroup } from "../_wire/routes.ts";
import { promptListDataOut } from "./_schemas_prompt.ts";
import { id64, jsonBody, pageNumber } from "../_wire/schemas.ts";
import type { RouteApp } from "../_env.ts";

const list = loopRoute({
  method: "post",
  path: "/v1/loop/prompts/list",
  tags: ["prompt (SDK)"],
  summary: "Page through a workspace's prompts (basic info and latest version)",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      page_number: pageNumber.optional(),
      page_size: z.number().int().min(1).max(200).optional(),
      key_word: z.string().max(128).optional(),
      creator: z.string().max(32).optional(),
    })),
  },
}, promptListDataOut);

/** `domain_openapi` PromptBasic. */
function promptBasic(p: Prompt) {
  return {
    id: p.id,
    workspace_id: p.workspaceId,
    prompt_key: p.promptKey,
    display_name: p.displayName,
    description: p.description,
    latest_version: p.latestVersion ?? "",
    created_by: p.createdBy.toString(),
    updated_by: p.updatedBy.toString(),
    created_at: BigInt(p.createdAt.getTime()),
    updated_at: BigInt(p.updatedAt.getTime()),
    ...(p.latestCommittedAt ? { latest_committed_at: BigInt(p.latestCommittedAt.getTime()) } : {}),
  };
}

/** The SDK prompt list route. */
export function loopPromptListRoutes(deps: { prompts: PromptService }): RouteApp {
  const app = routeGroup();
  app.openapi(list, async (c) => {
    const b = c.req.valid("json");
    const r = await deps.prompts.list(c.get("caller").userId, {
      workspaceId: b.workspace_id,
      keyword: b.key_word,
      createdBys: b.creator ? [b.creator] : undefined,
      pageNum: b.page_number,
      pageSize: b.page_size,
    });
    return loopOk(c, { prompts: r.prompts.map(promptBasic), total: r.total });
  });
  return app;
}
