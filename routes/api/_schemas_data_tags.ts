/**
 * Schemas of the tag routes (`coze.loop.data.tag`): the request pieces (unknown fields are
 * ignored, as the reference's binding does) and the answers (documentation only).
 */
import { z } from "@hono/zod-openapi";
import {
  CHANGE_TARGETS,
  MAX_TAG_DESCRIPTION_CHARS,
  MAX_TAG_NAME_CHARS,
  OPERATIONS,
  TAG_CONTENT_TYPES,
  TAG_DOMAIN_TYPES,
  TAG_STATUSES,
  TAG_TYPES,
} from "../../domains/data/tags_types.ts";
import { int64 } from "../_wire/routes.ts";
import { i64 } from "../_wire/schemas.ts";
import type { TagValueWireIn } from "../_wire/convert_tag.ts";
import { MAX_TAG_PAGE_SIZE } from "../../domains/data/tags_paging.ts";

const ms = int64.openapi({ description: "epoch ms" });

/** A string of at most `max` characters (code points, as the domain counts them). */
function chars(max: number) {
  return z.string().max(max * 2).refine((s) => [...s].length <= max, {
    message: `longer than ${max} characters`,
  }).openapi({ maxLength: max });
}

/** A tag value in a request: with `tag_value_id` an existing one (kept), else a new one. */
export const tagValueIn: z.ZodType<TagValueWireIn> = z.object({
  tag_value_id: i64.refine((n) => n >= 0n, "expected an id").optional().openapi({
    description: "an existing value's id (0 or absent: a new value)",
  }),
  tag_value_name: chars(MAX_TAG_NAME_CHARS).openapi({ minLength: 1 }),
  description: chars(MAX_TAG_DESCRIPTION_CHARS).optional(),
  status: z.enum(["active", "inactive"]).optional().openapi({
    description: "absent: the value's current status (active for a new value)",
  }),
  get children(): z.ZodOptional<z.ZodArray<z.ZodType<TagValueWireIn>>> {
    return z.array(tagValueIn).max(1000).optional();
  },
}).openapi("TagValueInput");

const numberSpecIn = z.object({
  min_value: z.number().optional(),
  min_value_description: chars(MAX_TAG_DESCRIPTION_CHARS).optional(),
  max_value: z.number().optional(),
  max_value_description: chars(MAX_TAG_DESCRIPTION_CHARS).optional(),
});

/** `tag.TagContentSpec` in a request (kept for continuous numbers only). */
export const contentSpecIn = z.object({ continuous_number_spec: numberSpecIn.optional() });

/** A tag's name (an option list's may be empty); blank is refused for managed tags. */
export const tagNameIn = chars(MAX_TAG_NAME_CHARS);

/** The fields create and update share. */
export const tagFieldsIn = {
  description: chars(MAX_TAG_DESCRIPTION_CHARS).optional(),
  tag_content_spec: contentSpecIn.optional(),
  tag_values: z.array(tagValueIn).max(1000).optional(),
  tag_domain_types: z.array(z.enum(TAG_DOMAIN_TYPES)).max(10).optional(),
  tag_content_type: z.enum(TAG_CONTENT_TYPES).optional(),
  version: z.string().max(64).optional().openapi({
    description: "x.y.z above the current version; absent: the next patch version",
    pattern: "^(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})$",
  }),
};

/** `dataset.OrderBy`. */
const orderByIn = z.object({
  field: z.enum(["", "updated_at", "created_at"]).optional().openapi({
    description: "updated_at (default) or created_at",
  }),
  is_asc: z.boolean().optional(),
});

/** Paging fields of list requests. */
export const pagingIn = {
  page_number: z.number().int().min(1).max(1_000_000).optional(),
  page_size: z.number().int().min(1).max(MAX_TAG_PAGE_SIZE).optional(),
  page_token: z.string().max(32).optional().openapi({
    description: "next_page_token of the previous page (wins over page_number)",
    pattern: "^[0-9]{0,9}$",
  }),
  order_by: orderByIn.optional(),
};

const userOut = z.object({ user_id: z.string() }).strict();
const baseInfoOut = z.object({
  created_by: userOut,
  updated_by: userOut,
  created_at: ms,
  updated_at: ms,
}).strict().openapi("TagBaseInfo");

type TagValueOut = z.ZodObject<Record<string, z.ZodType>>;

/** `tag.TagValue`. */
export const tagValueOut: TagValueOut = z.object({
  id: int64,
  app_id: z.number().int(),
  workspace_id: int64,
  tag_key_id: int64,
  tag_value_id: int64,
  tag_value_name: z.string(),
  description: z.string().optional(),
  status: z.enum(TAG_STATUSES),
  version_num: z.number().int(),
  parent_tag_value_id: int64.openapi({ description: '"0" for a top-level value' }),
  get children(): z.ZodArray<TagValueOut> {
    return z.array(tagValueOut);
  },
  is_system: z.boolean(),
  base_info: baseInfoOut,
}).strict().openapi("TagValue");

/** `tag.ChangeLog`. */
export const changeLogOut = z.object({
  target: z.enum(CHANGE_TARGETS),
  operation: z.enum(OPERATIONS),
  before_value: z.string(),
  after_value: z.string(),
  target_value: z.string().openapi({ description: "the value's name, for value changes" }),
}).strict().openapi("TagChangeLog");

/** `tag.TagInfo`: one version of a tag. */
export const tagInfoOut = z.object({
  id: int64.openapi({ description: "the version's id" }),
  appID: z.number().int(),
  workspace_id: int64,
  version_num: z.number().int().openapi({ description: "0, 1, 2... per version" }),
  version: z.string(),
  tag_key_id: int64,
  tag_key_name: z.string(),
  description: z.string().optional(),
  status: z.enum(TAG_STATUSES),
  tag_type: z.enum(TAG_TYPES),
  parent_tag_key_id: int64.optional(),
  tag_values: z.array(tagValueOut),
  change_logs: z.array(changeLogOut).openapi({ description: "changes from the version before" }),
  content_type: z.enum(TAG_CONTENT_TYPES),
  content_spec: z.object({
    continuous_number_spec: numberSpecIn.strict().optional(),
  }).strict().optional(),
  domain_type_list: z.array(z.enum(TAG_DOMAIN_TYPES)),
  base_info: baseInfoOut,
}).strict().openapi("TagInfo");
