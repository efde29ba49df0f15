/** Answer schema of the model routes: the IDL's `manage.Model` as convert_llm.ts writes it. */
import { z } from "@hono/zod-openapi";
import {
  FAMILIES,
  MODEL_STATUSES,
  PARAM_TYPES,
  PROTOCOLS,
  VIDEO_FORMATS,
} from "../../domains/llm/types.ts";
import { int64 } from "../_wire/routes.ts";

const ability = z.object({
  max_context_tokens: int64.optional(),
  max_input_tokens: int64.optional(),
  max_output_tokens: int64.optional(),
  function_call: z.boolean().optional(),
  json_mode: z.boolean().optional(),
  multi_modal: z.boolean().optional(),
  ability_multi_modal: z.object({
    image: z.boolean().optional(),
    ability_image: z.object({
      url_enabled: z.boolean().optional(),
      binary_enabled: z.boolean().optional(),
      max_image_size: int64.optional(),
      max_image_count: int64.optional(),
      image_gen_enabled: z.boolean().optional(),
    }).strict().optional(),
    video: z.boolean().optional(),
    ability_video: z.object({
      max_video_size_in_mb: z.number().optional(),
      supported_video_formats: z.array(z.enum(VIDEO_FORMATS)).optional(),
    }).strict().optional(),
  }).strict().optional(),
  interface_category: z.enum(["undefined", "chat_completion_api", "response_api"]).optional(),
}).strict().openapi("ModelAbility");

const paramSchema = z.object({
  name: z.string(),
  label: z.string(),
  desc: z.string(),
  type: z.enum(PARAM_TYPES),
  min: z.string().optional(),
  max: z.string().optional(),
  default_value: z.string().optional(),
  options: z.array(z.object({ value: z.string(), label: z.string() }).strict()),
}).strict().openapi("ModelParamSchema");

/** `manage.Model` (never the api key). */
export const modelOut = z.object({
  model_id: int64,
  workspace_id: int64.optional(),
  name: z.string(),
  desc: z.string(),
  ability: ability.optional(),
  protocol: z.enum(PROTOCOLS),
  protocol_config: z.object({ base_url: z.string(), model: z.string() }).strict(),
  param_config: z.object({ param_schemas: z.array(paramSchema) }).strict(),
  identification: z.string().openapi({ description: "the provider's model name" }),
  series: z.object({ name: z.string(), icon: z.string(), family: z.enum(FAMILIES) }).strict()
    .optional(),
  icon: z.string().optional(),
  tags: z.array(z.string()),
  status: z.enum(MODEL_STATUSES),
  preset_model: z.boolean(),
}).strict().openapi("Model");
