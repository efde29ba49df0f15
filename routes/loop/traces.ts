/**
 * SDK observability routes: span ingestion (SDK format), span and trace search, and
 * annotations. Ingestion never fails a batch for its content: the official SDKs crash
 * their host on a non-zero code (WIRE.md), so bad spans are repaired or dropped and counted.
 */
import { z } from "@hono/zod-openapi";
import type { IngestService } from "../../domains/observability/ingest.ts";
import type { SpanQueryService } from "../../domains/observability/query/spans.ts";
import type { AnnotationService } from "../../domains/observability/annotations.ts";
import { invalidParam } from "../../domains/errors.ts";
import { loopOk } from "../_wire/json.ts";
import { loopRoute, routeGroup } from "../_wire/routes.ts";
import { spanPageFields } from "../_wire/span_schemas.ts";
import { epochMs, id64, jsonBody } from "../_wire/schemas.ts";
import { parseFilters, spanListBody, spanListQuery } from "../_wire/filters.ts";
import { outputSpan } from "../_wire/convert_span.ts";
import type { RouteApp } from "../_env.ts";

const tags = ["observability (SDK)"];

const ingest = loopRoute({
  method: "post",
  path: "/v1/loop/traces/ingest",
  tags,
  summary: "Ingest spans in the SDK format; answers once they are durable in Kafka",
  request: { body: jsonBody(z.object({ spans: z.array(z.unknown()) }).passthrough()) },
});
const searchSpans = loopRoute({
  method: "post",
  path: "/v1/loop/spans/search",
  tags,
  summary: "Filtered, paged span list",
  request: {
    body: jsonBody(spanListBody),
  },
}, z.object(spanPageFields).strict());
const searchTrace = loopRoute({
  method: "post",
  path: "/v1/loop/traces/search",
  tags,
  summary: "The spans of one trace, by trace id or log id",
  request: {
    body: jsonBody(
      z.object({
        workspace_id: id64,
        trace_id: z.string().max(64).optional(),
        logid: z.string().max(256).optional(),
        start_time: epochMs,
        end_time: epochMs,
        limit: z.number().int().min(1).max(10_000),
        platform_type: z.string().max(32).optional(),
        span_ids: z.array(z.string().max(32)).max(1000).optional(),
        filters: z.unknown().optional(),
        page_size: z.number().int().min(1).max(1000).optional(),
        page_token: z.string().max(512).optional(),
        trace_scene: z.string().max(32).optional(),
        need_original_tags: z.boolean().optional(),
      }).strict(),
    ),
  },
}, z.object(spanPageFields).strict());
const annotationBody = z.object({
  workspace_id: id64,
  trace_id: z.string().min(1).max(64),
  span_id: z.string().max(32).optional(),
  annotation_key: z.string().min(1).max(256),
  annotation_value: z.string().max(65_536),
  annotation_value_type: z.enum(["string", "category", "number", "long", "double", "bool"])
    .optional(),
  reasoning: z.string().max(65_536).optional(),
}).strict();
const createAnnotation = loopRoute({
  method: "post",
  path: "/v1/loop/annotations",
  tags,
  summary: "Annotate a span (stored once the span exists)",
  request: { body: jsonBody(annotationBody) },
});
const deleteAnnotation = loopRoute({
  method: "delete",
  path: "/v1/loop/annotations",
  tags,
  summary: "Delete a span's annotation by key",
  request: {
    query: z.object({
      workspace_id: id64,
      trace_id: z.string().min(1).max(64),
      span_id: z.string().max(32).optional(),
      annotation_key: z.string().min(1).max(256),
    }).strict(),
  },
});

/** The SDK observability routes. */
export function loopTraceRoutes(deps: {
  ingest: IngestService;
  spans: SpanQueryService;
  annotations: AnnotationService;
}): RouteApp {
  const app = routeGroup();
  app.openapi(ingest, async (c) => {
    const { spans } = c.req.valid("json");
    const r = await deps.ingest.ingest(c.get("caller").userId, spans);
    c.header("X-Spans-Accepted", String(r.accepted));
    c.header("X-Spans-Dropped", String(r.dropped));
    return loopOk(c);
  });
  app.openapi(searchSpans, async (c) => {
    const b = c.req.valid("json");
    const page = await deps.spans.list(c.get("caller").userId, spanListQuery(b));
    return loopOk(c, {
      spans: page.spans.map((s) => outputSpan(s)),
      next_page_token: page.nextPageToken,
      has_more: page.hasMore,
    });
  });
  app.openapi(searchTrace, async (c) => {
    const b = c.req.valid("json");
    if (!b.trace_id && !b.logid) throw invalidParam("trace_id", "trace_id or logid is required");
    const spans = await deps.spans.trace(c.get("caller").userId, {
      workspaceId: b.workspace_id,
      traceId: b.trace_id || undefined,
      logId: b.logid || undefined,
      startTimeMs: Number(b.start_time),
      endTimeMs: Number(b.end_time),
      spanIds: b.span_ids,
      filters: parseFilters(b.filters),
      limit: b.limit,
    });
    const out = await Promise.all(
      spans.map(async (s) => outputSpan(s, await deps.spans.payloadUrls(s))),
    );
    return loopOk(c, { spans: out, next_page_token: "", has_more: false });
  });
  app.openapi(createAnnotation, async (c) => {
    const b = c.req.valid("json");
    await deps.annotations.create(c.get("caller").userId, {
      workspaceId: b.workspace_id,
      traceId: b.trace_id,
      spanId: b.span_id || undefined,
      key: b.annotation_key,
      value: b.annotation_value,
      valueType: b.annotation_value_type,
      reasoning: b.reasoning,
      type: "openapi_feedback",
    });
    return loopOk(c);
  });
  app.openapi(deleteAnnotation, async (c) => {
    const q = c.req.valid("query");
    await deps.annotations.remove(c.get("caller").userId, {
      workspaceId: q.workspace_id,
      traceId: q.trace_id,
      spanId: q.span_id || undefined,
      key: q.annotation_key,
    });
    return loopOk(c);
  });
  return app;
}
