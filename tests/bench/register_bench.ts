/**
 * Latency of a cheap authenticated route (`GET /api/foundation/v1/users/session` with a
 * session cookie) while a burst of registrations hashes passwords, with argon2id on the
 * server's event loop (`COZE_LOOP_PASSWORD_WORKERS=0`, the code before the worker pool) and
 * in the worker pool (the default), in the same run. Each side is a server subprocess on the
 * real services; rounds alternate between them. Per round, four clients call the route every
 * `pace_ms` each: for 3 s alone (`idle`), then while `burst` registrations are sent at once,
 * until the last one has answered.
 * Usage: register_bench.ts [burst=50] [rounds=3] [pace_ms=10] [workers=the default]
 */
import { type ServerProcess, startServer } from "../_server.ts";
import { registerUser } from "../e2e/_client.ts";

const burst = Number(Deno.args[0] ?? 50);
const rounds = Number(Deno.args[1] ?? 3);
const PACE_MS = Number(Deno.args[2] ?? 10);
const workers = Deno.args[3]; // the pool's size (default: min(2, cores - 1), at least 1)
const SAMPLERS = 4;
const IDLE_MS = 3_000;

interface Side {
  label: string;
  server: ServerProcess;
  cookie: string;
  idle: number[];
  during: number[];
  burstMs: number[];
  failed: number;
  failedCalls: number;
}

async function start(label: string, env: Record<string, string>): Promise<Side> {
  const server = await startServer({
    COZE_LOOP_REGISTER_PER_MINUTE: "1000000", // the limit is not what is measured here
    ...env,
  }, { mode: "real" });
  const { cookie } = await registerUser(server);
  return { label, server, cookie, idle: [], during: [], burstMs: [], failed: 0, failedCalls: 0 };
}

// One call's latency; a failed call is counted (and its latency kept) rather than fatal.
async function session(side: Side): Promise<number> {
  const t = performance.now();
  const r = await fetch(`${side.server.url}/api/foundation/v1/users/session`, {
    headers: { cookie: side.cookie },
  });
  await r.body?.cancel();
  if (r.status !== 200) side.failedCalls++;
  return performance.now() - t;
}

// The burst's duration; registrations that failed are counted (with the event loop blocked
// for seconds, the server's own Redis commands time out), not fatal.
async function registrations(side: Side, n: number): Promise<number> {
  const t = performance.now();
  const answers = await Promise.all(Array.from({ length: n }, async () => {
    const r = await fetch(`${side.server.url}/api/foundation/v1/users/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        email: `bench-${crypto.randomUUID().slice(0, 12)}@example.com`,
        password: "password-123",
      }),
    });
    return (await r.json()).code as number;
  }));
  side.failed += answers.filter((code) => code !== 0).length;
  return performance.now() - t;
}

/**
 * SAMPLERS clients each calling the route every PACE_MS (or at once when the previous call
 * took longer) until `until` settles: a steady load that leaves the server idle most of the
 * time, as other users' requests would, rather than one that saturates it by itself.
 */
async function sample(side: Side, into: number[], until: Promise<unknown>): Promise<void> {
  let done = false;
  until.finally(() => (done = true));
  await Promise.all(Array.from({ length: SAMPLERS }, async () => {
    while (!done) {
      const ms = await session(side);
      into.push(ms);
      if (ms < PACE_MS) await new Promise((resolve) => setTimeout(resolve, PACE_MS - ms));
    }
  }));
}

async function round(side: Side): Promise<void> {
  await sample(side, side.idle, new Promise((resolve) => setTimeout(resolve, IDLE_MS)));
  const registering = registrations(side, burst);
  await sample(side, side.during, registering);
  side.burstMs.push(await registering);
}

function pct(values: number[], p: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  const v = sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  return `${v.toFixed(1)} ms`;
}

const sides = [
  await start("argon2id on the event loop (`COZE_LOOP_PASSWORD_WORKERS=0`)", {
    COZE_LOOP_PASSWORD_WORKERS: "0",
  }),
  await start(
    `argon2id in the worker pool (${workers ? `${workers} workers` : "default size"})`,
    workers ? { COZE_LOOP_PASSWORD_WORKERS: workers } : {},
  ),
];
try {
  // Warm-up: JIT, connection pools, the workers' first start.
  for (const side of sides) {
    await registrations(side, 4);
    for (let i = 0; i < 100; i++) await session(side);
    side.failed = side.failedCalls = 0;
  }
  for (let r = 0; r < rounds; r++) {
    for (const side of sides) {
      await round(side);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  console.log(
    `| hashing | idle p50 / p99 | during ${burst} registrations: p50 / p99 / max | samples ` +
      `idle / during | burst done in (per round) | failed: registrations, route calls |\n` +
      `|---|---|---|---|---|---|`,
  );
  for (const s of sides) {
    console.log(
      `| ${s.label} | ${pct(s.idle, 50)} / ${pct(s.idle, 99)} | ${pct(s.during, 50)} / ${
        pct(s.during, 99)
      } / ${pct(s.during, 100)} | ${s.idle.length} / ${s.during.length} | ${
        s.burstMs.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(", ")
      } | ${s.failed} of ${burst * rounds}, ${s.failedCalls} |`,
    );
  }
  console.log(
    `cores: ${navigator.hardwareConcurrency}, rounds: ${rounds}, ` +
      `${SAMPLERS} clients calling every ${PACE_MS} ms`,
  );
} finally {
  for (const side of sides) await side.server.stop();
}
