/** Entities of the llm domain: the models of the catalogue and the ways to query them. */

/** Wire protocols a model can speak (the IDL's `manage.Protocol`). */
export const PROTOCOLS = [
  "ark",
  "openai",
  "claude",
  "deepseek",
  "ollama",
  "gemini",
  "qwen",
  "qianfan",
  "arkbot",
] as const;
/** A wire protocol of a model provider. */
export type Protocol = typeof PROTOCOLS[number];

/** Model families (the IDL's `manage.Family`); the UI groups and filters models by them. */
export const FAMILIES = [
  "undefined",
  "gpt",
  "seed",
  "gemini",
  "claude",
  "ernie",
  "baichuan",
  "qwen",
  "glm",
  "skylark",
  "moonshot",
  "minimax",
  "doubao",
  "baichuan2",
  "deepseekv2",
  "deepseek_coder_v2",
  "deepseek_coder",
  "internalm2_5",
  "qwen2",
  "qwen2.5",
  "qwen2.5_coder",
  "mini_cpm",
  "mini_cpm_3",
  "chat_glm_3",
  "mistral",
  "gemma",
  "gemma_2",
  "intern_vl2",
  "intern_vl2.5",
  "deepseek_v3",
  "deepseek_r1",
  "kimi",
  "seedream",
  "intern_vl3",
  "deepseek",
] as const;
/** A model family. */
export type Family = typeof FAMILIES[number];

/** Model statuses (the IDL's `manage.ModelStatus`). */
export const MODEL_STATUSES = ["undefined", "available", "unavailable"] as const;
/** A model's status. */
export type ModelStatus = typeof MODEL_STATUSES[number];

/** Abilities a list can be filtered by (the IDL's `manage.AbilityEnum`). */
export const ABILITIES = ["undefined", "json_mode", "function_call", "multi_modal"] as const;
/** One filterable ability. */
export type AbilityName = typeof ABILITIES[number];

/** Types of a tunable parameter. */
export const PARAM_TYPES = ["float", "int", "boolean", "string"] as const;
/** A parameter's type. */
export type ParamType = typeof PARAM_TYPES[number];

/** Video formats a multi-modal model may accept (the IDL's `manage.VideoFormat`). */
export const VIDEO_FORMATS = [
  "undefined",
  "mp4",
  "avi",
  "mov",
  "mpg",
  "webm",
  "rvmb",
  "wmv",
  "mkv",
  "t3gp",
  "flv",
  "mpeg",
  "ts",
  "rm",
  "m4v",
] as const;

/**
 * What a model can do. It keeps the IDL's `manage.Ability` field names because nothing here
 * interprets it beyond filtering: it is shown to users and handed to the runtime as written.
 * int64 counts are bigints so that they reach the wire as strings, like the IDL's js_conv.
 */
export interface Ability {
  max_context_tokens?: bigint;
  max_input_tokens?: bigint;
  max_output_tokens?: bigint;
  function_call?: boolean;
  json_mode?: boolean;
  multi_modal?: boolean;
  ability_multi_modal?: {
    image?: boolean;
    ability_image?: {
      url_enabled?: boolean;
      binary_enabled?: boolean;
      max_image_size?: bigint;
      max_image_count?: bigint;
      image_gen_enabled?: boolean;
    };
    video?: boolean;
    ability_video?: {
      max_video_size_in_mb?: number;
      supported_video_formats?: (typeof VIDEO_FORMATS[number])[];
    };
  };
  interface_category?: "undefined" | "chat_completion_api" | "response_api";
}

/** The series a model belongs to, for grouping in the UI. */
export interface Series {
  name: string;
  icon: string;
  family: Family;
}

/** One choice of an enumerated parameter. */
export interface ParamOption {
  value: string;
  label: string;
}

/**
 * A parameter users may tune (temperature, max_tokens...). Bounds and default are strings,
 * as in the IDL, already checked against the type when the catalogue was loaded.
 */
export interface ParamSchema {
  name: string;
  label: string;
  desc: string;
  type: ParamType;
  min?: string;
  max?: string;
  defaultValue?: string;
  options: ParamOption[];
}

/** A model as anyone may see it: never its api key. */
export interface Model {
  id: bigint;
  /** Set when the model is listed for a workspace (every workspace sees the whole catalogue). */
  workspaceId?: bigint;
  name: string;
  desc: string;
  protocol: Protocol;
  baseUrl: string;
  /** The provider's model name (the IDL's `identification` and `protocol_config.model`). */
  model: string;
  ability?: Ability;
  series?: Series;
  tags: string[];
  status: ModelStatus;
  paramSchemas: ParamSchema[];
}

/** Everything the LLM runtime needs to call a model, its api key included. Never answer it. */
export interface ModelConfig extends Model {
  /** Absent for models that need none (`api_key_optional`, e.g. a local ollama). */
  apiKey?: string;
}

/** Filters of a model list; each given one must match. */
export interface ModelFilter {
  /** Case-insensitive substring of the name. */
  nameLike?: string;
  families?: Family[];
  statuses?: ModelStatus[];
  /** The model must have every one of them. */
  abilities?: AbilityName[];
}

/** A model list query. */
export interface ListModelsQuery {
  workspaceId?: bigint;
  filter?: ModelFilter;
  pageSize?: number;
  /** The `nextPageToken` of the previous page. */
  pageToken?: string;
  /** A 1-based page number, used when no pageToken is given. */
  page?: number;
}

/** One page of models. */
export interface ModelPage {
  models: Model[];
  hasMore: boolean;
  /** Empty on the last page. */
  nextPageToken: string;
  total: number;
}
