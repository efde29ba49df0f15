/**
 * The LLM model catalogue: the models an operator lists in a YAML file, loaded once at
 * start-up. API keys are named by environment variable in the file and resolved from the
 * environment record main.ts passes in; they are kept apart from the public model objects so
 * that only `resolve` (for the LLM runtime) ever hands one out.
 */
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { AppError, Codes, invalidParam } from "../errors.ts";
import { modelEntries, type ModelEntry } from "./_file_schema.ts";
import type { ListModelsQuery, Model, ModelConfig, ModelPage } from "./types.ts";

const DEFAULT_PAGE_SIZE = 100;

/** The models an operator configured. */
export interface ModelCatalogue {
  /** A page of models, in file order, matching every given filter. */
  list(query: ListModelsQuery): ModelPage;
  /** One model (no api key); throws `llm resource not found` for an unknown id. */
  get(modelId: bigint, workspaceId?: bigint): Model;
  /** One model with its api key, for the LLM runtime only: never put it in a response. */
  resolve(modelId: bigint): ModelConfig;
  /** How many models there are. */
  readonly size: number;
  /** The distinct provider base URLs (what the server must be allowed to reach). */
  baseUrls(): string[];
}

/** The models file is invalid or names an environment variable that is not set. */
export class ModelCatalogueError extends Error {
  override name = "ModelCatalogueError";
}

/** `llm resource not found` for a model id. */
export function modelNotFound(modelId: bigint): AppError {
  return new AppError(Codes.llmResourceNotFound, `model ${modelId} not found`);
}

/**
 * Parses and validates a models file (`sourceName` names it in errors) and resolves each
 * model's `api_key_env` in `env`. Throws ModelCatalogueError listing every problem.
 */
export function loadModelCatalogue(
  yamlText: string,
  env: Record<string, string | undefined>,
  sourceName: string,
): ModelCatalogue {
  const fail = (lines: string[]) =>
    new ModelCatalogueError(`Invalid models file ${sourceName}:\n${lines.join("\n")}`);
  let doc: unknown;
  try {
    doc = parseYaml(yamlText, { intAsBigInt: true });
  } catch (err) {
    throw fail([`  invalid YAML: ${err instanceof Error ? err.message : String(err)}`]);
  }
  const list = topLevelList(doc);
  if (!list) throw fail(["  expected a list of models, or a mapping with a `models` list"]);
  const parsed = modelEntries.safeParse(list);
  if (!parsed.success) throw fail(parsed.error.issues.map((i) => describe(i, list)));

  const missing: string[] = [];
  const models = parsed.data.map((e, i): ModelConfig => {
    const key = e.api_key_env ? env[e.api_key_env] : undefined;
    if (e.api_key_env && !key && !e.api_key_optional) {
      missing.push(
        `  ${where(i, list)}: api_key_env: environment variable ${e.api_key_env} is not set ` +
          "(set it, or add api_key_optional: true)",
      );
    }
    return toModelConfig(e, key || undefined);
  });
  if (missing.length) throw fail(missing);
  return createModelCatalogue(models);
}

/** A catalogue over already validated models (file order is list order). */
export function createModelCatalogue(models: ModelConfig[]): ModelCatalogue {
  const byId = new Map<bigint, Model>();
  const keys = new Map<bigint, string | undefined>();
  for (const { apiKey, ...model } of models) {
    if (byId.has(model.id)) throw new ModelCatalogueError(`duplicate model id ${model.id}`);
    byId.set(model.id, deepFreeze(structuredClone(model)));
    keys.set(model.id, apiKey);
  }
  const all = [...byId.values()];
  const find = (modelId: bigint): Model => {
    const m = byId.get(modelId);
    if (!m) throw modelNotFound(modelId);
    return m;
  };
  const stamp = (m: Model, workspaceId?: bigint): Model =>
    workspaceId === undefined ? m : { ...m, workspaceId };

  return {
    size: all.length,
    baseUrls: () => [...new Set(all.map((m) => m.baseUrl))],
    list(query) {
      const matching = all.filter(matches(query));
      const size = query.pageSize ?? DEFAULT_PAGE_SIZE;
      const offset = pageOffset(query, size);
      const models = matching.slice(offset, offset + size).map((m) => stamp(m, query.workspaceId));
      const hasMore = offset + size < matching.length;
      return {
        models,
        hasMore,
        nextPageToken: hasMore ? String(offset + size) : "",
        total: matching.length,
      };
    },
    get: (modelId, workspaceId) => stamp(find(modelId), workspaceId),
    resolve(modelId) {
      const model = find(modelId);
      const apiKey = keys.get(modelId);
      return apiKey === undefined ? { ...model } : { ...model, apiKey };
    },
  };
}

