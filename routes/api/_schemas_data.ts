/**
 * Request and answer schemas of the dataset routes (`/api/data/v1/...`), after the IDL
 * (coze.loop.data.dataset.thrift, domain/dataset.thrift). Requests validate the fields the
 * server reads and ignore others (the official frontend sends more than the IDL names);
 * content types and other enums are integers on this API. Answers are documentation.
 */
import { z } from "@hono/zod-openapi";
import { int64 } from "../_wire/routes.ts";
import { i64, id64 } from "../_wire/schemas.ts";

const ms = int64.openapi({ description: "epoch ms" });
/** A count given as a JSON number or an int64 string. */
const count = z.union([z.number().int().min(0), z.string().regex(/^\d{1,15}$/)])
  .transform(Number).openapi({ type: "string", example: "100" });

/** A boolean, also as the strings "true" and "false" (query parameters). */
export const boolIn = z.union([
  z.boolean(),
  z.enum(["true", "false"]).transform((v) => v === "true"),
]);

/** `OrderBy` list (the first is used). */
export const orderBysIn = z.array(
  z.object({ field: z.string().max(64).optional(), is_asc: z.boolean().optional() }),
).max(10);

/** Paging fields of the list requests. */
export const pagingIn = {
  page_number: z.number().int().min(1).max(100_000).optional(),
  page_size: z.number().int().min(1).max(200).optional(),
  page_token: z.string().max(128).optional(),
  order_bys: orderBysIn.optional(),
};

/** `MultiModalSpec`. */
export const multiModalSpecIn = z.object({
  max_file_count: count.optional(),
  max_file_size: count.optional(),
  supported_formats: z.array(z.string().max(32)).max(100).optional(),
  max_part_count: z.number().int().min(0).optional(),
});

/** `FieldSchema` as sent (no key: a new field). `schemaKey` is the IDL's spelling. */
export const fieldSchemaIn = z.object({
  key: z.string().max(64).optional(),
  name: z.string().max(128),
  description: z.string().max(1024).optional(),
  content_type: z.number().int(),
  default_format: z.number().int().optional(),
  schemaKey: z.number().int().optional(),
  schema_key: z.number().int().optional(),
  text_schema: z.string().max(65_536).optional(),
  multi_model_spec: multiModalSpecIn.optional(),
  hidden: z.boolean().optional(),
  status: z.number().int().optional(),
});

/** `ObjectStorage`: `uri` is the key of an object of the workspace. */
export const attachmentIn = z.object({
  provider: z.number().int().optional(),
  name: z.string().max(1024).optional(),
  uri: z.string().max(1024).optional(),
});

const valueIn = {
  key: z.string().max(64).optional(),
  name: z.string().max(128).optional(),
  content_type: z.number().int().optional(),
  format: z.number().int().optional(),
  content: z.string().optional(),
  attachments: z.array(attachmentIn).max(100).optional(),
};

/** `FieldData` as sent; `parts` of a multi-part value are one level deep. */
export const fieldDataIn = z.object({
  ...valueIn,
  parts: z.array(z.object(valueIn)).max(200).optional(),
});

/** `DatasetItem` as sent. */
export const itemIn = z.object({
  item_key: z.string().min(1).max(255).optional(),
  data: z.array(fieldDataIn).max(200).optional(),
  repeated_data: z.array(
    z.object({ id: i64.optional(), data: z.array(fieldDataIn).max(200).optional() }),
  ).max(1000).optional(),
});

/** A list of ids (`dataset_ids`, `item_ids`, `version_ids`). */
export const idsIn = z.array(id64).max(100);

/** `FieldSchema`. */
export const fieldSchemaOut = z.object({
  key: z.string(),
  name: z.string(),
  description: z.string(),
  content_type: z.number().int(),
  default_format: z.number().int().optional(),
  schemaKey: z.number().int().optional(),
  text_schema: z.string().optional(),
  multi_model_spec: z.object({
    max_file_count: int64.optional(),
    max_file_size: int64.optional(),
    supported_formats: z.array(z.string()).optional(),
    max_part_count: z.number().int().optional(),
  }).optional(),
  hidden: z.boolean(),
  status: z.number().int().openapi({ description: "1 available, 2 deleted" }),
}).openapi("DatasetFieldSchema");

