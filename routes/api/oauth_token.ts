/**
 * `POST /api/permission/oauth2/token`: the JWT bearer grant of OAuth apps, public (no
 * session). Request and answer are the official SDKs' (see domains/foundation/oauth_jwt.ts):
 * the JWT in `Authorization: Bearer` (or `assertion` in the body, as RFC 7523 has it), a JSON
 * or form body with `grant_type` and optional `duration_seconds`; the answer
 * `{access_token, expires_in (Unix seconds of expiry), token_type}` with numbers as numbers,
 * or a 400/401 with `{error, error_code, error_message, error_description, code, msg}`.
 */
import { type RouteConfig, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { AppError } from "../../domains/errors.ts";
import type { OAuthAppService } from "../../domains/foundation/oauth_apps.ts";
import {
  JWT_BEARER_GRANT,
  OAuthError,
  type OAuthErrorCode,
} from "../../domains/foundation/oauth_jwt.ts";
import { errorResponses, routeGroup } from "../_wire/routes.ts";
import type { AppEnv, RouteApp } from "../_env.ts";

/** The token endpoint's path (public: no session). */
export const OAUTH_TOKEN_PATH = "/api/permission/oauth2/token";

const BEARER = /^Bearer\s+(\S+)$/i;

// What is read from the body; anything else (the SDKs' `scope`, `account_id`) is ignored.
const tokenRequest = z.object({
  grant_type: z.string().optional(),
  assertion: z.string().optional(),
  client_id: z.string().max(128).optional(),
  duration_seconds: z.union([z.number(), z.string().regex(/^\d{1,9}$/).transform(Number)])
    .pipe(z.number().int().min(0)).nullish(),
});

const oauthError = z.object({
  error: z.enum(["invalid_request", "invalid_client", "invalid_grant", "unsupported_grant_type"]),
  error_code: z.string().openapi({ description: "same as error" }),
  error_message: z.string(),
  error_description: z.string(),
  code: z.number().int(),
  msg: z.string(),
}).strict().openapi("OAuthError");

// Documented only: the handler reads the body itself (JSON or form) and answers OAuth errors,
// where a validated route would answer `invalid param` envelopes.
const token = {
  method: "post",
  path: OAUTH_TOKEN_PATH,
  tags: ["permission: OAuth apps"],
  summary: "Exchange a JWT signed by an app's private key for an access token",
  description: "`Authorization: Bearer <JWT>` (header `alg` RS256/ES256, `kid` = public key " +
    "id; claims `iss` = client id, `aud` = this server's host[:port], `iat`, `exp`, `jti`). " +
    `Body \`{grant_type: "${JWT_BEARER_GRANT}", duration_seconds?: 900 (max 86399)}\`. ` +
    "Answers `{access_token, expires_in, token_type}`; `expires_in` is the expiry in Unix " +
    "seconds. Errors: 400/401 `{error, error_code, error_message}`. The access token " +
    "authenticates /v1/loop like a personal access token.",
  security: [],
  request: {
    body: {
      content: {
        "application/json": { schema: tokenRequest },
        "application/x-www-form-urlencoded": { schema: tokenRequest },
      },
    },
  },
  responses: {
    200: {
      description: "An access token (numbers as JSON numbers)",
      content: {
        "application/json": {
          schema: z.object({
            access_token: z.string(),
            expires_in: z.number().int().openapi({ description: "expiry, epoch seconds" }),
            token_type: z.literal("Bearer"),
            code: z.literal(0),
            msg: z.string(),
          }).strict(),
        },
      },
    },
    400: {
      description: "invalid_request or unsupported_grant_type",
      content: { "application/json": { schema: oauthError } },
    },
    401: {
      description: "invalid_client or invalid_grant",
      content: { "application/json": { schema: oauthError } },
    },
    ...errorResponses([413, 500, 503]),
  },
} satisfies RouteConfig;

/** The token endpoint. */
export function oauthTokenRoutes(apps: OAuthAppService): RouteApp {
  const app = routeGroup();
  app.openAPIRegistry.registerPath(token);
  app.post(token.path, async (c) => {
    try {
      const body = tokenRequest.safeParse(await readBody(c));
      if (!body.success) {
        const field = body.error.issues[0]?.path.join(".") || "body";
        throw new OAuthError("invalid_request", `invalid ${field}`);
      }
      const b = body.data;
      if (!b.grant_type) throw new OAuthError("invalid_request", "grant_type is required");
      if (b.grant_type !== JWT_BEARER_GRANT) {
        throw new OAuthError(
          "unsupported_grant_type",
          `grant_type ${b.grant_type.slice(0, 80)} is not supported: use ${JWT_BEARER_GRANT}`,
        );
      }
      const jwt = BEARER.exec(c.req.header("authorization") ?? "")?.[1] ?? b.assertion ?? "";
      const r = await apps.exchange(jwt, {
        audiences: audiencesOf(c),
        durationSeconds: b.duration_seconds ?? undefined,
        clientId: b.client_id || undefined,
      });
      return answer(c, 200, {
        access_token: r.accessToken,
        expires_in: r.expireAt,
        token_type: "Bearer",
        code: 0,
        msg: "",
      });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const error: OAuthErrorCode = err instanceof OAuthError ? err.error : "invalid_request";
      c.get("logger")?.info("token request refused", { error, reason: err.message });
      return answer(c, err instanceof OAuthError ? err.status : 400, {
        error,
        error_code: error,
        error_message: err.message,
        error_description: err.message,
        code: err.code,
        msg: err.message,
      });
    }
  });
  return app;
}

// JSON (what the SDKs send) or a form (RFC 6749); an empty body is an empty request.
async function readBody(c: Context<AppEnv>): Promise<unknown> {
  const text = await c.req.text();
  if (/^application\/x-www-form-urlencoded/i.test(c.req.header("content-type") ?? "")) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new OAuthError("invalid_request", "the body is not JSON");
  }
}

// The names this request reached the server by: what an SDK puts in `aud` is its base URL's.
function audiencesOf(c: Context<AppEnv>): string[] {
  const names = [new URL(c.req.url).host, c.req.header("host") ?? ""];
  for (const h of (c.req.header("x-forwarded-host") ?? "").split(",")) names.push(h.trim());
  return [...new Set(names.filter(Boolean))];
}

// Plain JSON (numbers stay numbers: the Go SDK reads `expires_in` as an int64), never cached;
// `x-tt-logid` is what the SDKs quote in their errors.
function answer(c: Context<AppEnv>, status: number, body: Record<string, unknown>): Response {
  return c.body(JSON.stringify(body), status as 200, {
    "Content-Type": "application/json; charset=UTF-8",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "x-tt-logid": c.get("requestId") ?? "",
  });
}
