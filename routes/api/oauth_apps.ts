/**
 * `/api/permission/oauth2/apps`: the caller's OAuth apps for the SDKs' JWT flow (create,
 * list, get, delete) and their public keys (add a PEM key, getting its id for the JWT's
 * `kid`; remove one). The token endpoint is in oauth_token.ts.
 */
import { z } from "@hono/zod-openapi";
import type {
  OAuthAppService,
  OAuthAppView,
  OAuthPublicKey,
} from "../../domains/foundation/oauth_apps.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, routeGroup } from "../_wire/routes.ts";
import { oauthAppOut, publicKeyOut } from "./_schemas_foundation.ts";
import { id64, jsonBody, pageNumber, pageSize } from "../_wire/schemas.ts";
import type { RouteApp } from "../_env.ts";

const tags = ["permission: OAuth apps"];
const base = "/api/permission/oauth2/apps";
const idParam = z.object({ id: id64 });

const create = apiRoute({
  method: "post",
  path: base,
  tags,
  summary: "Create an OAuth app (JWT flow); answers its client id",
  request: {
    body: jsonBody(
      z.object({
        name: z.string().min(1).max(128),
        description: z.string().max(1024).optional(),
        workspace_ids: z.array(id64).max(100).optional().openapi({
          description: "Workspaces the app may act in (the caller's); none = all of the " +
            "caller's workspaces at the time of each call",
        }),
      }).strict(),
    ),
  },
}, { app: oauthAppOut, client_id: z.string() });
const list = apiRoute({
  method: "post",
  path: `${base}/list`,
  tags,
  summary: "The caller's OAuth apps",
  request: {
    body: jsonBody(
      z.object({ page_size: pageSize.optional(), page_number: pageNumber.optional() }).strict(),
    ),
  },
}, { apps: z.array(oauthAppOut), total: z.number().int() });
const get = apiRoute({
  method: "get",
  path: `${base}/{id}`,
  tags,
  summary: "One OAuth app with its public keys",
  request: { params: idParam },
}, { app: oauthAppOut });
const remove = apiRoute({
  method: "delete",
  path: `${base}/{id}`,
  tags,
  summary: "Delete an OAuth app (its access tokens stop working at once)",
  request: { params: idParam },
});
const addKey = apiRoute({
  method: "post",
  path: `${base}/{id}/public_keys`,
  tags,
  summary: "Register a public key; its key_id is the kid of the app's JWTs " +
    "(COZELOOP_JWT_OAUTH_PUBLIC_KEY_ID)",
  request: {
    params: idParam,
    body: jsonBody(
      z.object({
        public_key: z.string().min(1).max(16_384).openapi({
          description: "PEM (-----BEGIN PUBLIC KEY-----): RSA of 2048 bits or more, or EC P-256",
        }),
        algorithm: z.enum(["RS256", "ES256"]).optional(),
      }).strict(),
    ),
  },
}, { public_key: publicKeyOut, key_id: z.string() });
const removeKey = apiRoute({
  method: "delete",
  path: `${base}/{id}/public_keys/{key_id}`,
  tags,
  summary: "Remove a public key (tokens already issued stay valid until they expire)",
  request: { params: z.object({ id: id64, key_id: z.string().min(1).max(64) }) },
});

/** The OAuth app routes. */
export function oauthAppRoutes(apps: OAuthAppService): RouteApp {
  const app = routeGroup();
  app.openapi(create, async (c) => {
    const b = c.req.valid("json");
    const created = await apps.create(c.get("caller").userId, {
      name: b.name,
      description: b.description,
      workspaceIds: b.workspace_ids,
    });
    return apiOk(c, { app: oauthApp(created), client_id: created.clientId });
  });
  app.openapi(list, async (c) => {
    const b = c.req.valid("json");
    const r = await apps.list(c.get("caller").userId, {
      pageSize: b.page_size,
      pageNumber: b.page_number,
    });
    return apiOk(c, { apps: r.apps.map(oauthApp), total: r.total });
  });
  app.openapi(get, async (c) => {
    const a = await apps.get(c.get("caller").userId, c.req.valid("param").id);
    return apiOk(c, { app: oauthApp(a) });
  });
  app.openapi(remove, async (c) => {
    await apps.remove(c.get("caller").userId, c.req.valid("param").id);
    return apiOk(c);
  });
  app.openapi(addKey, async (c) => {
    const b = c.req.valid("json");
    const key = await apps.addKey(c.get("caller").userId, c.req.valid("param").id, {
      publicKey: b.public_key,
      algorithm: b.algorithm,
    });
    return apiOk(c, { public_key: publicKey(key), key_id: key.keyId });
  });
  app.openapi(removeKey, async (c) => {
    const p = c.req.valid("param");
    await apps.removeKey(c.get("caller").userId, p.id, p.key_id);
    return apiOk(c);
  });
  return app;
}

function oauthApp(a: OAuthAppView) {
  return {
    id: a.id,
    name: a.name,
    description: a.description,
    client_id: a.clientId,
    owner_user_id: a.ownerUserId,
    workspace_ids: a.workspaceIds,
    public_keys: a.publicKeys.map(publicKey),
    created_at: BigInt(a.createdAt),
    updated_at: BigInt(a.updatedAt),
  };
}

function publicKey(k: OAuthPublicKey) {
  return {
    key_id: k.keyId,
    algorithm: k.algorithm,
    public_key: k.publicKey,
    created_at: BigInt(k.createdAt),
  };
}
