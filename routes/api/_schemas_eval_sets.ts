/**
 * Request and answer schemas of the evaluation set routes, after the IDL
 * (coze.loop.evaluation.eval_set.thrift, domain/eval_set.thrift, domain/common.thrift):
 * content types as strings, items as turns of `field_data_list`, metadata in `base_info`.
 * Requests validate what the server reads and ignore other fields.
 */
import { z } from "@hono/zod-openapi";
import { int64 } from "../_wire/routes.ts";
import { i64 } from "../_wire/schemas.ts";
import { limitsOut, multiModalSpecIn } from "./_schemas_data.ts";

const ms = int64.openapi({ description: "epoch ms" });
const typeName = z.string().max(32).openapi({ example: "Text" });

/** `FieldSchema` of an evaluation set, as sent (no key: a new field). */
export const evalFieldIn = z.object({
  key: z.string().max(64).optional(),
  name: z.string().max(128),
  description: z.string().max(1024).optional(),
  content_type: typeName.optional().openapi({
    description: "Text (default), Image, Audio, Video, MultiPart",
  }),
  default_display_format: z.number().int().optional(),
  status: z.number().int().optional(),
  schema_key: z.number().int().optional(),
  text_schema: z.string().max(65_536).optional(),
  multi_model_spec: multiModalSpecIn.optional(),
  hidden: z.boolean().optional(),
});

const mediaIn = z.object({
  name: z.string().max(1024).optional(),
  uri: z.string().max(1024).optional(),
});
const contentBase = {
  content_type: typeName.optional(),
  format: z.number().int().optional(),
  text: z.string().optional(),
  image: mediaIn.optional(),
  audio: mediaIn.optional(),
  video: mediaIn.optional(),
};
/** `Content` as sent; `multi_part` one level deep. */
export const contentIn = z.object({
  ...contentBase,
  multi_part: z.array(z.object(contentBase)).max(200).optional(),
});

/** `Turn`s of an item as sent. */
export const turnsIn = z.array(z.object({
  id: i64.optional(),
  field_data_list: z.array(z.object({
    key: z.string().max(64).optional(),
    name: z.string().max(128).optional(),
    content: contentIn.optional(),
  })).max(200).optional(),
})).max(1000);

/** `EvaluationSetItem` as sent. */
export const evalItemIn = z.object({
  item_key: z.string().min(1).max(255).optional(),
  turns: turnsIn.optional(),
});

const userOut = z.object({ user_id: z.string().optional() });
/** `BaseInfo`. */
export const baseInfoOut = z.object({
  created_by: userOut,
  updated_by: userOut,
  created_at: ms,
  updated_at: ms,
});

/** `FieldSchema` answered. */
export const evalFieldOut = z.object({
  key: z.string(),
  name: z.string(),
  description: z.string(),
  content_type: z.string(),
  default_display_format: z.number().int().optional(),
  status: z.number().int(),
  isRequired: z.boolean(),
  schema_key: z.number().int().optional(),
  text_schema: z.string().optional(),
  multi_model_spec: z.object({
    max_file_count: int64.optional(),
    max_file_size: int64.optional(),
    supported_formats: z.array(z.string()).optional(),
    max_part_count: z.number().int().optional(),
  }).optional(),
  hidden: z.boolean(),
}).openapi("EvaluationSetFieldSchema");

/** `EvaluationSetSchema`. */
export const evalSchemaOut = z.object({
  id: int64,
  workspace_id: int64,
  evaluation_set_id: int64,
  field_schemas: z.array(evalFieldOut),
  base_info: baseInfoOut,
}).openapi("EvaluationSetSchema");

/** `EvaluationSetVersion`. */
export const evalVersionOut = z.object({
  id: int64,
  workspace_id: int64,
  evaluation_set_id: int64,
  version: z.string(),
  version_num: int64,
  description: z.string(),
  evaluation_set_schema: evalSchemaOut.optional(),
  item_count: int64,
  base_info: baseInfoOut.optional(),
}).openapi("EvaluationSetVersion");

/** `EvaluationSet`. */
export const evalSetOut = z.object({
  id: int64,
  workspace_id: int64,
  name: z.string(),
  description: z.string(),
  status: z.number().int(),
  ...limitsOut,
  item_count: int64,
  change_uncommitted: z.boolean(),
  biz_category: z.string(),
  type: z.string(),
  evaluation_set_version: evalVersionOut,
  latest_version: z.string(),
  next_version_num: int64,
  base_info: baseInfoOut,
}).openapi("EvaluationSet");

const mediaOut = z.object({
  name: z.string(),
  uri: z.string(),
  url: z.string().optional(),
});
const contentOutBase = {
  content_type: z.string(),
  format: z.number().int().optional(),
  text: z.string().optional(),
  image: mediaOut.optional(),
  audio: mediaOut.optional(),
  video: mediaOut.optional(),
};
const partOut = z.object({
  ...contentOutBase,
  multi_part: z.array(z.object(contentOutBase)).optional(),
});
/** `Content` answered. */
export const contentOut = z.object({
  ...contentOutBase,
  multi_part: z.array(partOut).optional(),
}).openapi("EvaluationContent");

/** `EvaluationSetItem`. */
export const evalItemOut = z.object({
  id: int64,
  workspace_id: int64,
  evaluation_set_id: int64,
  schema_id: int64,
  item_id: int64,
  item_key: z.string().optional(),
  turns: z.array(z.object({
    id: int64,
    field_data_list: z.array(z.object({ key: z.string(), name: z.string(), content: contentOut })),
  })),
  base_info: baseInfoOut,
}).openapi("EvaluationSetItem");
