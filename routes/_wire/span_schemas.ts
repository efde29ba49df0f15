/**
 * Answer schemas of spans and annotations (convert_span.ts), shared by the web and the SDK
 * observability routes. Documentation only.
 */
import { z } from "@hono/zod-openapi";
import { int64 } from "./routes.ts";

const strings = z.record(z.string(), z.string());
const longs = z.record(z.string(), int64);
// ClickHouse writes a NaN or infinite Float64 as null.
const doubles = z.record(z.string(), z.number().nullable());

/** `span.OutputSpan`: times in ms, int64 values as strings. */
export const spanOut = z.object({
  trace_id: z.string(),
  span_id: z.string(),
  parent_id: z.string(),
  span_name: z.string(),
  span_type: z.string(),
  type: z.string().openapi({ description: "a known span type, else `unknwon` (sic)" }),
  started_at: int64.openapi({ description: "epoch ms" }),
  duration: int64.openapi({ description: "ms" }),
  status: z.enum(["success", "error"]),
  status_code: z.number().int(),
  input: z.string(),
  output: z.string(),
  service_name: z.string(),
  logid: z.string(),
  call_type: z.string(),
  method: z.string(),
  object_storage: z.string(),
  tags_string: strings,
  tags_long: longs,
  tags_double: doubles,
  tags_bool: z.record(z.string(), z.boolean()),
  tags_bytes: strings,
  system_tags_string: strings,
  system_tags_long: longs,
  system_tags_double: doubles,
  attr_tos: z.object({
    input_data_url: z.string().optional(),
    output_data_url: z.string().optional(),
    multimodal_data: strings.optional(),
  }).strict().optional().openapi({
    description: "presigned URLs of the payloads stored as files (trace views only)",
  }),
}).strict().openapi("OutputSpan");

/** A page of spans. */
export const spanPageFields = {
  spans: z.array(spanOut),
  next_page_token: z.string(),
  has_more: z.boolean(),
};

/** `annotation.Annotation`: times in ms. */
export const annotationOut = z.object({
  id: z.string(),
  span_id: z.string(),
  trace_id: z.string(),
  workspace_id: z.string(),
  start_time: int64.openapi({ description: "the annotated span's start, epoch ms" }),
  type: z.string(),
  key: z.string(),
  value_type: z.enum(["string", "category", "number", "long", "double", "bool"]),
  value: z.string(),
  status: z.string(),
  reasoning: z.string(),
  base_info: z.object({
    created_by: z.object({ user_id: z.string() }).strict(),
    updated_by: z.object({ user_id: z.string() }).strict(),
    created_at: int64.openapi({ description: "epoch ms" }),
    updated_at: int64.openapi({ description: "epoch ms" }),
  }).strict(),
}).strict().openapi("Annotation");
