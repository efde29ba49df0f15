/** SDK prompt routes: `POST /v1/loop/prompts/mget`, the hottest SDK call. */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { PromptHubService, PromptQuery } from "../../domains/prompt/hub.ts";
import { invalidParam } from "../../domains/errors.ts";
import { envelopeResponse, routeGroup } from "../_wire/routes.ts";
import { id64, jsonBody, validationHook } from "../_wire/schemas.ts";
import type { AppEnv, RouteApp } from "../_env.ts";

const tags = ["prompt (SDK)"];
const PATH = "/v1/loop/prompts/mget";
const MEMO_MAX = 1_000;

/** A prompt query as SDKs send it. */
export const promptQuery = z.object({
  prompt_key: z.string().min(1).max(128),
  version: z.string().max(64).optional(),
  label: z.string().max(64).optional(),
}).strict();

const mgetBody = z.object({
  workspace_id: id64,
  queries: z.array(promptQuery).min(1).max(100),
}).strict();
type MgetBody = z.infer<typeof mgetBody>;

const mget = createRoute({
  method: "post",
  path: PATH,
  tags,
  summary: "Prompts by key + version, key + label, or key (latest), in request order",
  request: { body: jsonBody(mgetBody) },
  responses: envelopeResponse,
});

/**
 * The SDK prompt routes. SDKs poll the same few bodies over and over, so the route
 * remembers, per exact request text, the validated body and the answer it serialized: a
 * repeated request skips parsing, validation and serialization, while authorization, the
 * rate limit and the prompt cache (whose entries a commit or label move replaces at once)
 * still run every time, and a remembered answer is reused only while every prompt in it is
 * the very object the cache still holds.
 */
export function loopPromptRoutes(deps: { hub: PromptHubService }): RouteApp {
  const app = routeGroup();
  const bodies = new Map<string, MgetBody>();
  const answers = new Map<string, { prompts: unknown[]; json: string }>();

  const parse = (text: string, c: Context<AppEnv>): MgetBody => {
    const known = bodies.get(text);
    if (known) return known;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw invalidParam("body", "Malformed JSON in request body");
    }
    const r = mgetBody.safeParse(json);
    if (!r.success) validationHook({ success: false, error: r.error }, c);
    if (bodies.size >= MEMO_MAX) bodies.clear();
    bodies.set(text, r.data!);
    return r.data!;
  };

  app.openAPIRegistry.registerPath(mget);
  app.post(PATH, async (c) => {
    const text = await c.req.text();
    const b = parse(text, c);
    const userId = c.get("caller").userId;
    // Echo each query exactly as sent: SDKs match answers to their cache keys with it.
    const items = await deps.hub.mget(userId, b.workspace_id, b.queries as PromptQuery[]);
    const key = `${userId}\n${text}`;
    const memo = answers.get(key);
    let json = memo && memo.prompts.length === items.length &&
        items.every((it, i) => it.prompt === memo.prompts[i])
      ? memo.json
      : undefined;
    if (json === undefined) {
      json = `{"code":0,"msg":"","data":{"items":${JSON.stringify(items)}}}`;
      if (answers.size >= MEMO_MAX) answers.clear();
      answers.set(key, { prompts: items.map((it) => it.prompt), json });
    }
    return c.body(json, 200, { "Content-Type": "application/json; charset=UTF-8" });
  });
  return app;
}
