/**
 * Test configuration: the same loader as the server, over the environment that
 * `scripts/test.sh` exports from `scripts/services.sh env`.
 */
import { type Config, loadConfig } from "../infra/config.ts";

let cached: Config | undefined;

/** The configuration the tests run against (real services). */
export function testConfig(): Config {
  cached ??= loadConfig(Deno.env.toObject());
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
