/** `/api/foundation/v1/sign_{upload,download}_files`: presigned URLs for workspace files. */
import { z } from "@hono/zod-openapi";
import {
  MAX_SIGN_KEYS,
  MAX_SIGN_TTL_SECONDS,
  type SignedUrls,
} from "../../domains/foundation/files.ts";
import type { FileService } from "../../domains/foundation/files.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, routeGroup } from "../_wire/routes.ts";
import { signHeadOut } from "./_schemas_foundation.ts";
import { i64, id64, jsonBody } from "../_wire/schemas.ts";
import type { RouteApp } from "../_env.ts";

const tags = ["foundation: files"];

const signBody = z.object({
  keys: z.array(
    z.string().openapi({
      minLength: 1, // checked by the domain, with the rest of the key rules
      description: "relative path: no leading `/`, no empty, `.` or `..` segment, no backslash " +
        "or control character",
    }),
  ).min(1).max(MAX_SIGN_KEYS).openapi({
    description: "Keys relative to the workspace, e.g. `datasets/a.csv`",
  }),
  option: z.object({
    ttl: i64.refine(
      (n) => n >= 1n && n <= BigInt(MAX_SIGN_TTL_SECONDS),
      `expected 1..${MAX_SIGN_TTL_SECONDS} seconds`,
    ).optional().openapi({ description: "Lifetime of the URLs in seconds (default 24 h)" }),
  }).strict().optional(),
  business_type: z.enum(["prompt", "evaluation", "observability"]).optional(),
  workspace_id: id64,
}).strict();

const signUpload = apiRoute({
  method: "post",
  path: "/api/foundation/v1/sign_upload_files",
  tags,
  summary: "Presigned PUT URLs for keys in a workspace, in request order",
  request: { body: jsonBody(signBody) },
}, {
  uris: z.array(z.string()).openapi({ description: "presigned PUT URLs, in request order" }),
  sign_heads: z.array(signHeadOut),
});
const signDownload = apiRoute({
  method: "post",
  path: "/api/foundation/v1/sign_download_files",
  tags,
  summary: "Presigned GET URLs for keys in a workspace, in request order",
  request: { body: jsonBody(signBody) },
}, {
  uris: z.array(z.string()).openapi({ description: "presigned GET URLs, in request order" }),
});

/** The presigning routes. */
export function fileRoutes(files: FileService): RouteApp {
  const app = routeGroup();
  app.openapi(signUpload, async (c) => {
    const b = c.req.valid("json");
    const r = await files.signUploads(c.get("caller").userId, b.workspace_id, b.keys, ttlOf(b));
    return apiOk(c, { uris: r.urls, sign_heads: r.urls.map(() => signHead(r)) });
  });
  app.openapi(signDownload, async (c) => {
    const b = c.req.valid("json");
    const r = await files.signDownloads(c.get("caller").userId, b.workspace_id, b.keys, ttlOf(b));
    return apiOk(c, { uris: r.urls });
  });
  return app;
}

function ttlOf(b: { option?: { ttl?: bigint } }): number | undefined {
  return b.option?.ttl === undefined ? undefined : Number(b.option.ttl);
}

// `file.SignHead`: only the validity window (epoch seconds as strings). Its credential fields
// (session token, access keys) stay empty: the URL carries its own signature.
function signHead(r: SignedUrls) {
  return {
    current_time: String(Math.floor(r.signedAt / 1000)),
    expired_time: String(Math.floor(r.expiresAt / 1000)),
  };
}
