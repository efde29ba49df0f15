/**
 * `POST /v1/loop/opentelemetry/v1/traces`: OTLP/HTTP traces in protobuf or JSON, optionally
 * gzip, with the workspace in the `cozeloop-workspace-id` header. Answers an OTLP
 * ExportTraceServiceResponse in the request's encoding, with `partial_success` counting the
 * spans that were dropped (malformed, or in a workspace the caller is not a member of).
 * Decompression stops at a cap (413 past it), and only a few bodies are decompressed and
 * decoded at once: others wait briefly in a short queue, and beyond it are told to retry
 * (503 with Retry-After, which OTLP exporters honour).
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { IngestService } from "../../domains/observability/ingest.ts";
import {
  encodeOtlpResponse,
  OtlpDecodeError,
  otlpFormatOf,
} from "../../domains/observability/otlp/mod.ts";
import {
  inProcessOtlpDecoder,
  type OtlpDecoder,
} from "../../domains/observability/otlp/decode_pool.ts";
import { Codes } from "../../domains/errors.ts";
import { createGate, type Gate, GateFullError } from "../../infra/gate.ts";
import { wireJson } from "../_wire/json.ts";
import { documentOtlpRoute } from "./otel_doc.ts";
import type { AppEnv } from "../_env.ts";

/** Path of the OTLP endpoint. */
export const OTLP_TRACES_PATH = "/v1/loop/opentelemetry/v1/traces";

/**
 * Bodies decompressed and decoded at once (two per decoding worker, at least two), and how
 * many more may wait (and how long).
 */
export const OTLP_DECODE_LIMITS = { permits: 2, maxWaiting: 8, maxWaitMs: 5_000 };

/** The OTLP route (raw bodies, so not a validated JSON route). */
export function otelRoutes(
  ingest: IngestService,
  options: { maxDecodedBytes?: number; gate?: Gate; decoder?: OtlpDecoder } = {},
): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  documentOtlpRoute(app.openAPIRegistry, OTLP_TRACES_PATH);
  const decoder = options.decoder ?? inProcessOtlpDecoder;
  const gate = options.gate ??
    createGate({
      ...OTLP_DECODE_LIMITS,
      permits: Math.max(OTLP_DECODE_LIMITS.permits, 2 * decoder.size),
    });
  app.post(OTLP_TRACES_PATH, async (c) => {
    const format = otlpFormatOf(c.req.header("content-type") ?? "");
    if (!format) {
      return wireJson(c, {
        code: Codes.invalidParam,
        msg: "invalid param: Content-Type: application/x-protobuf or application/json",
      }, 415);
    }
    const workspace = c.req.header("cozeloop-workspace-id") ?? "";
    if (!/^\d{1,19}$/.test(workspace)) {
      return wireJson(c, {
        code: Codes.invalidParam,
        msg: "invalid param: cozeloop-workspace-id header: expected a workspace id",
      }, 400);
    }
    let decoded;
    try {
      // The compressed body is read first (its size is bounded by the body limit, its pace
      // by the client's network), so that a slow client holds no decoding permit.
      const body = new Uint8Array(await c.req.arrayBuffer());
      const job = {
        body,
        encoding: c.req.header("content-encoding"),
        format,
        maxBytes: options.maxDecodedBytes,
        workspaceId: workspace,
        nowUs: Date.now() * 1000,
      };
      decoded = await gate.run(() => decoder.decode(job));
    } catch (err) {
      if (err instanceof GateFullError) {
        c.set("failure", { code: Codes.tooManyRequests, reason: "OTLP decoding busy" });
        c.header("Retry-After", "1");
        return wireJson(c, {
          code: Codes.tooManyRequests,
          msg: "too many OTLP bodies being decoded, retry in 1 s",
        }, 503);
      }
      if (!(err instanceof OtlpDecodeError)) throw err;
      if (err.kind === "too_large") c.set("failure", { reason: err.message });
      const status = err.kind === "too_large"
        ? 413
        : err.kind === "unsupported_encoding"
        ? 415
        : 400;
      return wireJson(
        c,
        { code: Codes.invalidParam, msg: `invalid param: body: ${err.message}` },
        status,
      );
    }
    const r = await ingest.ingestPacked(c.get("caller").userId, decoded.groups);
    const rejected = decoded.dropped + r.dropped;
    const out = encodeOtlpResponse(
      rejected
        ? {
          rejectedSpans: rejected,
          errorMessage: `${rejected} span(s) rejected: ${
            [...decoded.reasons].slice(0, 3).join("; ") || "not a member of the workspace"
          }`,
        }
        : {},
      format,
    );
    return c.body(
      out as Uint8Array<ArrayBuffer> | string,
      200,
      { "Content-Type": format === "protobuf" ? "application/x-protobuf" : "application/json" },
    );
  });
  return app;
}
