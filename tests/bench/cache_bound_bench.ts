/**
 * Writes to the embedded caches once they are full: `set` of new keys while the cache fills
 * up to its bound, then past it (each such write evicts the entry written longest ago).
 * No services needed. Usage: `deno run -A tests/bench/cache_bound_bench.ts [bound=100000]`.
 * Prints Markdown rows for BENCHMARKS.md.
 */
import { createMemoryCache } from "../../infra/memory/cache.ts";
import { createDurableCache } from "../../infra/memory/durable_cache.ts";
import type { Cache } from "../../infra/redis/cache.ts";

const bound = Number(Deno.args[0] ?? 100_000);
// Past the bound, three times over: long enough for a per-eviction cost to show.
const past = 3 * bound;
const value = { user_id: "7713786502055985153", role: "owner" };

// Sets `count` new keys from `from` on, 1,000 per event-loop turn; µs per set.
async function sets(cache: Cache, from: number, count: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < count; i += 1_000) {
    const n = Math.min(1_000, count - i);
    await Promise.all(Array.from({ length: n }, (_, j) => cache.set(`k${from + i + j}`, value)));
  }
  return (performance.now() - t0) * 1000 / count;
}

async function measure(cache: Cache): Promise<{ filling: number; full: number }> {
  const filling = await sets(cache, 0, bound);
  const full = await sets(cache, bound, past);
  return { filling, full };
}

const dir = await Deno.makeTempDir({ prefix: "coze-loop-cache-bound-bench-" });
const durable = createDurableCache({ path: `${dir}/cache.sqlite`, maxEntries: bound });
const d = await measure(durable);
await durable.close();
await Deno.remove(dir, { recursive: true });
const m = await measure(createMemoryCache({ maxEntries: bound }));

const f = (x: number) => `${x.toFixed(1)} µs`;
console.log(
  `| cache (bound ${bound.toLocaleString("en-US")}) | \`set\` while filling | ` +
    `\`set\` past the bound (${past.toLocaleString("en-US")} evictions) |\n|---|---|---|`,
);
console.log(`| memory only | ${f(m.filling)} | ${f(m.full)} |`);
console.log(`| durable (SQLite write-through) | ${f(d.filling)} | ${f(d.full)} |`);
