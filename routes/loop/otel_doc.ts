/** The OpenAPI description of the OTLP/HTTP traces route (otel.ts). */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { errorResponses, TOKEN_SECURITY } from "../_wire/routes.ts";

const binary = z.string().openapi({ format: "binary" });

/** Registers `POST path` (OTLP traces) on `registry`. */
export function documentOtlpRoute(registry: OpenAPIHono["openAPIRegistry"], path: string): void {
  registry.registerPath({
    method: "post",
    path,
    tags: ["observability (SDK)"],
    summary: "OTLP/HTTP traces (protobuf or JSON, optionally gzip) into a workspace",
    description: "Answers an OTLP ExportTraceServiceResponse in the request's encoding: `{}`, " +
      "or `partialSuccess` counting the spans that were dropped (malformed, or in a workspace " +
      "the caller is not a member of). Bodies past the decompression cap: 413; too many bodies " +
      "being decoded at once: 503 with Retry-After.",
    security: TOKEN_SECURITY,
    request: {
      headers: z.object({
        "cozeloop-workspace-id": z.string().openapi({
          description: "the workspace (int64) the spans go to",
          example: "7300000000000000001",
        }),
        "content-encoding": z.enum(["gzip", "identity"]).optional(),
      }),
      body: {
        required: true,
        content: {
          "application/x-protobuf": { schema: binary },
          "application/json": {
            schema: z.object({ resourceSpans: z.array(z.object({}).passthrough()).optional() })
              .passthrough().openapi({ description: "OTLP/JSON ExportTraceServiceRequest" }),
          },
        },
      },
    },
    responses: {
      200: {
        description: "ExportTraceServiceResponse",
        content: {
          "application/x-protobuf": { schema: binary },
          "application/json": {
            schema: z.object({
              partialSuccess: z.object({
                rejectedSpans: z.string().regex(/^\d+$/).optional().openapi({
                  description: "int64, as a decimal string",
                }),
                errorMessage: z.string().optional(),
              }).strict().optional(),
            }).strict(),
          },
        },
      },
      ...errorResponses([400, 401, 413, 415, 500, 503]),
    },
  });
}
