/**
 * The embedded caches: reads and writes of the durable cache (memory reads, SQLite
 * write-through) against the memory-only one. Usage: cache_bench.ts [ops=20000]
 */
import { createMemoryCache } from "../../infra/memory/cache.ts";
import { createDurableCache } from "../../infra/memory/durable_cache.ts";
import type { Cache } from "../../infra/redis/cache.ts";

const ops = Number(Deno.args[0] ?? 20_000);
const value = { user_id: "7713786502055985153", role: "owner", at: 1764460800000 };

async function measure(cache: Cache) {
  const t0 = performance.now();
  for (let i = 0; i < ops; i++) await cache.set(`k${i % 1000}`, value, { ttlMs: 60_000 });
  const single = (performance.now() - t0) * 1000 / ops;
  const t1 = performance.now();
  for (let i = 0; i < ops; i += 100) {
    await Promise.all(
      Array.from(
        { length: 100 },
        (_, j) => cache.set(`b${(i + j) % 1000}`, value, { ttlMs: 60_000 }),
      ),
    );
  }
  const batched = (performance.now() - t1) * 1000 / ops;
  const t2 = performance.now();
  for (let i = 0; i < ops; i++) await cache.get(`k${i % 1000}`);
  const get = (performance.now() - t2) * 1000 / ops;
  return { single, batched, get };
}

const dir = await Deno.makeTempDir({ prefix: "coze-loop-cache-bench-" });
const durable = createDurableCache({ path: `${dir}/cache.sqlite` });
const d = await measure(durable);
await durable.close();
const m = await measure(createMemoryCache());
await Deno.remove(dir, { recursive: true });
const f = (x: number) => `${x.toFixed(1)} µs`;
console.log(
  "| cache | `set`, each awaited | `set`, 100 per event-loop turn | `get` |\n|---|---|---|---|",
);
console.log(`| durable (SQLite write-through) | ${f(d.single)} | ${f(d.batched)} | ${f(d.get)} |`);
console.log(`| memory only | ${f(m.single)} | ${f(m.batched)} | ${f(m.get)} |`);
