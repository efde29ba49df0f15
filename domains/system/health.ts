/**
 * Health of the server's dependencies: each is pinged in parallel with a deadline and
 * reported up or down with its latency.
 */
import { describeCause } from "../../infra/errors.ts";

/** One dependency to check. */
export interface HealthCheck {
  name: string;
  address: string;
  ping(): Promise<void>;
}

/** Result for one dependency. */
export interface DependencyStatus {
  name: string;
  address: string;
  status: "up" | "down";
  latency_ms: number;
  error?: string;
}

/** Result for the whole server. */
export interface HealthReport {
  status: "ok" | "degraded";
  dependencies: DependencyStatus[];
}

/** The health service. */
export interface HealthService {
  check(): Promise<HealthReport>;
}

/** Creates the health service over the given checks. */
export function createHealthService(
  checks: HealthCheck[],
  options: { timeoutMs?: number } = {},
): HealthService {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const one = async (c: HealthCheck): Promise<DependencyStatus> => {
    const started = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        c.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
      return { name: c.name, address: c.address, status: "up", latency_ms: elapsed(started) };
    } catch (err) {
      return {
        name: c.name,
        address: c.address,
        status: "down",
        latency_ms: elapsed(started),
        error: describeCause(err),
      };
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    async check() {
      const dependencies = await Promise.all(checks.map(one));
      return {
        status: dependencies.every((d) => d.status === "up") ? "ok" : "degraded",
        dependencies,
      };
    },
  };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
