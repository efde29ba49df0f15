/**
 * Request and answer schemas of the evaluation set routes beyond the basics (templates,
 * creation with an import, file parsing, multi-part checks, item definitions and item
 * versions), after the IDL (coze.loop.evaluation.eval_set.thrift, domain/eval_set.thrift).
 */
import { z } from "@hono/zod-openapi";
import { int64 } from "../_wire/routes.ts";
import { id64 } from "../_wire/schemas.ts";
import { baseInfoOut, contentOut, evalFieldOut, evalItemOut } from "./_schemas_eval_sets.ts";

/** `EvaluationSetTemplate`. */
export const templateOut = z.object({
  template_dataset_id: int64,
  template_dataset_name: z.string(),
  description: z.string(),
  evaluation_set_schema: z.object({ field_schemas: z.array(evalFieldOut) }),
  is_editable: z.boolean(),
}).openapi("EvaluationSetTemplate");

/** `EvaluationItemVersionRef` as sent. */
export const itemVersionRefIn = z.object({
  item_id: id64,
  item_version_id: id64.optional(),
  item_version: z.string().max(64).optional(),
});

/** `EvaluationItemVersionRef` answered. */
export const itemVersionRefOut = z.object({
  item_id: int64,
  item_version_id: int64.optional(),
  item_version: z.string().optional(),
});

/** `EvaluationItemDef`. */
export const itemDefOut = z.object({
  item_id: int64,
  workspace_id: int64,
  evaluation_set_id: int64,
  item_key: z.string().optional(),
  status: z.string().openapi({ description: "available, or deleted (only in versions)" }),
  latest_version: z.string().openapi({ description: '"" while only in the draft' }),
  base_info: baseInfoOut,
}).openapi("EvaluationItemDef");

/** `EvaluationItemVersion`. */
export const itemVersionOut = z.object({
  item_version_id: int64,
  item_id: int64,
  version: z.string().openapi({ description: "the set version it first belongs to" }),
  version_num: int64,
  description: z.string(),
  turns: evalItemOut.shape.turns,
  status: z.string().openapi({ description: "draft, committed, archived, or a label set" }),
  base_info: baseInfoOut,
}).openapi("EvaluationItemVersion");

/** `FieldData` of the evaluation API. */
export const evalFieldDataOut = z.object({
  key: z.string(),
  name: z.string(),
  content: contentOut,
});

const media = z.object({
  name: z.string().optional(),
  url: z.string().optional(),
  uri: z.string().optional(),
});
/** `UploadAttachmentDetail`. */
export const uploadDetailOut = z.object({
  content_type: z.number().int().optional().openapi({ description: "2 Image, 3 Audio, 4 Video" }),
  origin_image: media.optional(),
  image: media.optional(),
  origin_audio: media.optional(),
  audio: media.optional(),
  origin_video: media.optional(),
  video: media.optional(),
  error_type: z.number().int().optional(),
  err_msg: z.string().optional(),
}).openapi("UploadAttachmentDetail");

/** The answer of `parse_import_source_file`. */
export const parsedFileOut = {
  bytes: int64,
  field_schemas: z.array(evalFieldOut.partial()),
  conflicts: z.array(z.object({
    field_name: z.string(),
    detail_m: z.record(z.string(), evalFieldOut.partial()),
  })),
  files_with_ambiguous_column: z.array(z.string()),
  untyped_url_fields: z.array(z.string()),
  precheck_data_by_field: z.record(z.string(), z.array(z.string())),
};
