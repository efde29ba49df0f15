/**
 * The fast lane of `prompts/mget`, the hottest SDK call, in front of the Hono app. A request
 * whose every step is already known in this process (a token verified seconds ago, a body
 * seen before, the membership, a rate-limit allowance and every prompt held locally) is
 * answered here, with the same checks, answer, request id and access-log line as the route,
 * but without building a Hono context and running the middleware chain, which cost more than
 * the work itself. Anything else (first sight of a token or body, a cache miss, a chunked
 * or oversized body) goes to the app unchanged.
 */
import type { PromptHubService, PromptQuery } from "../../domains/prompt/hub.ts";
import type { TokenService } from "../../domains/foundation/tokens.ts";
import { AppError } from "../../domains/errors.ts";
import type { Logger } from "../../infra/log.ts";
import { requestIdFrom, stampLogId } from "../_middleware.ts";
import { MGET_PATH, type MgetMemo } from "./prompts.ts";

/** The app's fetch: what the lane hands requests on to (with the server's `env` and `ctx`). */
export type Fetch = (req: Request, env?: unknown, ctx?: unknown) => Response | Promise<Response>;

const BEARER = /^Bearer\s+(\S+)$/i;
const JSON_TYPE = "application/json; charset=UTF-8";

/**
 * Creates the lane in front of `next`, the app; `maxBodyBytes` is the app's body limit
 * (larger bodies go to the app).
 */
export function mgetFastLane(deps: {
  hub: PromptHubService;
  tokens: TokenService;
  memo: MgetMemo;
  logger: Logger;
  maxBodyBytes: number;
  next: Fetch;
}): Fetch {
  const next = deps.next;
  const answered = (
    req: Request,
    started: number,
    userId: bigint,
    status: number,
    json: string,
  ): Response => {
    const requestId = requestIdFrom(req.headers.get("x-request-id"));
    const res = new Response(json, { status, headers: { "Content-Type": JSON_TYPE } });
    stampLogId(res.headers, requestId);
    deps.logger.access({
      request_id: requestId,
      method: "POST",
      path: MGET_PATH,
      status,
      latency_ms: Math.round((performance.now() - started) * 100) / 100,
      user_id: userId,
    });
    return res;
  };

  // The body is read: what goes on to the app is a copy carrying it.
  const onward = (req: Request, text: string, env: unknown, ctx: unknown) =>
    next(new Request(req.url, { method: "POST", headers: req.headers, body: text }), env, ctx);

  const serve = async (
    req: Request,
    userId: bigint,
    env: unknown,
    ctx: unknown,
  ): Promise<Response> => {
    const started = performance.now();
    const text = await req.text();
    const body = deps.memo.known(text);
    if (!body) return onward(req, text, env, ctx);
    const queries = body.queries as PromptQuery[];
    let items;
    try {
      // What is not at hand right now (an allowance being refilled, a prompt to fetch) is
      // awaited here, as the route would.
      items = deps.hub.mgetNow(userId, body.workspace_id, queries) ??
        await deps.hub.mget(userId, body.workspace_id, queries);
    } catch (err) {
      // Business errors are answered as the app would; anything else (a dependency down) is
      // left to the app's error handling, which logs it.
      if (!(err instanceof AppError)) return onward(req, text, env, ctx);
      const json = JSON.stringify({ code: err.code, msg: err.message });
      return answered(req, started, userId, err.status, json);
    }
    return answered(req, started, userId, 200, deps.memo.answer(body, items));
  };

  return (req, env, ctx) => {
    if (req.method !== "POST" || !isMgetUrl(req.url)) return next(req, env, ctx);
    const headers = req.headers;
    const length = headers.get("content-length");
    if (
      length === null || headers.has("transfer-encoding") || !(Number(length) <= deps.maxBodyBytes)
    ) return next(req, env, ctx);
    const m = BEARER.exec(headers.get("authorization") ?? "");
    const userId = m ? deps.tokens.peek(m[1]) : undefined;
    if (userId === undefined) return next(req, env, ctx);
    return serve(req, userId, env, ctx);
  };
}

// The path of `url` is exactly MGET_PATH (a query string allowed), without parsing the URL.
function isMgetUrl(url: string): boolean {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0 || !url.startsWith(MGET_PATH, start)) return false;
  const end = start + MGET_PATH.length;
  return end === url.length || url[end] === "?";
}
