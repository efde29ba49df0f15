/**
 * `prompts/mget` for SDKs: prompts by key + version, key + label, or key alone (latest),
 * answered in request order with each query echoed. A prompt that does not resolve fails
 * the call (the official SDKs treat an empty list as success). Served from the two-layer
 * prompt cache, negative answers included; rate-limited per workspace.
 */
import type { Limiter } from "../../infra/redis/limiter.ts";
import { AppError, Codes, invalidParam } from "../errors.ts";
import type { Authz } from "../foundation/authz.ts";
import type { PromptCache } from "./cache.ts";
import type { PromptDetail } from "./detail.ts";
import type { LabelService } from "./labels.ts";
import { createPromptRepo } from "./repo.ts";
import type { Database } from "../../infra/db/mod.ts";
import type { Prompt } from "./types.ts";

/** One query of mget. */
export interface PromptQuery {
  prompt_key: string;
  version?: string;
  label?: string;
}

/** A prompt version in the SDK's shape (ids as strings). */
export interface HubPrompt {
  id: string;
  workspace_id: string;
  prompt_key: string;
  version: string;
  display_name: string;
  description: string;
  prompt_type: string;
  prompt_template: NonNullable<PromptDetail["prompt_template"]>;
  tools: NonNullable<PromptDetail["tools"]>;
  tool_call_config?: PromptDetail["tool_call_config"];
  llm_config?: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

type Entry = { prompt: HubPrompt } | { error: { code: number; msg: string } };

const MAX_QUERIES = 100;

/** The prompt hub service. */
export interface PromptHubService {
  mget(
    userId: bigint,
    workspaceId: bigint,
    queries: PromptQuery[],
  ): Promise<{ query: PromptQuery; prompt: HubPrompt }[]>;
  /** One resolved prompt version (execute). */
  resolve(userId: bigint, workspaceId: bigint, query: PromptQuery): Promise<HubPrompt>;
}

/** Creates the service; `qps` is the per-workspace rate limit. */
export function createPromptHubService(deps: {
  db: Database;
  authz: Authz;
  limiter: Limiter;
  labels: LabelService;
  cache: PromptCache<Entry>;
  qps?: number;
}): PromptHubService {
  const repo = createPromptRepo(deps.db);
  const qps = deps.qps ?? 1_000;

  const selectorOf = (q: PromptQuery) =>
    q.version ? `v:${q.version}` : q.label ? `l:${q.label}` : "latest";

  const load = async (space: bigint, misses: PromptQuery[]): Promise<Entry[]> => {
    const prompts = new Map(
      (await repo.byKeys(space, [...new Set(misses.map((q) => q.prompt_key))])).map((
        p,
      ) => [p.promptKey, p]),
    );
    return await Promise.all(misses.map(async (q): Promise<Entry> => {
      const p = prompts.get(q.prompt_key);
      if (!p) {
        return fail(Codes.promptNotFound, `prompt "${q.prompt_key}" not found in this workspace`);
      }
      let version = q.version;
      if (!version && q.label) {
        version = (await deps.labels.mapping(p.id)).get(q.label);
        if (!version) {
          return fail(
            Codes.promptLabelUnassociated,
            `label "${q.label}" is not on any version of "${q.prompt_key}"`,
          );
        }
      }
      version ??= p.latestVersion;
      if (!version) {
        return fail(Codes.promptUncommitted, `prompt "${q.prompt_key}" has no committed version`);
      }
      const c = await repo.commit(p.id, version);
      if (!c) {
        return fail(
          Codes.promptVersionNotExist,
          `version ${version} of "${q.prompt_key}" does not exist`,
        );
      }
      return { prompt: toHub(p, version, c.detail) };
    }));
  };

  const mget = async (userId: bigint, space: bigint, queries: PromptQuery[]) => {
    if (queries.length === 0 || queries.length > MAX_QUERIES) {
      throw invalidParam("queries", `1..${MAX_QUERIES} queries`);
    }
    await deps.authz.requireMember(userId, space);
    const limit = await deps.limiter.allowN(`prompt_hub:${space}`, 1, {
      rate: qps,
      burst: qps * 2,
    });
    if (!limit.allowed) {
      throw new AppError(
        Codes.promptHubQpsLimit,
        `prompt hub rate limit of ${qps}/s exceeded for this workspace`,
        { status: 429 },
      );
    }
    const items = queries.map((q) => ({ key: q.prompt_key, selector: selectorOf(q) }));
    const { values, gens } = await deps.cache.getMany(space, items);
    const missIdx = values.map((v, i) => (v === undefined ? i : -1)).filter((i) => i >= 0);
    if (missIdx.length) {
      const loaded = await load(space, missIdx.map((i) => queries[i]));
      missIdx.forEach((i, j) => (values[i] = loaded[j]));
      await deps.cache.setMany(
        space,
        missIdx.map((i, j) => ({ ...items[i], value: loaded[j] })),
        gens,
      );
    }
    return values.map((v, i) => {
      const e = v as Entry;
      if ("error" in e) throw new AppError(e.error.code, e.error.msg);
      return { query: queries[i], prompt: e.prompt };
    });
  };

  return {
    mget,
    async resolve(userId, workspaceId, query) {
      return (await mget(userId, workspaceId, [query]))[0].prompt;
    },
  };
}

function fail(code: number, msg: string): Entry {
  return { error: { code, msg } };
}

function toHub(p: Prompt, version: string, d: PromptDetail): HubPrompt {
  const m = d.model_config;
  return {
    id: p.id.toString(),
    workspace_id: p.workspaceId.toString(),
    prompt_key: p.promptKey,
    version,
    display_name: p.displayName,
    description: p.description,
    prompt_type: p.promptType,
    prompt_template: {
      template_type: d.prompt_template?.template_type ?? "normal",
      messages: d.prompt_template?.messages ?? [],
      variable_defs: d.prompt_template?.variable_defs ?? [],
    },
    tools: d.tools ?? [],
    tool_call_config: d.tool_call_config,
    llm_config: m
      ? {
        temperature: m.temperature,
        max_tokens: m.max_tokens,
        top_k: m.top_k,
        top_p: m.top_p,
        presence_penalty: m.presence_penalty,
        frequency_penalty: m.frequency_penalty,
        json_mode: m.json_mode,
        id: m.model_id === undefined ? undefined : String(m.model_id),
      }
      : undefined,
    created_at: String(p.createdAt.getTime()),
    updated_at: String(p.updatedAt.getTime()),
  };
}
