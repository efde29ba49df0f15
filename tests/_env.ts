/**
 * Test configuration: the same loader as the server, over the environment that
 * `scripts/test.sh` exports from `scripts/services.sh env`.
 */
import { type Config, loadConfig } from "../infra/config.ts";

/** A configuration with every real service set. */
export type RealConfig = Config & Required<Pick<Config, RealService>>;
type RealService = "mysql" | "redis" | "clickhouse" | "kafka" | "s3";

let cached: RealConfig | undefined;

/** The configuration the tests run against (real services, from `scripts/services.sh env`). */
export function testConfig(): RealConfig {
  if (cached) return cached;
  const config = loadConfig(Deno.env.toObject());
  for (const s of ["mysql", "redis", "clickhouse", "kafka", "s3"] as const) {
    if (!config[s]) {
      throw new Error(`Tests need the real ${s}: run them with \`deno task test\``);
    }
  }
  cached = config as RealConfig;
  return cached;
}

/** A short random suffix that keeps names of parallel or repeated runs apart. */
export function uniqueSuffix(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 12);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes; returns the last value. */
export async function eventually<T>(
  fn: () => Promise<T> | T,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last: T | undefined;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last as NonNullable<T>;
    } catch (e) {
      lastErr = e;
    }
    await sleep(options.intervalMs ?? 100);
  }
  throw new Error(
    `Timed out after ${options.timeoutMs ?? 30_000} ms waiting for ${options.what ?? "condition"}` +
      (lastErr ? `: ${(lastErr as Error).message}` : ""),
  );
}
