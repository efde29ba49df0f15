/**
 * `prompts/mget` for SDKs: prompts by key + version, key + label, or key alone (latest),
 * answered in request order with each query echoed. A prompt that does not resolve fails
 * the call (the official SDKs treat an empty list as success). Served from the two-layer
 * prompt cache, negative answers included; rate-limited per workspace.
 */
import type { Limiter, LimitResult } from "../../infra/redis/limiter.ts";
import { AppError, Codes, invalidParam, noPermission } from "../errors.ts";
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

type Item = { key: string; selector: string };

/**
 * What a query selects, the cache key of its answer: a version, else a label, else the
 * latest version. An empty version or label is absent, as in the reference's binding (the Go
 * and Python SDKs send `"version": ""` for "latest").
 */
export function selectorOf(q: PromptQuery): string {
  return q.version ? `v:${q.version}` : q.label ? `l:${q.label}` : "latest";
}

type Answer = { query: PromptQuery; prompt: HubPrompt }[];

/** The prompt hub service. */
export interface PromptHubService {
  mget(
    userId: bigint,
    workspaceId: bigint,
    queries: PromptQuery[],
  ): Promise<{ query: PromptQuery; prompt: HubPrompt }[]>;
  /**
   * The same answer as `mget` when this process can give it at once (membership, rate-limit
   * allowance and every prompt held locally); undefined when only `mget` can. Throws the
   * errors `mget` would.
   */
  mgetNow(
    userId: bigint,
    workspaceId: bigint,
    queries: PromptQuery[],
  ): { query: PromptQuery; prompt: HubPrompt }[] | undefined;
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

  // An entry is loaded from the very selector it is cached under, so a cached answer only
  // ever serves queries that select the same thing.
  const load = async (space: bigint, misses: Item[]): Promise<Entry[]> => {
    const prompts = new Map(
      (await repo.byKeys(space, [...new Set(misses.map((it) => it.key))])).map((
        p,
      ) => [p.promptKey, p]),
    );
    return await Promise.all(misses.map(async ({ key, selector }): Promise<Entry> => {
      const p = prompts.get(key);
      if (!p) return fail(Codes.promptNotFound, `prompt "${key}" not found in this workspace`);
      let version: string | undefined;
      if (selector.startsWith("v:")) version = selector.slice(2);
      else if (selector.startsWith("l:")) {
        const label = selector.slice(2);
        version = (await deps.labels.mapping(p.id)).get(label);
        if (!version) {
          return fail(
            Codes.promptLabelUnassociated,
            `label "${label}" is not on any version of "${key}"`,
          );
        }
      } else version = p.latestVersion;
      if (!version) {
        return fail(Codes.promptUncommitted, `prompt "${key}" has no committed version`);
      }
      const c = await repo.commit(p.id, version);
      if (!c) {
        return fail(Codes.promptVersionNotExist, `version ${version} of "${key}" does not exist`);
      }
      return { prompt: toHub(p, version, c.detail) };
    }));
  };

  const checkQueries = (queries: PromptQuery[]) => {
    if (queries.length === 0 || queries.length > MAX_QUERIES) {
      throw invalidParam("queries", `1..${MAX_QUERIES} queries`);
    }
  };
  const limitKey = (space: bigint) => `prompt_hub:${space}`;
  const checkLimit = (r: LimitResult) => {
    if (!r.allowed) {
      throw new AppError(
        Codes.promptHubQpsLimit,
        `prompt hub rate limit of ${qps}/s exceeded for this workspace`,
        { status: 429 },
      );
    }
  };
  const itemsOf = (queries: PromptQuery[]): Item[] =>
    queries.map((q) => ({ key: q.prompt_key, selector: selectorOf(q) }));
  const answer = (queries: PromptQuery[], values: (Entry | undefined)[]) =>
    values.map((v, i) => {
      const e = v as Entry;
      if ("error" in e) throw new AppError(e.error.code, e.error.msg);
      return { query: queries[i], prompt: e.prompt };
    });

  // Answers built from the local cache layer, per queries array (a caller that parses a body
  // once hands the same array back), valid while that layer is unchanged and unexpired.
  const recent = new WeakMap<
    PromptQuery[],
    { space: bigint; stamp: number; until: number; items: Answer }
  >();

  const mgetNow = (userId: bigint, space: bigint, queries: PromptQuery[]) => {
    checkQueries(queries);
    const role = deps.authz.knownRole(userId, space);
    if (role === undefined) return undefined;
    if (role === null) throw noPermission(`workspace ${space}`);
    const stamp = deps.cache.stamp();
    const known = recent.get(queries);
    const fresh = known && known.space === space && known.stamp === stamp &&
      known.until > Date.now();
    // Look before taking an allowance, so a call that falls back to `mget` takes only one.
    const seen = fresh ? undefined : deps.cache.peekMany(space, itemsOf(queries));
    if (!fresh && !seen) return undefined;
    const limit = deps.limiter.allowNowN?.(limitKey(space), 1);
    if (!limit) return undefined;
    checkLimit(limit);
    if (fresh) return known.items;
    const items = answer(queries, seen!.values);
    recent.set(queries, { space, stamp, until: seen!.until, items });
    return items;
  };

  const mget = async (userId: bigint, space: bigint, queries: PromptQuery[]) => {
    checkQueries(queries);
    await deps.authz.requireMember(userId, space);
    checkLimit(await deps.limiter.allowN(limitKey(space), 1, { rate: qps, burst: qps * 2 }));
    const items = itemsOf(queries);
    const { values, gens } = await deps.cache.getMany(space, items);
    const missIdx = values.map((v, i) => (v === undefined ? i : -1)).filter((i) => i >= 0);
    if (missIdx.length) {
      const loaded = await load(space, missIdx.map((i) => items[i]));
      missIdx.forEach((i, j) => (values[i] = loaded[j]));
      await deps.cache.setMany(
        space,
        missIdx.map((i, j) => ({ ...items[i], value: loaded[j] })),
        gens,
      );
    }
    return answer(queries, values);
  };

  return {
    mget,
    mgetNow,
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