// The file is either a bare list (like the reference's model_config.yaml) or `models: [...]`;
// an empty file is an empty catalogue.
function topLevelList(doc: unknown): unknown[] | undefined {
  if (doc === null || doc === undefined) return [];
  if (Array.isArray(doc)) return doc;
  if (typeof doc === "object" && Object.keys(doc).length === 1 && "models" in doc) {
    const models = (doc as { models: unknown }).models;
    return models === null ? [] : Array.isArray(models) ? models : undefined;
  }
  return undefined;
}

function matches(query: ListModelsQuery): (m: Model) => boolean {
  const f = query.filter ?? {};
  const name = f.nameLike?.trim().toLowerCase();
  return (m) =>
    (!name || m.name.toLowerCase().includes(name)) &&
    (!f.families?.length || f.families.includes(m.series?.family ?? "undefined")) &&
    (!f.statuses?.length || f.statuses.includes(m.status)) &&
    (f.abilities ?? []).every((a) => a === "undefined" || m.ability?.[a] === true);
}

// Tokens are offsets: the catalogue does not change while the process runs, so they stay valid.
function pageOffset(query: ListModelsQuery, size: number): number {
  if (query.pageToken) {
    if (!/^\d{1,9}$/.test(query.pageToken)) {
      throw invalidParam("page_token", "not a token from a previous page");
    }
    return Number(query.pageToken);
  }
  return ((query.page ?? 1) - 1) * size;
}

function toModelConfig(e: ModelEntry, apiKey: string | undefined): ModelConfig {
  return {
    id: e.id,
    name: e.name,
    desc: e.desc,
    protocol: e.protocol,
    baseUrl: e.base_url,
    model: e.model,
    ability: e.ability,
    series: e.series,
    tags: e.tags,
    status: e.status,
    paramSchemas: e.param_config.param_schemas,
    ...(apiKey === undefined ? {} : { apiKey }),
  };
}

// `models[2] (gpt-4o): param_config.param_schemas[0].max: ...`
function describe(issue: z.core.$ZodIssue, list: unknown[]): string {
  const [index, ...rest] = issue.path;
  const field = rest.reduce<string>(
    (s, k) => typeof k === "number" ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k),
    "",
  );
  const head = typeof index === "number" ? where(index, list) : "models";
  return `  ${head}: ${field ? `${field}: ` : ""}${reason(issue, list)}`;
}

function where(index: number, list: unknown[]): string {
  const entry = list[index] as { name?: unknown } | null;
  const name = entry && typeof entry === "object" && typeof entry.name === "string"
    ? ` (${entry.name})`
    : "";
  return `models[${index}]${name}`;
}

function reason(issue: z.core.$ZodIssue, list: unknown[]): string {
  // zod words a missing enum or URL as a wrong value; say what is actually wrong.
  const value = issue.path.reduce<unknown>(
    (v, k) => (v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined),
    list,
  );
  if (value === undefined && issue.code !== "custom" && issue.code !== "unrecognized_keys") {
    return "is required";
  }
  if (issue.code === "unrecognized_keys") return `unknown field(s) ${issue.keys.join(", ")}`;
  if (issue.code === "invalid_value" && typeof value === "string") {
    return `${issue.message}, got ${JSON.stringify(value)}`;
  }
  return issue.message;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
