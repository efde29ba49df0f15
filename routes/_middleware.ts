/**
 * Middleware shared by every route: a request id on each response and log line, one JSON
 * access-log line per request, and the error handler that turns thrown errors into the wire
 * envelope without leaking stacks.
 */
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError, Codes } from "../domains/errors.ts";
import { ServiceUnavailableError } from "../infra/errors.ts";
import type { Logger } from "../infra/log.ts";
import type { AppEnv } from "./_env.ts";
import { wireJson } from "./_wire/json.ts";

export type { AppEnv } from "./_env.ts";

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The request id of a request: a well-formed incoming X-Request-Id, or a new one. */
export function requestIdFrom(incoming: string | null | undefined): string {
  return incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
}

/**
 * Assigns the request id (a well-formed incoming X-Request-Id is kept) and logs the request;
 * `inner` runs in between (the app's other per-request checks).
 */
export function requestContext(
  logger: Logger,
  inner?: MiddlewareHandler<AppEnv>,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const requestId = requestIdFrom(c.req.header("x-request-id"));
    const log = logger.child({ request_id: requestId });
    c.set("requestId", requestId);
    c.set("logger", log);
    const started = performance.now();
    try {
      const answer = await (inner ? inner(c, next) : next());
      if (answer instanceof Response) c.res = answer; // a check that answered by itself
    } catch (err) {
      // Thrown by a check in `inner` (authentication, body limit), outside the route's own
      // error handling: answered here, so that it too gets the request id and a log line.
      c.res = errorResponse(err, c);
    }
    stampRequestId(c, requestId);
    const failure = c.get("failure");
    logger.access({
      request_id: requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      latency_ms: Math.round((performance.now() - started) * 100) / 100,
      user_id: c.get("caller")?.userId,
      code: failure?.code,
      reason: failure?.reason,
    });
  };
}

/**
 * Puts the request id on the finished answer. Done after the handler and on the answer's own
 * headers: prepared context headers or a second header in the init object send Deno down a
 * slow path that costs more than the whole handler of the hottest SDK routes, and `c.header()`
 * on a finished answer copies the response.
 */
function stampRequestId(c: Context<AppEnv>, requestId: string): void {
  try {
    stampLogId(c.res.headers, requestId);
  } catch {
    // immutable headers (a fetched or redirect answer)
    c.header("X-Request-Id", requestId);
    c.header(LOG_ID_HEADER, requestId);
  }
}

/** The header the official SDKs read into their errors as the log id. */
export const LOG_ID_HEADER = "x-tt-logid";

/** Puts the request id on an answer's headers, as X-Request-Id and as the SDKs' log id. */
export function stampLogId(headers: Headers, requestId: string): void {
  headers.set("X-Request-Id", requestId);
  headers.set(LOG_ID_HEADER, requestId);
}

/**
 * The envelope for a thrown error: AppError as is, unavailable dependencies as 503, rest 500.
 * Records what failed for the request's access-log line.
 */
export function errorResponse(err: unknown, c: Context<AppEnv>): Response {
  const res = errorEnvelope(err, c);
  c.set("failure", failureOf(err, res.status));
  return res;
}

// Refusals whose message is ours alone (never echoes input, nor a credential), hence safe
// for the access log; other failures log their code only.
const LOGGED_REASONS = new Set([401, 403, 413, 429, 503]);

function failureOf(err: unknown, status: number): { code?: number; reason?: string } {
  if (err instanceof AppError) {
    return { code: err.code, reason: LOGGED_REASONS.has(status) ? err.message : undefined };
  }
  if (err instanceof ServiceUnavailableError) return { reason: `${err.service} is unavailable` };
  if (err instanceof HTTPException) {
    return { reason: status === 413 ? "request body too large" : undefined };
  }
  return { code: Codes.internal, reason: "internal error" };
}

function errorEnvelope(err: unknown, c: Context<AppEnv>): Response {
  const requestId = c.get("requestId");
  if (err instanceof AppError) {
    return wireJson(c, { code: err.code, msg: err.message }, err.status);
  }
  if (err instanceof HTTPException) {
    if (err.status === 413) {
      return wireJson(c, {
        code: Codes.fileSizeExceedLimit,
        msg: "request body too large",
      }, 413);
    }
    if (err.status === 400) {
      const why = c.get("bodyError") ?? err.message;
      return wireJson(c, { code: Codes.invalidParam, msg: `invalid param: body: ${why}` });
    }
    return wireJson(c, { code: Codes.badRequest, msg: err.message }, err.status);
  }
  if (err instanceof ServiceUnavailableError) {
    c.get("logger")?.warn("dependency unavailable", { error: err.message });
    const code = err.service === "MySQL"
      ? Codes.mysqlError
      : err.service === "Redis"
      ? Codes.redisError
      : Codes.dependencyUnavailable;
    return wireJson(c, { code, msg: `${err.service} is unavailable, try again later` }, 503);
  }
  c.get("logger")?.error("unhandled error", {
    error: err instanceof Error
      ? { name: err.name, message: err.message, stack: err.stack }
      : String(err),
  });
  return wireJson(c, {
    code: Codes.internal,
    msg: `Internal error (request id ${requestId ?? "unknown"})`,
  }, 500);
}
