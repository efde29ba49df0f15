/** SDK prompt routes: `POST /v1/loop/prompts/mget`, the hottest SDK call. */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { HubPrompt, PromptHubService, PromptQuery } from "../../domains/prompt/hub.ts";
import { openapiPrompt } from "../_wire/openapi_prompt.ts";
import { parseWireJsonOrThrow } from "../_wire/body.ts";
import { loopRoute, routeGroup } from "../_wire/routes.ts";
import { mgetDataOut } from "./_schemas_prompt.ts";
import { id64, jsonBody, validationHook } from "../_wire/schemas.ts";
import type { AppEnv, RouteApp } from "../_env.ts";

const tags = ["prompt (SDK)"];
/** The path of `mget`. */
export const MGET_PATH = "/v1/loop/prompts/mget";
const PATH = MGET_PATH;
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
/** A validated mget request. */
export type MgetBody = z.infer<typeof mgetBody>;

const mget = loopRoute(
  {
    method: "post",
    path: PATH,
    tags,
    summary: "Prompts by key + version, key + label, or key (latest), in request order",
    request: { body: jsonBody(mgetBody) },
  },
  mgetDataOut,
  { statuses: [429], anyContentType: true },
);

/**
 * What the mget route remembers between requests. SDKs poll the same few bodies over and
 * over, so it keeps, per exact request text, the validated body and the answer it
 * serialized: a repeated request skips parsing, validation and serialization, while
 * authorization, the rate limit and the prompt cache (whose entries a commit or label move
 * replaces at once) still run every time, and a remembered answer is reused only while every
 * prompt in it is the very object the cache still holds.
 */
export interface MgetMemo {
  /** The validated body of a request text seen before, or undefined. */
  known(text: string): MgetBody | undefined;
  /** Parses and validates a request text (remembering it); throws the wire error when bad. */
  parse(text: string, c: Context<AppEnv>): MgetBody;
  /** The serialized answer (`{code, msg, data}`) for these items of this parsed body. */
  answer(body: MgetBody, items: HubItem[]): string;
}

type HubItem = { query: PromptQuery; prompt: unknown };

/** Creates an empty memo (one per app). */
export function createMgetMemo(): MgetMemo {
  const bodies = new Map<string, MgetBody>();
  // By parsed body (so by request text); the answer does not depend on the caller, whose
  // membership the hub checks on every call.
  const answers = new WeakMap<MgetBody, { items: HubItem[]; prompts: unknown[]; json: string }>();
  return {
    known: (text) => bodies.get(text),
    parse(text, c) {
      const known = bodies.get(text);
      if (known) return known;
      const r = mgetBody.safeParse(parseWireJsonOrThrow(text));
      if (!r.success) validationHook({ success: false, error: r.error }, c);
      if (bodies.size >= MEMO_MAX) bodies.clear();
      bodies.set(text, r.data!);
      return r.data!;
    },
    answer(body, items) {
      const memo = answers.get(body);
      if (
        memo && (memo.items === items || (memo.prompts.length === items.length &&
          items.every((it, i) => it.prompt === memo.prompts[i])))
      ) return memo.json;
      // Echo each query exactly as sent: SDKs match answers to their cache keys with it.
      const sdkItems = items.map((it) => ({
        query: it.query,
        prompt: openapiPrompt(it.prompt as HubPrompt),
      }));
      const json = `{"code":0,"msg":"","data":{"items":${JSON.stringify(sdkItems)}}}`;
      answers.set(body, { items, prompts: items.map((it) => it.prompt), json });
      return json;
    },
  };
}

/** The SDK prompt routes (`memo` is shared with the fast lane in front of the app). */
export function loopPromptRoutes(
  deps: { hub: PromptHubService; memo?: MgetMemo },
): RouteApp {
  const app = routeGroup();
  const memo = deps.memo ?? createMgetMemo();
  app.openAPIRegistry.registerPath(mget);
  app.post(PATH, async (c) => {
    const text = await c.req.text();
    const b = memo.parse(text, c);
    const userId = c.get("caller").userId;
    const queries = b.queries as PromptQuery[];
    const items = deps.hub.mgetNow(userId, b.workspace_id, queries) ??
      await deps.hub.mget(userId, b.workspace_id, queries);
    return c.body(memo.answer(b, items), 200, {
      "Content-Type": "application/json; charset=UTF-8",
    });
  });
  return app;
}
