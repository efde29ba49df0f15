/**
 * The schema of one model in the models YAML file. Strict: an unknown field is more likely a
 * typo (or the reference's `default_val`) than something to ignore. The YAML is parsed with
 * integers as bigints so that 64-bit ids survive; fields that hold small counts accept both.
 */
import { z } from "zod";
import {
  type Ability,
  FAMILIES,
  MODEL_STATUSES,
  PARAM_TYPES,
  type ParamSchema,
  PROTOCOLS,
  VIDEO_FORMATS,
} from "./types.ts";

const INT64_MAX = 9223372036854775807n;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const id = z
  .union([z.bigint(), z.number().int(), z.string().regex(/^\d{1,19}$/, "expected an integer")])
  .transform((v) => BigInt(v))
  .refine((n) => n > 0n && n <= INT64_MAX, "expected a positive 64-bit integer");
const count = z
  .union([z.bigint(), z.number().int()])
  .transform((v) => BigInt(v))
  .refine((n) => n >= 0n && n <= INT64_MAX, "expected a non-negative 64-bit integer");
const scalar = z.union([z.string(), z.number(), z.bigint(), z.boolean()]);

const ability: z.ZodType<Ability> = z.object({
  max_context_tokens: count.optional(),
  max_input_tokens: count.optional(),
  max_output_tokens: count.optional(),
  function_call: z.boolean().optional(),
  json_mode: z.boolean().optional(),
  multi_modal: z.boolean().optional(),
  ability_multi_modal: z.object({
    image: z.boolean().optional(),
    ability_image: z.object({
      url_enabled: z.boolean().optional(),
      binary_enabled: z.boolean().optional(),
      max_image_size: count.optional(),
      max_image_count: count.optional(),
      image_gen_enabled: z.boolean().optional(),
    }).strict().optional(),
    video: z.boolean().optional(),
    ability_video: z.object({
      max_video_size_in_mb: count.transform(Number).optional(),
      supported_video_formats: z.array(z.enum(VIDEO_FORMATS)).optional(),
    }).strict().optional(),
  }).strict().optional(),
  interface_category: z.enum(["undefined", "chat_completion_api", "response_api"]).optional(),
}).strict();

const param = z.object({
  name: z.string().trim().min(1),
  label: z.string().optional(),
  desc: z.string().default(""),
  type: z.enum(PARAM_TYPES),
  min: scalar.optional(),
  max: scalar.optional(),
  default_value: scalar.optional(),
  options: z.array(z.object({ value: scalar, label: z.string().optional() }).strict())
    .default([]),
}).strict().transform((p, ctx): ParamSchema => {
  const issue = (path: string, message: string) =>
    ctx.addIssue({ code: "custom", path: [path], message });
  const numeric = p.type === "float" || p.type === "int";
  for (const key of ["min", "max"] as const) {
    if (p[key] !== undefined && !numeric) issue(key, `only float and int params have a ${key}`);
  }
  const options = p.options.map((o) => ({ value: String(o.value), label: o.label ?? "" }));
  const out: ParamSchema = {
    name: p.name,
    label: p.label ?? p.name,
    desc: p.desc,
    type: p.type,
    min: p.min === undefined ? undefined : String(p.min).trim(),
    max: p.max === undefined ? undefined : String(p.max).trim(),
    defaultValue: p.default_value === undefined ? undefined : String(p.default_value).trim(),
    options,
  };
  if (numeric) checkNumericParam(out, issue);
  if (p.type === "boolean" && out.defaultValue !== undefined) {
    if (out.defaultValue !== "true" && out.defaultValue !== "false") {
      issue("default_value", `expected true or false for a boolean param, got ${out.defaultValue}`);
    }
  }
  if (out.defaultValue !== undefined && options.length) {
    if (!options.some((o) => o.value === out.defaultValue)) {
      issue("default_value", `${out.defaultValue} is not one of the options' values`);
    }
  }
  return out;
});

// Bounds and default of a float/int param must be numbers of that type, ordered min <= default <= max.
function checkNumericParam(p: ParamSchema, issue: (path: string, message: string) => void): void {
  const num = (key: "min" | "max" | "default_value", v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = NUMERIC.test(v) ? Number(v) : NaN;
    if (!Number.isFinite(n)) return void issue(key, `expected a number, got ${JSON.stringify(v)}`);
    if (p.type === "int" && !Number.isInteger(n)) {
      return void issue(key, `expected an integer for an int param, got ${v}`);
    }
    return n;
  };
  const min = num("min", p.min);
  const max = num("max", p.max);
  const def = num("default_value", p.defaultValue);
  if (min !== undefined && max !== undefined && min > max) {
    issue("min", `min ${p.min} is greater than max ${p.max}`);
  }
  if (def !== undefined && min !== undefined && def < min) {
    issue("default_value", `${p.defaultValue} is below min ${p.min}`);
  }
  if (def !== undefined && max !== undefined && def > max) {
    issue("default_value", `${p.defaultValue} is above max ${p.max}`);
  }
}

/** One model entry of the file, validated; `api_key_env` is not resolved yet. */
export const modelEntry = z.object({
  id,
  name: z.string().trim().min(1),
  desc: z.string().default(""),
  protocol: z.enum(PROTOCOLS),
  base_url: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }),
  // A key written in the file would end up in version control and backups; refuse it.
  api_key: z.never({
    error: "api keys do not belong in the file: name an environment variable with api_key_env",
  }).optional(),
  api_key_env: z.string().regex(ENV_NAME, "expected an environment variable name").optional(),
  api_key_optional: z.boolean().default(false),
  model: z.string().trim().min(1),
  ability: ability.optional(),
  series: z.object({
    name: z.string().trim().min(1),
    icon: z.string().default(""),
    family: z.enum(FAMILIES).default("undefined"),
  }).strict().optional(),
  tags: z.array(z.string()).default([]),
  status: z.enum(MODEL_STATUSES).default("available"),
  param_config: z.object({ param_schemas: z.array(param).default([]) }).strict()
    .default({ param_schemas: [] }),
}).strict().superRefine((m, ctx) => {
  if (!m.api_key_env && !m.api_key_optional) {
    ctx.addIssue({
      code: "custom",
      path: ["api_key_env"],
      message: "is required unless api_key_optional is true",
    });
  }
  const seen = new Set<string>();
  m.param_config.param_schemas.forEach((p, i) => {
    if (seen.has(p.name)) {
      ctx.addIssue({
        code: "custom",
        path: ["param_config", "param_schemas", i, "name"],
        message: `duplicate param name ${p.name}`,
      });
    }
    seen.add(p.name);
  });
});

/** A validated model entry. */
export type ModelEntry = z.output<typeof modelEntry>;

/** Every entry of the file, with ids unique across the file. */
export const modelEntries = z.array(modelEntry).superRefine((models, ctx) => {
  const first = new Map<bigint, number>();
  models.forEach((m, i) => {
    const prev = first.get(m.id);
    if (prev === undefined) first.set(m.id, i);
    else {
      ctx.addIssue({
        code: "custom",
        path: [i, "id"],
        message: `duplicate id ${m.id} (also models[${prev}])`,
      });
    }
  });
});
