/** SDK prompt execution: `POST /v1/loop/prompts/execute` and `/execute_streaming` (SSE). */
import { z } from "@hono/zod-openapi";
import type { PromptHubService } from "../../domains/prompt/hub.ts";
import type { PromptRuntime, RunSpec } from "../../domains/prompt/execute.ts";
import type { Context } from "hono";
import {
  modelConfigSchema,
  toolCallConfigSchema,
  toolSchema,
} from "../../domains/prompt/detail.ts";
import type { Message, VariableVal } from "../../domains/prompt/template/mod.ts";
import { loopOk } from "../_wire/json.ts";
import { loopRoute, routeGroup } from "../_wire/routes.ts";
import { executeDataOut, executeEventOut } from "./_schemas_prompt.ts";
import { id64, jsonBody, validationHook } from "../_wire/schemas.ts";
import {
  openapiMessage,
  openapiMessageSchema,
  openapiPartSchema,
} from "../_wire/openapi_prompt.ts";
import { parseTraceparent } from "../_wire/trace_context.ts";
import { parseWireJsonOrThrow } from "../_wire/body.ts";
import { sseResponse } from "../_wire/sse.ts";
import { promptQuery } from "./prompts.ts";
import type { AppEnv, RouteApp } from "../_env.ts";

const tags = ["prompt (SDK)"];
const MAX_TEXT = 1024 * 1024;
const TRACEPARENT_HEADER = "x-cozeloop-traceparent";

const boundedMessage = openapiMessageSchema.refine(
  (m) => (m.content?.length ?? 0) <= MAX_TEXT,
  `content larger than ${MAX_TEXT} characters`,
);
const executeBody = z.object({
  workspace_id: id64,
  prompt_identifier: promptQuery,
  variable_vals: z.array(
    z.object({
      key: z.string().min(1).max(128),
      value: z.string().max(MAX_TEXT).optional(),
      placeholder_messages: z.array(boundedMessage).max(500).optional(),
      multi_part_values: z.array(openapiPartSchema).max(100).optional(),
    }),
  ).max(200).optional(),
  messages: z.array(boundedMessage).max(500).optional(),
  custom_tools: z.array(toolSchema).max(128).optional(),
  custom_tool_call_config: toolCallConfigSchema.optional(),
  custom_model_config: modelConfigSchema.optional(),
  // Compatibility fields of the IDL that change nothing here.
  response_api_config: z.unknown().optional(),
  account_mode: z.unknown().optional(),
  usage_scenario: z.unknown().optional(),
  release_label: z.string().optional(),
  custom_tool_config: z.unknown().optional(),
});
type ExecuteBody = z.infer<typeof executeBody>;

const execute = loopRoute(
  {
    method: "post",
    path: "/v1/loop/prompts/execute",
    tags,
    summary: "Render a prompt with variables and call its model",
    request: { body: jsonBody(executeBody) },
  },
  executeDataOut,
  { statuses: [429] },
);
const executeStreaming = loopRoute(
  {
    method: "post",
    path: "/v1/loop/prompts/execute_streaming",
    tags,
    summary: "Like execute, answered as Server-Sent Events",
    request: { body: jsonBody(executeBody) },
  },
  undefined,
  { stream: { name: "ExecuteStreamingEvent" }, anyContentType: true },
);

/** The SDK execution routes. */
export function loopExecuteRoutes(
  deps: { hub: PromptHubService; runner: PromptRuntime },
): RouteApp {
  const app = routeGroup();
  const spec = async (c: Context<AppEnv>, b: ExecuteBody): Promise<RunSpec> => {
    const userId = c.get("caller").userId;
    const p = await deps.hub.resolve(userId, b.workspace_id, b.prompt_identifier);
    // The hub's llm_config names the model `id` (the SDK's shape); custom settings win.
    const { id, ...saved } = (p.llm_config ?? {}) as Record<string, unknown>;
    const model = {
      ...saved,
      ...(id !== undefined ? { model_id: id } : {}),
      ...b.custom_model_config,
    };
    return {
      workspaceId: b.workspace_id,
      promptKey: p.prompt_key,
      version: p.version,
      template: p.prompt_template,
      tools: b.custom_tools ?? p.tools,
      toolCallConfig: b.custom_tool_call_config ?? p.tool_call_config,
      modelConfig: model as RunSpec["modelConfig"],
      variableVals: b.variable_vals as VariableVal[] | undefined,
      messages: b.messages as Message[] | undefined,
      parent: parseTraceparent(c.req.header(TRACEPARENT_HEADER)),
    };
  };
  app.openapi(execute, async (c) => {
    const r = await deps.runner.run(
      c.get("caller").userId,
      await spec(c, c.req.valid("json")),
      c.req.raw.signal,
    );
    return loopOk(c, {
      message: openapiMessage(r.message as Message),
      finish_reason: r.finish_reason,
      usage: r.usage,
    });
  });
  // Validated in the handler, not by the route: every failure, the body's too, must reach the
  // SDK as the stream's error event (a JSON answer reads as an empty stream to the SDKs).
  app.openAPIRegistry.register("ExecuteStreamingEvent", executeEventOut);
  app.openAPIRegistry.registerPath(executeStreaming);
  app.post(executeStreaming.path, (c) => {
    const signal = c.req.raw.signal;
    async function* events() {
      const parsed = executeBody.safeParse(parseWireJsonOrThrow(await c.req.text()));
      if (!parsed.success) validationHook({ success: false, error: parsed.error }, c);
      const run = deps.runner.stream(c.get("caller").userId, await spec(c, parsed.data!), signal);
      for await (const chunk of run) {
        yield {
          message: openapiMessage(chunk.message as Message),
          finish_reason: chunk.finish_reason ?? "",
          ...(chunk.usage ? { usage: chunk.usage } : {}),
        };
      }
    }
    return sseResponse(events(), c.get("logger"));
  });
  return app;
}
