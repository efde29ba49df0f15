/** `/api/auth/v1/personal_access_tokens`: the caller's personal access tokens. */
import { z } from "@hono/zod-openapi";
import { DURATION_DAYS, type TokenService } from "../../domains/foundation/tokens.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, routeGroup } from "../_wire/routes.ts";
import { accessToken } from "../_wire/convert.ts";
import { accessTokenOut } from "./_schemas_foundation.ts";
import { i64, id64, jsonBody, pageNumber, pageSize } from "../_wire/schemas.ts";
import type { RouteApp } from "../_env.ts";

const tags = ["auth: personal access tokens"];
const base = "/api/auth/v1/personal_access_tokens";
const idParam = z.object({ id: id64 });

const create = apiRoute({
  method: "post",
  path: base,
  tags,
  summary: "Create a token; its value appears only in this answer",
  request: {
    body: jsonBody(
      z.object({
        name: z.string().min(1).max(128),
        expire_at: i64.optional(),
        duration_day: z.enum(DURATION_DAYS).optional(),
      }).strict(),
    ),
  },
}, {
  personal_access_token: accessTokenOut,
  token: z.string().openapi({ description: "the token value, shown once" }),
});
const list = apiRoute({
  method: "post",
  path: `${base}/list`,
  tags,
  summary: "The caller's active tokens",
  request: {
    body: jsonBody(
      z.object({ page_size: pageSize.optional(), page_number: pageNumber.optional() }).strict(),
    ),
  },
}, { personal_access_tokens: z.array(accessTokenOut) });
const get = apiRoute({
  method: "get",
  path: `${base}/{id}`,
  tags,
  summary: "One token (metadata only)",
  request: { params: idParam },
}, { personal_access_token: accessTokenOut });
const update = apiRoute({
  method: "put",
  path: `${base}/{id}`,
  tags,
  summary: "Rename a token",
  request: {
    params: idParam,
    body: jsonBody(
      z.object({ id: z.unknown().optional(), name: z.string().min(1).max(128) }).strict(),
    ),
  },
});
const remove = apiRoute({
  method: "delete",
  path: `${base}/{id}`,
  tags,
  summary: "Revoke a token (it stops working at once)",
  request: { params: idParam },
});

/** The token routes. */
export function tokenRoutes(tokens: TokenService): RouteApp {
  const app = routeGroup();
  app.openapi(create, async (c) => {
    const b = c.req.valid("json");
    const r = await tokens.create(c.get("caller").userId, {
      name: b.name,
      expireAt: b.expire_at === undefined ? undefined : Number(b.expire_at),
      durationDay: b.duration_day,
    });
    return apiOk(c, { personal_access_token: accessToken(r.record), token: r.token });
  });
  app.openapi(list, async (c) => {
    const b = c.req.valid("json");
    const items = await tokens.list(c.get("caller").userId, {
      pageSize: b.page_size,
      pageNumber: b.page_number,
    });
    return apiOk(c, { personal_access_tokens: items.map(accessToken) });
  });
  app.openapi(get, async (c) => {
    const t = await tokens.get(c.get("caller").userId, c.req.valid("param").id);
    return apiOk(c, { personal_access_token: accessToken(t) });
  });
  app.openapi(update, async (c) => {
    await tokens.rename(c.get("caller").userId, c.req.valid("param").id, c.req.valid("json").name);
    return apiOk(c);
  });
  app.openapi(remove, async (c) => {
    await tokens.remove(c.get("caller").userId, c.req.valid("param").id);
    return apiOk(c);
  });
  return app;
}
