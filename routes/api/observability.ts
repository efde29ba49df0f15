/** `/api/observability/v1/*`: span list, trace view, filterable fields, annotations (web UI). */
import { z } from "@hono/zod-openapi";
import type { SpanQueryService } from "../../domains/observability/query/spans.ts";
import type { SpanRow } from "../../domains/observability/types.ts";
import type { AnnotationService } from "../../domains/observability/annotations.ts";
import { fieldMeta } from "../../domains/observability/query/fields.ts";
import type { Authz } from "../../domains/foundation/authz.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, int64, routeGroup } from "../_wire/routes.ts";
import { annotationOut, spanOut, spanPageFields } from "../_wire/span_schemas.ts";
import { epochMs, id64, jsonBody } from "../_wire/schemas.ts";
import { spanListBody, spanListQuery } from "../_wire/filters.ts";
import { outputAnnotation, outputSpan } from "../_wire/convert_span.ts";
import type { RouteApp } from "../_env.ts";

const tags = ["observability"];
const base = "/api/observability/v1";
const hex = (max: number) => z.string().regex(/^[0-9a-fA-F]+$/, "expected hex").max(max);

const listSpans = apiRoute({
  method: "post",
  path: `${base}/spans/list`,
  tags,
  summary: "Filtered, paged span list (root, all or LLM spans)",
  request: {
    body: jsonBody(spanListBody),
  },
}, spanPageFields);
const getTrace = apiRoute({
  method: "get",
  path: `${base}/traces/{trace_id}`,
  tags,
  summary: "Every span of a trace",
  request: {
    params: z.object({ trace_id: hex(64) }),
    query: z.object({
      workspace_id: id64,
      start_time: epochMs,
      end_time: epochMs,
      platform_type: z.string().max(32).optional(),
    }).passthrough(),
  },
}, {
  spans: z.array(spanOut),
  traces_advance_info: z.object({
    trace_id: z.string(),
    tokens: z.object({ input: int64, output: int64 }).strict(),
  }).strict(),
});
const metaInfo = apiRoute({
  method: "get",
  path: `${base}/traces/meta_info`,
  tags,
  summary: "The filterable span fields",
  request: {
    query: z.object({
      workspace_id: id64,
      platform_type: z.string().max(32).optional(),
      span_list_type: z.string().max(32).optional(),
    }),
  },
}, {
  field_metas: z.record(
    z.string(),
    z.object({
      value_type: z.enum(["string", "long", "double", "bool"]),
      filter_types: z.array(z.string()),
    }).strict(),
  ),
  key_span_type: z.array(z.string()),
});
const annotation = z.object({
  id: z.string().optional(),
  span_id: hex(32),
  trace_id: hex(64),
  workspace_id: z.string().regex(/^\d{1,19}$/, "expected a workspace id"),
  start_time: epochMs.optional(),
  type: z.string().max(32).optional(),
  key: z.string().min(1).max(256),
  value_type: z.enum(["string", "category", "number", "long", "double", "bool"]).optional(),
  value: z.string().max(65_536),
  status: z.string().max(32).optional(),
  reasoning: z.string().max(65_536).optional(),
}).passthrough();
const createAnnotation = apiRoute({
  method: "post",
  path: `${base}/annotations`,
  tags,
  summary: "Create a manual annotation on a span",
  request: {
    body: jsonBody(z.object({ annotation, platform_type: z.string().max(32).optional() }).strict()),
  },
}, { annotation_id: z.string() });
const updateAnnotation = apiRoute({
  method: "put",
  path: `${base}/annotations/{annotation_id}`,
  tags,
  summary: "Change an annotation",
  request: {
    params: z.object({ annotation_id: z.string().min(1).max(64) }),
    body: jsonBody(z.object({ annotation, platform_type: z.string().max(32).optional() }).strict()),
  },
});
const deleteAnnotation = apiRoute({
  method: "delete",
  path: `${base}/annotations/{annotation_id}`,
  tags,
  summary: "Delete an annotation",
  request: {
    params: z.object({ annotation_id: z.string().min(1).max(64) }),
    query: z.object({
      workspace_id: id64,
      trace_id: hex(64),
      span_id: hex(32).optional(),
      start_time: epochMs.optional(),
      annotation_key: z.string().max(256).optional(),
      platform_type: z.string().max(32).optional(),
    }),
  },
});
const listAnnotations = apiRoute({
  method: "post",
  path: `${base}/annotations/list`,
  tags,
  summary: "Annotations of a span",
  request: {
    body: jsonBody(
      z.object({
        workspace_id: id64,
        span_id: hex(32),
        trace_id: hex(64),
        start_time: epochMs.optional(),
        platform_type: z.string().max(32).optional(),
        desc_by_updated_at: z.boolean().optional(),
      }).strict(),
    ),
  },
}, { annotations: z.array(annotationOut) });

