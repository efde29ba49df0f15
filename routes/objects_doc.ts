/**
 * The OpenAPI description of the presigned-URL routes of the directory storage (objects.ts):
 * the URL's query string is the credential, so they have no security scheme.
 */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { errorResponses } from "./_wire/routes.ts";

const tags = ["objects (presigned URLs)"];
const signed = {
  expires: z.string().regex(/^\d{1,16}$/).openapi({ description: "expiry, epoch ms (signed)" }),
  signature: z.string().openapi({ description: "the URL's HMAC signature" }),
};
const key = z.object({
  key: z.string().min(1).openapi({
    description: "the object key (its `/` separators are part of the path)",
  }),
});

/** Registers GET and PUT of `prefix/{key}` on `registry`. */
export function documentObjectRoutes(
  registry: OpenAPIHono["openAPIRegistry"],
  prefix: string,
  maxUploadBytes: number,
): void {
  registry.registerPath({
    method: "get",
    path: `${prefix}/{key}`,
    tags,
    summary: "Download an object with a presigned GET URL (HEAD answers the headers only)",
    security: [],
    request: {
      params: key,
      query: z.object({
        ...signed,
        filename: z.string().optional().openapi({
          description: "download name for Content-Disposition (signed)",
        }),
      }),
    },
    responses: {
      200: {
        description: "The object's bytes, with its Content-Type, ETag and Last-Modified",
        content: {
          "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) },
        },
      },
      ...errorResponses([403, 404, 500, 503]),
    },
  });
  registry.registerPath({
    method: "put",
    path: `${prefix}/{key}`,
    tags,
    summary: `Upload an object with a presigned PUT URL (at most ${maxUploadBytes} bytes)`,
    description: "The Content-Type must be the signed one, when the URL names one.",
    security: [],
    request: {
      params: key,
      query: z.object({
        ...signed,
        "content-type": z.string().optional().openapi({
          description: "the Content-Type the upload must have (signed)",
        }),
      }),
      body: {
        content: {
          "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) },
        },
      },
    },
    responses: {
      200: { description: "Stored; empty body, the ETag header names the stored bytes" },
      ...errorResponses([403, 413, 500, 503]),
    },
  });
}
