/** SDK prompt routes: `POST /v1/loop/prompts/mget`. */
import { createRoute, z } from "@hono/zod-openapi";
import type { PromptHubService } from "../../domains/prompt/hub.ts";
import { loopOk } from "../_wire/json.ts";
import { envelopeResponse, routeGroup } from "../_wire/routes.ts";
import { id64, jsonBody } from "../_wire/schemas.ts";
import type { RouteApp } from "../_env.ts";

const tags = ["prompt (SDK)"];

/** A prompt query as SDKs send it. */
export const promptQuery = z.object({
  prompt_key: z.string().min(1).max(128),
  version: z.string().max(64).optional(),
  label: z.string().max(64).optional(),
}).strict();

const mget = createRoute({
  method: "post",
  path: "/v1/loop/prompts/mget",
  tags,
  summary: "Prompts by key + version, key + label, or key (latest), in request order",
  request: {
    body: jsonBody(
      z.object({
        workspace_id: id64,
        queries: z.array(promptQuery).min(1).max(100),
      }).strict(),
    ),
  },
  responses: envelopeResponse,
});

/** The SDK prompt routes. */
export function loopPromptRoutes(deps: { hub: PromptHubService }): RouteApp {
  const app = routeGroup();
  app.openapi(mget, async (c) => {
    const b = c.req.valid("json");
    // Echo each query exactly as sent: SDKs match answers to their cache keys with it.
    const items = await deps.hub.mget(c.get("caller").userId, b.workspace_id, b.queries);
    return loopOk(c, { items });
  });
  return app;
}
