/** The playground: `/api/prompt/v1/prompts/{id}/debug_streaming`, debug context and history. */
import { z } from "@hono/zod-openapi";
import type { DebugService } from "../../domains/prompt/debug.ts";
import { messageSchema } from "../../domains/prompt/detail.ts";
import type { Message, VariableVal } from "../../domains/prompt/template/mod.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, routeGroup } from "../_wire/routes.ts";
import { debugEventOut, debugLogOut } from "./_schemas_prompt.ts";
import { id64, jsonBody } from "../_wire/schemas.ts";
import { sseResponse } from "../_wire/sse.ts";
import type { RouteApp } from "../_env.ts";

const tags = ["prompt: playground"];
const base = "/api/prompt/v1/prompts/{prompt_id}";
const idParam = z.object({ prompt_id: id64 });
const num = z.union([z.number().int(), z.string().regex(/^\d{1,9}$/).transform(Number)]);

const debugStreaming = apiRoute(
  {
    method: "post",
    path: `${base}/debug_streaming`,
    tags,
    summary: "Run a draft with variables and mock tools (Server-Sent Events)",
    request: {
      params: idParam,
      body: jsonBody(
        z.object({
          prompt: z.object({
            id: z.unknown().optional(),
            workspace_id: z.unknown().optional(),
            prompt_key: z.string().optional(),
            prompt_draft: z.object({ detail: z.unknown(), draft_info: z.unknown().optional() })
              .optional(),
          }).passthrough().optional(),
          messages: z.array(messageSchema).max(500).optional(),
          variable_vals: z.array(
            z.object({
              key: z.string().min(1).max(128),
              value: z.string().max(1024 * 1024).optional(),
              placeholder_messages: z.array(messageSchema).max(500).optional(),
              multi_part_values: z.array(z.object({}).passthrough()).max(100).optional(),
            }).strict(),
          ).max(200).optional(),
          mock_tools: z.array(
            z.object({
              name: z.string().max(128).optional(),
              mock_response: z.string().max(65_536).optional(),
            }).strict(),
          ).max(64).optional(),
          single_step_debug: z.boolean().optional(),
          debug_trace_key: z.string().max(128).optional(),
        }).strict(),
      ),
    },
  },
  {},
  { stream: { name: "DebugStreamingEvent", jsonErrors: true } },
);
const saveContext = apiRoute({
  method: "post",
  path: `${base}/debug_context/save`,
  tags,
  summary: "Save the caller's playground state",
  request: {
    params: idParam,
    body: jsonBody(
      z.object({
        prompt_id: z.unknown().optional(),
        workspace_id: id64.optional(),
        debug_context: z.object({}).passthrough(),
      }).strict(),
    ),
  },
});
const getContext = apiRoute({
  method: "get",
  path: `${base}/debug_context/get`,
  tags,
  summary: "The caller's saved playground state",
  request: { params: idParam, query: z.object({ workspace_id: id64.optional() }) },
}, {
  debug_context: z.object({}).passthrough().optional().openapi({
    description: "as saved; absent when none was",
  }),
});
const listHistory = apiRoute({
  method: "get",
  path: `${base}/debug_history/list`,
  tags,
  summary: "The caller's recent playground runs",
  request: {
    params: idParam,
    query: z.object({
      workspace_id: id64.optional(),
      days_limit: num.optional(),
      page_size: num.optional(),
      page_token: z.string().max(32).optional(),
    }),
  },
}, {
  debug_history: z.array(debugLogOut),
  has_more: z.boolean(),
  next_page_token: z.string(),
});

/** The playground routes. */
export function promptDebugRoutes(deps: { debug: DebugService }): RouteApp {
  const app = routeGroup();
  app.openAPIRegistry.register("DebugStreamingEvent", debugEventOut);
  app.openapi(debugStreaming, (c) => {
    const b = c.req.valid("json");
    const events = deps.debug.stream(c.get("caller").userId, c.req.valid("param").prompt_id, {
      detail: b.prompt?.prompt_draft?.detail,
      messages: b.messages as Message[] | undefined,
      variableVals: b.variable_vals as VariableVal[] | undefined,
      mockTools: b.mock_tools,
      singleStep: b.single_step_debug,
    }, c.req.raw.signal);
    return sseResponse(events, c.get("logger"));
  });
  app.openapi(saveContext, async (c) => {
    await deps.debug.saveContext(
      c.get("caller").userId,
      c.req.valid("param").prompt_id,
      c.req.valid("json").debug_context,
    );
    return apiOk(c);
  });
  app.openapi(getContext, async (c) => {
    const ctx = await deps.debug.getContext(c.get("caller").userId, c.req.valid("param").prompt_id);
    return apiOk(c, ctx === undefined ? {} : { debug_context: ctx });
  });
  app.openapi(listHistory, async (c) => {
    const q = c.req.valid("query");
    const r = await deps.debug.history(c.get("caller").userId, c.req.valid("param").prompt_id, {
      daysLimit: q.days_limit,
      pageSize: q.page_size,
      pageToken: q.page_token,
    });
    return apiOk(c, {
      debug_history: r.logs.map((l) => ({
        id: l.id,
        prompt_id: l.promptId,
        workspace_id: l.workspaceId,
        debug_id: l.debugId,
        input_tokens: BigInt(l.inputTokens),
        output_tokens: BigInt(l.outputTokens),
        cost_ms: BigInt(l.costMs),
        status_code: l.statusCode,
        debugged_by: l.debuggedBy.toString(),
        started_at: BigInt(l.startedAt.getTime()),
        ended_at: BigInt(l.endedAt.getTime()),
      })),
      has_more: r.nextPageToken !== "",
      next_page_token: r.nextPageToken,
    });
  });
  return app;
}
