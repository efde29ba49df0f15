/** `/api/llm/v1/models/*`: the model catalogue, for members of a workspace. */
import { z } from "@hono/zod-openapi";
import type { ModelService } from "../../domains/llm/models.ts";
import { ABILITIES, FAMILIES, MODEL_STATUSES, PROTOCOLS } from "../../domains/llm/types.ts";
import { invalidParam } from "../../domains/errors.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, routeGroup } from "../_wire/routes.ts";
import { modelOut } from "./_schemas_llm.ts";
import { llmModel } from "../_wire/convert_llm.ts";
import { id64, jsonBody, pageNumber, pageSize } from "../_wire/schemas.ts";
import type { RouteApp } from "../_env.ts";

const tags = ["llm: models"];
const base = "/api/llm/v1/models";
/** The IDL's `common.Scenario`. */
const scenario = z.enum([
  "default",
  "prompt_debug",
  "prompt_as_a_service",
  "eval_target",
  "evaluator",
  "data_synthesis",
]);

const list = apiRoute({
  method: "post",
  path: `${base}/list`,
  tags,
  summary: "Models of the catalogue (every workspace sees the same ones)",
  request: {
    body: jsonBody(
      z.object({
        workspace_id: id64,
        // Accepted for compatibility: every model is preset and usable in every scenario.
        scenario: scenario.optional(),
        filter: z.object({
          name_like: z.string().max(256).optional(),
          families: z.array(z.enum(FAMILIES)).optional(),
          statuses: z.array(z.enum(MODEL_STATUSES)).optional(),
          abilities: z.array(z.enum(ABILITIES)).optional(),
        }).strict().optional(),
        preset_model: z.boolean().optional(),
        page_size: pageSize.optional(),
        page_token: z.string().max(64).optional(),
        page: pageNumber.optional(),
      }).strict(),
    ),
  },
}, {
  models: z.array(modelOut),
  has_more: z.boolean(),
  next_page_token: z.string(),
  total: z.number().int(),
});
const get = apiRoute({
  method: "post",
  path: `${base}/{model_id}`,
  tags,
  summary: "One model of the catalogue",
  request: {
    params: z.object({ model_id: id64 }),
    body: jsonBody(
      z.object({
        workspace_id: id64,
        model_id: id64.optional(),
        // Accepted for compatibility; the path's model id decides.
        identification: z.string().max(256).optional(),
        protocol: z.enum(PROTOCOLS).optional(),
        preset_model: z.boolean().optional(),
      }).strict(),
    ),
  },
}, { model: modelOut });

/** The model routes. `list` is registered first so that it is not taken for a model id. */
export function modelRoutes(models: ModelService): RouteApp {
  const app = routeGroup();
  app.openapi(list, async (c) => {
    const b = c.req.valid("json");
    const page = await models.list(c.get("caller").userId, {
      workspaceId: b.workspace_id,
      filter: b.filter && {
        nameLike: b.filter.name_like,
        families: b.filter.families,
        statuses: b.filter.statuses,
        abilities: b.filter.abilities,
      },
      pageSize: b.page_size,
      pageToken: b.page_token,
      page: b.page,
    });
    return apiOk(c, {
      models: page.models.map(llmModel),
      has_more: page.hasMore,
      next_page_token: page.nextPageToken,
      total: page.total,
    });
  });
  app.openapi(get, async (c) => {
    const b = c.req.valid("json");
    const modelId = c.req.valid("param").model_id;
    if (b.model_id !== undefined && b.model_id !== modelId) {
      throw invalidParam("model_id", "does not match the model id in the path");
    }
    const model = await models.get(c.get("caller").userId, {
      workspaceId: b.workspace_id,
      modelId,
    });
    return apiOk(c, { model: llmModel(model) });
  });
  return app;
}
