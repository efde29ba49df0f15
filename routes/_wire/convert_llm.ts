/**
 * llm entities to their wire shapes (the IDL's `manage.Model`). Fields are picked one by one
 * so that nothing secret can slip through: `protocol_config` carries only base_url and model.
 */
import type { Model, ParamSchema } from "../../domains/llm/types.ts";

/** `manage.Model` (never the api key). */
export function llmModel(m: Model) {
  return {
    model_id: m.id,
    workspace_id: m.workspaceId,
    name: m.name,
    desc: m.desc,
    ability: m.ability,
    protocol: m.protocol,
    protocol_config: { base_url: m.baseUrl, model: m.model },
    param_config: { param_schemas: m.paramSchemas.map(paramSchema) },
    identification: m.model,
    series: m.series,
    icon: m.series?.icon || undefined,
    tags: m.tags,
    status: m.status,
    // Every catalogue model comes from the operator's file, which is what "preset" means.
    preset_model: true,
  };
}

/** `manage.ParamSchema`. */
export function paramSchema(p: ParamSchema) {
  return {
    name: p.name,
    label: p.label,
    desc: p.desc,
    type: p.type,
    min: p.min,
    max: p.max,
    default_value: p.defaultValue,
    options: p.options.map((o) => ({ value: o.value, label: o.label })),
  };
}
