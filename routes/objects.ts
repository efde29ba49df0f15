/**
 * The presigned URLs of the directory storage (single-process mode): `PUT` and `GET`/`HEAD`
 * under OBJECTS_PATH_PREFIX. The URL itself is the credential (HMAC-signed method, key,
 * expiry, content type or file name), so these routes take no session or token. Bodies
 * stream both ways. Answers: 403 for an altered, expired or wrong-method URL or a content
 * type other than the signed one, 404 for a missing object, 413 over the upload limit.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { Codes } from "../domains/errors.ts";
import { NotFoundError } from "../infra/errors.ts";
import type { ObjectInfo } from "../infra/storage/mod.ts";
import {
  type FsObjectStorage,
  LOCAL_OBJECTS_PATH,
  PresignedUrlError,
  type UrlGrant,
} from "../infra/storage/fs.ts";
import type { AppEnv } from "./_env.ts";
import { wireJson } from "./_wire/json.ts";
import { documentObjectRoutes } from "./objects_doc.ts";

/** Path prefix of these routes; the app must exempt it from auth and the JSON body limit. */
export const OBJECTS_PATH_PREFIX = LOCAL_OBJECTS_PATH;

/** Largest presigned upload when none is given: S3's own limit for one PUT, 5 GiB. */
export const DEFAULT_MAX_PRESIGNED_UPLOAD_BYTES = 5 * 1024 ** 3;

/** The presigned-URL routes of `storage`. */
export function localObjectRoutes(
  storage: FsObjectStorage,
  options: { maxUploadBytes?: number } = {},
): OpenAPIHono<AppEnv> {
  const maxBytes = options.maxUploadBytes ?? DEFAULT_MAX_PRESIGNED_UPLOAD_BYTES;
  const app = new OpenAPIHono<AppEnv>();
  documentObjectRoutes(app.openAPIRegistry, OBJECTS_PATH_PREFIX, maxBytes);

  // Hono routes HEAD here too; the raw method tells them apart.
  app.get(`${OBJECTS_PATH_PREFIX}/*`, async (c) => {
    const grant = await check(c, storage, "GET");
    if (grant instanceof Response) return grant;
    try {
      if (c.req.raw.method === "HEAD") {
        const info = await storage.stat(grant.key);
        if (!info) throw new NotFoundError(`no object "${grant.key}"`);
        return new Response(null, { headers: downloadHeaders(info, grant) });
      }
      const { info, body } = await storage.download(grant.key);
      return new Response(body, { headers: downloadHeaders(info, grant) });
    } catch (err) {
      if (err instanceof NotFoundError) {
        return wireJson(
          c,
          { code: Codes.resourceNotFound, msg: `Object not found: ${grant.key}` },
          404,
        );
      }
      throw err;
    }
  });

  app.put(`${OBJECTS_PATH_PREFIX}/*`, async (c) => {
    const grant = await check(c, storage, "PUT");
    if (grant instanceof Response) return grant;
    const sent = c.req.header("content-type");
    if (grant.contentType !== undefined && !sameType(grant.contentType, sent)) {
      return refused(
        c,
        `Presigned URL refused: it was signed for Content-Type ${grant.contentType}, the ` +
          `request sent ${sent ?? "none"}`,
      );
    }
    const declared = Number(c.req.header("content-length") ?? 0);
    if (declared > maxBytes) return tooLarge(c, maxBytes);
    let total = 0;
    let over = false;
    const counted = (c.req.raw.body ?? new Blob([]).stream()).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, ctrl) {
          total += chunk.byteLength;
          if (total > maxBytes) {
            over = true;
            ctrl.error(new RangeError(`upload larger than ${maxBytes} bytes`));
          } else ctrl.enqueue(chunk);
        },
      }),
    );
    try {
      const info = await storage.upload(grant.key, counted, {
        contentType: grant.contentType ?? sent,
      });
      return c.body(null, 200, { ETag: info.etag ?? "" });
    } catch (err) {
      if (over) return tooLarge(c, maxBytes);
      throw err;
    }
  });
  return app;
}

// The grant of the request's URL, or the 403 answer saying why there is none.
async function check(
  c: Context<AppEnv>,
  storage: FsObjectStorage,
  method: "GET" | "PUT",
): Promise<UrlGrant | Response> {
  try {
    return await storage.verifyPresigned(method, new URL(c.req.url));
  } catch (err) {
    if (err instanceof PresignedUrlError) return refused(c, err.message);
    throw err;
  }
}

function refused(c: Context<AppEnv>, msg: string): Response {
  return wireJson(c, { code: Codes.noPermission, msg }, 403);
}

function tooLarge(c: Context<AppEnv>, maxBytes: number): Response {
  return wireJson(c, {
    code: Codes.fileSizeExceedLimit,
    msg: `file too large: presigned uploads are limited to ${maxBytes} bytes`,
  }, 413);
}

function downloadHeaders(info: ObjectInfo, grant: UrlGrant): Headers {
  const h = new Headers({
    "Content-Type": info.contentType ?? "application/octet-stream",
    "Content-Length": String(info.size),
    // The bytes are anyone's upload, served from our own origin: never sniffed, and never
    // run as a page with our origin's cookies.
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
  });
  if (info.etag) h.set("ETag", info.etag);
  if (info.lastModified) h.set("Last-Modified", info.lastModified.toUTCString());
  if (grant.fileName !== undefined) h.set("Content-Disposition", disposition(grant.fileName));
  return h;
}

// An ASCII fallback for old clients, and the exact UTF-8 name (RFC 6266 / RFC 5987).
function disposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${
    encodeURIComponent(fileName).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16)}`)
  }`;
}

function sameType(signed: string, sent: string | undefined): boolean {
  const norm = (t: string) => t.replace(/\s+/g, "").toLowerCase();
  return sent !== undefined && norm(signed) === norm(sent);
}
