/**
 * Health of the server's dependencies, probed on a timer rather than per request: every
 * dependency is pinged in parallel with a deadline, one round at a time, and `/healthz`
 * answers the last round with its age. A health check therefore costs nothing however often
 * it is called, and cannot pile queries onto a dependency that is already busy. A dependency
 * that was up is reported down after two failed rounds in a row, so that one probe stuck
 * behind a burst of load does not flap the answer; one that was down is up again after one
 * good round.
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
  /** The last probe's failure (also while still reported up after a single failure). */
  error?: string;
}

/** Result for the whole server. */
export interface HealthReport {
  /** `starting`: no probe round has finished yet. */
  status: "ok" | "degraded" | "starting";
  dependencies: DependencyStatus[];
  /** When the last round finished (ISO 8601), absent before the first. */
  probed_at?: string;
  /** Milliseconds since the last round finished (-1 before the first). */
  age_ms: number;
  /** Probe rounds finished since start-up. */
  probes: number;
}

/** A running probe timer. */
export interface HealthProber {
  /** Stops the timer and waits for a round in progress. */
  stop(): Promise<void>;
}

/** The health service. */
export interface HealthService {
  /** Runs one probe round now and records it. */
  check(): Promise<HealthReport>;
  /** The last recorded round, with its age; no I/O. */
  report(): HealthReport;
  /** Probes now (resolves after this first round), then every `intervalMs` until stopped. */
  start(options: { intervalMs: number }): Promise<HealthProber>;
}

/** Failed rounds in a row before a dependency that was up is reported down. */
const FAILURES_BEFORE_DOWN = 2;

/** Creates the health service over the given checks. */
export function createHealthService(
  checks: HealthCheck[],
  options: { timeoutMs?: number; now?: () => number } = {},
): HealthService {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const now = options.now ?? (() => Date.now());
  let last: { at: number; dependencies: DependencyStatus[] } | undefined;
  let probes = 0;
  let running: Promise<HealthReport> | undefined;
  const failures = new Map<string, number>();

  const round = async (): Promise<HealthReport> => {
    const results = await Promise.all(checks.map((c) => probe(c, timeoutMs)));
    const dependencies = results.map((d) => {
      const wasUp = last?.dependencies.find((p) => p.name === d.name)?.status === "up";
      const failed = d.status === "down" ? (failures.get(d.name) ?? 0) + 1 : 0;
      failures.set(d.name, failed);
      return failed > 0 && failed < FAILURES_BEFORE_DOWN && wasUp
        ? { ...d, status: "up" as const }
        : d;
    });
    last = { at: now(), dependencies };
    probes++;
    return report();
  };

  const report = (): HealthReport => {
    if (!last) return { status: "starting", dependencies: [], age_ms: -1, probes };
    return {
      status: last.dependencies.every((d) => d.status === "up") ? "ok" : "degraded",
      dependencies: last.dependencies,
      probed_at: new Date(last.at).toISOString(),
      age_ms: Math.max(0, now() - last.at),
      probes,
    };
  };

  // One round at a time: a caller arriving during a round shares it.
  const check = (): Promise<HealthReport> =>
    running ??= round().finally(() => (running = undefined));

  return {
    check,
    report,
    async start({ intervalMs }) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let stopped = false;
      const schedule = () => {
        if (stopped) return;
        const t = setTimeout(() => void check().catch(() => {}).then(schedule), intervalMs);
        // The timer alone never keeps the process (a test, a failed start-up) alive.
        Deno.unrefTimer(t);
        timer = t;
      };
      await check();
      schedule();
      return {
        async stop() {
          stopped = true;
          clearTimeout(timer);
          await running?.catch(() => {});
        },
      };
    },
  };
}

async function probe(c: HealthCheck, timeoutMs: number): Promise<DependencyStatus> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      c.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
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
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