/** `DatasetSchema`. */
export const datasetSchemaOut = z.object({
  id: int64,
  space_id: int64,
  dataset_id: int64,
  fields: z.array(fieldSchemaOut),
  immutable: z.boolean(),
  created_by: z.string(),
  created_at: ms,
  updated_by: z.string(),
  updated_at: ms,
  update_version: int64,
}).openapi("DatasetSchema");

/** A dataset's `spec` and `features`. */
export const limitsOut = {
  spec: z.object({
    max_item_count: int64,
    max_field_count: z.number().int(),
    max_item_size: int64,
  }),
  features: z.object({
    editSchema: z.boolean(),
    repeatedData: z.boolean(),
    multiModal: z.boolean(),
  }),
};

/** `Dataset`. */
export const datasetOut = z.object({
  id: int64,
  space_id: int64,
  schema_id: int64,
  name: z.string(),
  description: z.string(),
  status: z.number().int(),
  category: z.number().int(),
  biz_category: z.string(),
  schema: datasetSchemaOut,
  security_level: z.number().int(),
  visibility: z.number().int(),
  ...limitsOut,
  latest_version: z.string(),
  next_version_num: int64,
  item_count: int64,
  created_by: z.string(),
  created_at: ms,
  updated_by: z.string(),
  updated_at: ms,
  change_uncommitted: z.boolean(),
}).openapi("Dataset");

const attachmentOut = z.object({
  provider: z.number().int(),
  name: z.string(),
  uri: z.string(),
  url: z.string().optional().openapi({ description: "presigned download URL" }),
});
const valueOut = {
  key: z.string(),
  name: z.string(),
  content_type: z.number().int(),
  format: z.number().int().optional(),
  content: z.string().optional(),
  attachments: z.array(attachmentOut).optional(),
};
/** `FieldData`. */
export const fieldDataOut = z.object({
  ...valueOut,
  parts: z.array(z.object({ ...valueOut, key: z.string().optional() })).optional(),
}).openapi("DatasetFieldData");

/** `DatasetItem`. */
export const itemOut = z.object({
  id: int64,
  space_id: int64,
  dataset_id: int64,
  schema_id: int64,
  item_id: int64,
  item_key: z.string().optional(),
  data: z.array(fieldDataOut).optional(),
  repeated_data: z.array(z.object({ id: int64, data: z.array(fieldDataOut) })).optional(),
  created_by: z.string(),
  created_at: ms,
  updated_by: z.string(),
  updated_at: ms,
}).openapi("DatasetItem");

/** `DatasetVersion`. */
export const versionOut = z.object({
  id: int64,
  space_id: int64,
  dataset_id: int64,
  schema_id: int64,
  version: z.string(),
  version_num: int64,
  description: z.string(),
  dataset_brief: z.string(),
  item_count: int64,
  snapshot_status: z.number().int(),
  created_by: z.string(),
  created_at: ms,
}).openapi("DatasetVersion");

/** The options of an items batch create: all or nothing, unless one of them is set. */
export const batchCreateOptionsIn = {
  skip_invalid_items: z.boolean().optional(),
  allow_partial_add: z.boolean().optional(),
};

/** `ItemErrorGroup`. */
export const itemErrorGroupOut = z.object({
  type: z.number().int(),
  summary: z.string(),
  error_count: z.number().int(),
  details: z.array(z.object({
    message: z.string().optional(),
    index: z.number().int().optional(),
    start_index: z.number().int().optional(),
    end_index: z.number().int().optional(),
  })),
}).openapi("ItemErrorGroup");

/** The answer of an items batch create. */
export const batchCreateOut = {
  added_items: z.record(z.string(), int64).openapi({
    description: "index in `items` -> item id (an item whose item_key exists: its id)",
  }),
  errors: z.array(itemErrorGroupOut),
};
