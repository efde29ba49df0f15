/**
 * The cache behind `prompts/mget`, the hottest SDK call: an in-process layer (seconds) over a
 * Redis layer (minutes) over MySQL. Entries of a prompt live under a generation token; a
 * commit, a label move or a deletion replaces the token (so every Redis entry of that prompt
 * is stale at once) and broadcasts the change so every process drops its local entries.
 */
import type { Cache } from "../../infra/redis/cache.ts";
import type { Broadcast } from "../../infra/redis/broadcast.ts";

const LOCAL_TTL_MS = 10_000;
const LOCAL_MAX = 20_000;
const REDIS_TTL_MS = 10 * 60_000;
const CHANNEL = "prompt_changed";

/** A cache of resolved prompt versions by (workspace, key, selector). */
export interface PromptCache<T> {
  /**
   * Cached values for the selectors, in order (undefined = not cached), and the generation
   * of each prompt as read, to hand back to setMany.
   */
  getMany(
    space: bigint,
    items: { key: string; selector: string }[],
  ): Promise<{ values: (T | undefined)[]; gens: Map<string, string> }>;
  /**
   * Every value from this process's own layer and when the first of them expires there, or
   * undefined when one of them is not there.
   */
  peekMany(
    space: bigint,
    items: { key: string; selector: string }[],
  ): { values: T[]; until: number } | undefined;
  /**
   * A number that changes whenever this process's own layer changes (an entry stored,
   * dropped or cleared): what was read from it stays valid while this number and the entries'
   * expiry hold.
   */
  stamp(): number;
  /**
   * Stores values read from the database; a value whose prompt changed since `gens` were
   * read is not stored (it may predate the change).
   */
  setMany(
    space: bigint,
    items: { key: string; selector: string; value: T }[],
    gens: Map<string, string>,
  ): Promise<void>;
  /** Forgets everything cached for the prompt, in every process. */
  invalidate(space: bigint, key: string): Promise<void>;
}

/** Creates the two-layer cache. */
export function createPromptCache<T>(
  deps: { cache: Cache; broadcast?: Broadcast },
): PromptCache<T> {
  const local = new Map<string, { value: T; until: number }>();
  const name = (space: bigint, key: string) => `${space}:${key}`;
  const genKey = (space: bigint, key: string) => `prompt_gen:${name(space, key)}`;
  deps.broadcast?.subscribe(CHANNEL, (prompt) => dropLocal(prompt));

  let stamp = 0;
  function dropLocal(prompt: string) {
    const prefix = `${prompt}\n`;
    for (const k of local.keys()) if (k.startsWith(prefix)) local.delete(k);
    stamp++;
  }

  const generations = async (space: bigint, keys: string[]) => {
    const unique = [...new Set(keys)];
    const gens = await deps.cache.mget<string>(unique.map((k) => genKey(space, k)));
    return new Map(unique.map((k, i) => [k, gens[i] ?? "0"]));
  };

  return {
    peekMany(space, items) {
      const now = Date.now();
      const values: T[] = [];
      let until = Infinity;
      for (const it of items) {
        const hit = local.get(`${name(space, it.key)}\n${it.selector}`);
        if (!hit || hit.until <= now) return undefined;
        values.push(hit.value);
        if (hit.until < until) until = hit.until;
      }
      return { values, until };
    },
    stamp: () => stamp,
    async getMany(space, items) {
      const now = Date.now();
      const out: (T | undefined)[] = items.map((it) => {
        const hit = local.get(`${name(space, it.key)}\n${it.selector}`);
        return hit && hit.until > now ? hit.value : undefined;
      });
      const missing = items.map((it, i) => ({ it, i })).filter(({ i }) => out[i] === undefined);
      if (missing.length === 0) return { values: out, gens: new Map() };
      const gens = await generations(space, missing.map(({ it }) => it.key));
      const values = await deps.cache.mget<T>(
        missing.map(({ it }) => `prompt:${name(space, it.key)}:${gens.get(it.key)}:${it.selector}`),
      );
      missing.forEach(({ it, i }, j) => {
        if (values[j] === undefined) return;
        out[i] = values[j];
        remember(`${name(space, it.key)}\n${it.selector}`, values[j] as T);
      });
      return { values: out, gens };
    },
    async setMany(space, items, seen) {
      if (items.length === 0) return;
      const now = await generations(space, items.map((it) => it.key));
      const fresh = items.filter((it) => now.get(it.key) === seen.get(it.key));
      if (fresh.length === 0) return;
      const entry = (it: { key: string; selector: string }) =>
        `prompt:${name(space, it.key)}:${now.get(it.key)}:${it.selector}`;
      await deps.cache.mset(fresh.map((it) => [entry(it), it.value]), { ttlMs: REDIS_TTL_MS });
      for (const it of fresh) remember(`${name(space, it.key)}\n${it.selector}`, it.value);
    },
    async invalidate(space, key) {
      await deps.cache.set(genKey(space, key), crypto.randomUUID(), { ttlMs: 24 * 3600_000 });
      dropLocal(name(space, key));
      await deps.broadcast?.publish(CHANNEL, name(space, key));
    },
  };

  function remember(k: string, value: T) {
    if (local.size >= LOCAL_MAX) local.clear();
    local.set(k, { value, until: Date.now() + LOCAL_TTL_MS });
    stamp++;
  }
}
