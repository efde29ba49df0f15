/** `POST /v1/loop/files/upload`: the SDKs' streamed multipart upload into a workspace. */
import { z } from "@hono/zod-openapi";
import { invalidParam } from "../../domains/errors.ts";
import type { FileService } from "../../domains/foundation/files.ts";
import { loopOk } from "../_wire/json.ts";
import { int64, loopRoute, routeGroup } from "../_wire/routes.ts";
import type { RouteApp } from "../_env.ts";
import { receiveUpload } from "./_upload_form.ts";

/** Path of the upload route; main.ts exempts it from the JSON body limit (it has its own). */
export const UPLOAD_PATH = "/v1/loop/files/upload";

const formSchema = z.object({
  workspace_id: z.string().openapi({
    description: "Workspace (int64); may also be given as a query parameter",
    example: "7300000000000000001",
  }),
  file: z.string().openapi({
    type: "string",
    format: "binary",
    description: "The file; its filename is the storage key, relative to the workspace",
  }),
});

/** The SDK file routes. */
export function loopFileRoutes(files: FileService): RouteApp {
  const app = routeGroup();
  // Registered for the document only: a zod-openapi validator would buffer the whole form,
  // and this route must stream it.
  app.openAPIRegistry.registerPath(loopRoute(
    {
      method: "post",
      path: UPLOAD_PATH,
      tags: ["foundation: files"],
      summary: `Upload one file (streamed; at most ${files.maxUploadBytes} bytes)`,
      description: "Answers `{code, msg, data: {bytes, file_name}}`; over the limit: HTTP 413 " +
        "with code 602001001.",
      request: {
        query: z.object({ workspace_id: z.string().optional() }),
        body: { content: { "multipart/form-data": { schema: formSchema } }, required: true },
      },
    },
    z.object({
      bytes: int64.openapi({ description: "bytes stored" }),
      file_name: z.string().openapi({ description: "the storage key, relative to the workspace" }),
    }).strict(),
  ));
  app.post(UPLOAD_PATH, async (c) => {
    const contentType = c.req.header("content-type") ?? "";
    if (!/^multipart\/form-data\s*;/i.test(contentType)) {
      throw invalidParam("body", "expected Content-Type: multipart/form-data with a boundary");
    }
    const body = c.req.raw.body;
    if (!body) throw invalidParam("file", "is required");
    const r = await receiveUpload(body, contentType, {
      files,
      userId: c.get("caller").userId,
      queryWorkspaceId: c.req.query("workspace_id"),
    });
    return loopOk(c, { bytes: BigInt(r.bytes), file_name: r.fileName });
  });
  return app;
}