/** How much of a span's input and output the web list shows unless `without_clip`. */
export const LIST_CLIP_CHARS = 2_048;

function clipped(s: SpanRow): SpanRow {
  const cut = (t: string) => (t.length > LIST_CLIP_CHARS ? t.slice(0, LIST_CLIP_CHARS) : t);
  return { ...s, input: cut(s.input), output: cut(s.output) };
}

/** The web observability routes. */
export function observabilityRoutes(deps: {
  authz: Authz;
  spans: SpanQueryService;
  annotations: AnnotationService;
}): RouteApp {
  const app = routeGroup();
  // meta_info before {trace_id}: routes match in the order they are added.
  app.openapi(listSpans, async (c) => {
    const b = c.req.valid("json");
    const page = await deps.spans.list(c.get("caller").userId, spanListQuery(b));
    return apiOk(c, {
      // A list shows previews: input and output are clipped unless the caller asks for all.
      spans: page.spans.map((s) => outputSpan(b.without_clip ? s : clipped(s))),
      next_page_token: page.nextPageToken,
      has_more: page.hasMore,
    });
  });
  app.openapi(metaInfo, async (c) => {
    await deps.authz.requireMember(c.get("caller").userId, c.req.valid("query").workspace_id);
    const field_metas = Object.fromEntries(
      fieldMeta().map((f) => [f.name, { value_type: f.type, filter_types: f.query_types }]),
    );
    return apiOk(c, { field_metas, key_span_type: ["model", "LLMCall", "agent", "tool"] });
  });
  app.openapi(getTrace, async (c) => {
    const q = c.req.valid("query");
    const traceId = c.req.valid("param").trace_id;
    const spans = await deps.spans.trace(c.get("caller").userId, {
      workspaceId: q.workspace_id,
      traceId,
      startTimeMs: Number(q.start_time),
      endTimeMs: Number(q.end_time),
    });
    const out = await Promise.all(
      spans.map(async (s) => outputSpan(s, await deps.spans.payloadUrls(s))),
    );
    let input = 0n;
    let output = 0n;
    for (const s of spans) {
      input += BigInt(s.tags_long.input_tokens ?? 0);
      output += BigInt(s.tags_long.output_tokens ?? 0);
    }
    return apiOk(c, {
      spans: out,
      traces_advance_info: { trace_id: traceId.toLowerCase(), tokens: { input, output } },
    });
  });
  app.openapi(createAnnotation, async (c) => {
    const a = c.req.valid("json").annotation;
    const r = await deps.annotations.create(c.get("caller").userId, {
      workspaceId: BigInt(a.workspace_id),
      traceId: a.trace_id,
      spanId: a.span_id,
      key: a.key,
      value: a.value,
      valueType: a.value_type,
      reasoning: a.reasoning,
      type: "manual_feedback",
    });
    return apiOk(c, { annotation_id: r.id });
  });
  app.openapi(updateAnnotation, async (c) => {
    const a = c.req.valid("json").annotation;
    await deps.annotations.update(c.get("caller").userId, c.req.valid("param").annotation_id, {
      workspaceId: BigInt(a.workspace_id),
      traceId: a.trace_id,
      spanId: a.span_id,
      key: a.key,
      value: a.value,
      valueType: a.value_type,
      reasoning: a.reasoning,
    });
    return apiOk(c);
  });
  app.openapi(deleteAnnotation, async (c) => {
    const q = c.req.valid("query");
    await deps.annotations.remove(c.get("caller").userId, {
      workspaceId: q.workspace_id,
      id: c.req.valid("param").annotation_id,
      traceId: q.trace_id,
      spanId: q.span_id,
    });
    return apiOk(c);
  });
  app.openapi(listAnnotations, async (c) => {
    const b = c.req.valid("json");
    const list = await deps.annotations.list(c.get("caller").userId, {
      workspaceId: b.workspace_id,
      traceId: b.trace_id,
      spanId: b.span_id,
    });
    if (b.desc_by_updated_at) list.sort((x, y) => y.updatedAt - x.updatedAt);
    return apiOk(c, { annotations: list.map(outputAnnotation) });
  });
  return app;
}
