/**
 * Shared pieces for @hono/zod-openapi route definitions: the route group constructor (whose
 * validation failures become `invalid param` envelopes) and the route constructors of both API
 * families, which add the family's security scheme and its documented answers: the success
 * envelope around the route's own fields, and the `{code, msg}` error envelopes of every
 * status the route can answer.
 *
 * The answer schemas are documentation: handlers write JSON with wireJson (int64 values as
 * strings), so no schema is bound to a handler's type, and the OpenAPI fuzzer
 * (tests/fuzz/) checks that the answers match them.
 */
import { createRoute, OpenAPIHono, type RouteConfig, z } from "@hono/zod-openapi";
import type { AppEnv } from "../_env.ts";
import { validationHook } from "./schemas.ts";

/** A route group whose validation failures become `invalid param` envelopes. */
export function routeGroup(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

/** The `/api` security requirement: the `session_key` cookie. */
export const SESSION_SECURITY: RouteConfig["security"] = [{ sessionCookie: [] }];

/** The `/v1/loop` security requirement: a personal access token (or OAuth app token). */
export const TOKEN_SECURITY: RouteConfig["security"] = [{ personalAccessToken: [] }];

/** An int64 on the wire: a decimal string. */
export const int64 = z.string().regex(/^-?\d{1,19}$/).openapi({
  description: "int64, as a decimal string",
  example: "7300000000000000001",
});

/** `{code, msg}`: an error answer, and a business error (HTTP 200, code != 0). */
export const errorEnvelope = z.object({
  code: z.number().int().openapi({ description: "9-digit error code (0 = success)" }),
  msg: z.string().openapi({ description: "what failed and why, for humans" }),
}).strict().openapi("ErrorEnvelope");

/** Statuses besides 200 a route may document, with what they mean. */
const STATUS_TEXT = {
  400: "Bad request (`{code, msg}`)",
  401: "Not authenticated (`{code, msg}`)",
  403: "Refused (`{code, msg}`)",
  404: "Not found (`{code, msg}`)",
  413: "Request body too large (`{code, msg}`)",
  415: "Unsupported Content-Type or Content-Encoding (`{code, msg}`)",
  429: "Too many requests, retry later (`{code, msg}`)",
  500: "Internal error, with the request id in msg (`{code, msg}`)",
  503: "A dependency is unavailable, retry later (`{code, msg}`)",
} as const;

/** A documented error status. */
export type ErrorStatus = keyof typeof STATUS_TEXT;

/** The documented `{code, msg}` answers of `statuses`. */
export function errorResponses(statuses: ErrorStatus[]): RouteConfig["responses"] {
  return Object.fromEntries(statuses.map((s) => [s, {
    description: STATUS_TEXT[s],
    content: { "application/json": { schema: errorEnvelope } },
  }]));
}

/** What a family's route constructor needs besides the route. */
export interface DocOptions {
  /** Reachable without credentials (no security, no 401). */
  public?: boolean;
  /** More error statuses the route answers (429 for rate-limited routes, ...). */
  statuses?: ErrorStatus[];
  /** The handler reads its JSON body whatever the Content-Type (no 415). */
  anyContentType?: boolean;
  /** A different description of the success answer. */
  description?: string;
  /**
   * A streamed route: the 200 answer is Server-Sent Events whose `data` is the JSON of the
   * component `name` (the route group registers it); `jsonErrors` when a refused request is
   * answered `{code, msg}` as JSON rather than as an error event.
   */
  stream?: { name: string; jsonErrors?: boolean };
}

/** A route as the constructors take it: everything but its security and answers. */
export type RouteSpec = Omit<RouteConfig, "security" | "responses">;

/**
 * The error statuses of a route: 401 unless public, 413 when it takes a body, 415 when that
 * body is validated JSON (another Content-Type is refused), then 5xx.
 */
function statusesOf(spec: RouteSpec, o: DocOptions): ErrorStatus[] {
  const out = new Set<ErrorStatus>(o.public ? [] : [401]);
  if (spec.method !== "get" && spec.method !== "head") out.add(413);
  if (spec.request?.body?.content["application/json"] && !o.anyContentType) out.add(415);
  for (const s of o.statuses ?? []) out.add(s);
  out.add(500);
  out.add(503);
  return [...out].sort((a, b) => a - b);
}

/** The 200 answer: the success envelope, or a business error (code != 0); or a stream. */
function okResponse(
  ok: z.ZodType,
  description: string,
  stream: DocOptions["stream"],
): RouteConfig["responses"][string] {
  if (!stream) {
    return {
      description,
      content: { "application/json": { schema: z.union([ok, errorEnvelope]) } },
    };
  }
  return {
    description: `Server-Sent Events (\`data: <${stream.name} JSON>\\n\\n\`); a failure is an ` +
      "`error` event with `{code, msg}` and ends the stream" +
      (stream.jsonErrors ? "; a request refused before the stream starts: `{code, msg}` JSON" : ""),
    content: {
      "text/event-stream": { schema: sseEvent(stream.name) },
      ...(stream.jsonErrors ? { "application/json": { schema: errorEnvelope } } : {}),
    },
  };
}

/**
 * One Server-Sent Event as OpenAPI 3.0 describes a stream's items: its type and its `data`
 * line (the payload schema is a component of the document).
 */
function sseEvent(payload: string): z.ZodType {
  return z.object({
    event: z.enum(["message", "error"]).openapi({
      description: `\`message\` (no \`event:\` line): \`data\` is a ${payload}; \`error\`: ` +
        "`data` is `{code, msg}`, the last event",
    }),
    data: z.string().openapi({ description: "one line of JSON" }),
  });
}

/** The documented answers of an `/api` route: `fields` beside `code: 0` and `msg`. */
export function apiResponses(
  spec: RouteSpec,
  fields: z.ZodRawShape = {},
  options: DocOptions = {},
): RouteConfig["responses"] {
  const ok = z.object({ code: z.literal(0), msg: z.string(), ...fields }).strict();
  const text = options.description ?? "`{code: 0, msg, ...fields}`, or `{code, msg}`";
  return {
    200: okResponse(ok, text, options.stream),
    ...errorResponses(statusesOf(spec, options)),
  };
}

/** The documented answers of a `/v1/loop` route: `{code: 0, msg, data}` (no `data` if none). */
export function loopResponses(
  spec: RouteSpec,
  data?: z.ZodType,
  options: DocOptions = {},
): RouteConfig["responses"] {
  const ok = data
    ? z.object({ code: z.literal(0), msg: z.string(), data }).strict()
    : z.object({ code: z.literal(0), msg: z.string() }).strict();
  const text = options.description ?? "`{code: 0, msg, data}`, or `{code, msg}`";
  return {
    200: okResponse(ok, text, options.stream),
    ...errorResponses(statusesOf(spec, options)),
  };
}

/** A route definition with its security and answers, as `app.openapi` takes it. */
export type DocumentedRoute<R extends RouteSpec> =
  & R
  & Pick<RouteConfig, "security" | "responses">
  & { getRoutingPath(): string };

/**
 * An `/api` route: the session cookie (unless public), and a success answer with `fields` at
 * the top level beside `code: 0` and `msg` (Coze Loop's web envelope).
 */
export function apiRoute<R extends RouteSpec>(
  spec: R,
  fields: z.ZodRawShape = {},
  options: DocOptions = {},
): DocumentedRoute<R> {
  return createRoute({
    ...spec,
    security: options.public ? [] : SESSION_SECURITY,
    responses: apiResponses(spec, fields, options),
  });
}

/** A `/v1/loop` route: the bearer token, and a success answer `{code: 0, msg, data}`. */
export function loopRoute<R extends RouteSpec>(
  spec: R,
  data?: z.ZodType,
  options: DocOptions = {},
): DocumentedRoute<R> {
  return createRoute({
    ...spec,
    security: options.public ? [] : TOKEN_SECURITY,
    responses: loopResponses(spec, data, options),
  });
}
