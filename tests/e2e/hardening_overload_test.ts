/**
 * Overload and amplification, over HTTP against the server subprocess: registrations are
 * rate-limited per address; 401 and 429 answers carry the request id and leave an access-log
 * line with their reason (never the credential); passwords are hashed in workers (inside the
 * sandbox too); /healthz answers from a probe timer, never probing per call; a gzip bomb on
 * the OTLP route is refused with 413 at the cap while the server's memory stays bounded.
 */
import assert from "node:assert/strict";
import { eventually, testConfig } from "../_env.ts";
import { type ServerProcess, startServer } from "../_server.ts";
import { createRedisClient } from "../../infra/redis/client.ts";
import { createToken, post, registerUser } from "./_client.ts";
import { gzip } from "./_traces.ts";

const U = "/api/foundation/v1/users";
const TOO_MANY = 602000104;

interface AccessLine {
  request_id: string;
  status: number;
  path: string;
  code?: number;
  reason?: string;
}

/** The access-log line of one request, once the server has written it. */
async function accessLine(server: ServerProcess, requestId: string): Promise<AccessLine> {
  return await eventually(() => {
    for (const line of server.logs().split("\n")) {
      if (!line.includes(`"request_id":"${requestId}"`) || !line.includes('"msg":"request"')) {
        continue;
      }
      return JSON.parse(line) as AccessLine;
    }
    return undefined;
  }, { what: `the access-log line of ${requestId}`, timeoutMs: 5_000 });
}

/** A refusal's request id and its access-log line, checked alike for every refusal. */
async function refusal(
  server: ServerProcess,
  r: { status: number; body: { code: number }; res: Response },
  status: number,
): Promise<AccessLine> {
  assert.equal(r.status, status, JSON.stringify(r.body));
  const id = r.res.headers.get("x-request-id");
  assert.ok(id, `a ${status} answer carries X-Request-Id`);
  const line = await accessLine(server, id);
  assert.equal(line.status, status);
  assert.equal(line.code, r.body.code);
  assert.ok(line.reason, `the access log says why: ${JSON.stringify(line)}`);
  return line;
}

// The register limit's key, shared by every real-mode server: cleared so the count is ours.
async function clearRegisterLimit(server: ServerProcess): Promise<void> {
  if (server.mode !== "real") return; // a fresh embedded server starts with no state
  const redis = createRedisClient(testConfig().redis!);
  try {
    await redis.call((r) => r.del("rate:register:address:127.0.0.1"));
  } finally {
    await redis.close();
  }
}

Deno.test({
  name: "e2e overload: register rate limit; 401/429 with request id and logged reason",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const server = await startServer({ COZE_LOOP_REGISTER_PER_MINUTE: "3" });
    const secret = `pw-${crypto.randomUUID()}`;
    try {
      await t.step(
        "a burst of registrations from one address gets 429 after the limit",
        async () => {
          await clearRegisterLimit(server);
          const answers = [];
          for (let i = 0; i < 6; i++) {
            answers.push(
              await post(server, `${U}/register`, {
                email: `burst-${crypto.randomUUID().slice(0, 8)}@example.com`,
                password: secret,
              }),
            );
          }
          const ok = answers.filter((a) => a.body.code === 0).length;
          // Other servers on the same Redis may take a sliver of the minute: at most 3, not 0.
          assert.ok(ok >= 1 && ok <= 3, `${ok} registrations passed`);
          const firstRefused = answers.findIndex((a) => a.body.code !== 0);
          for (const a of answers.slice(firstRefused)) {
            assert.equal(a.body.code, TOO_MANY, JSON.stringify(a.body));
          }
          const line = await refusal(server, answers.at(-1)!, 429);
          assert.match(line.reason!, /too many registrations/);
        },
      );

      await t.step("401 answers carry the request id and a logged reason", async () => {
        const anonymous = await post(server, `${U}/session`, undefined, {}, "GET");
        assert.match((await refusal(server, anonymous, 401)).reason!, /not logged in/);
        const badToken = await post(server, "/v1/loop/traces/ingest", { spans: [] }, {
          token: "not-a-token",
        });
        assert.match((await refusal(server, badToken, 401)).reason!, /invalid.*token/);
      });

      await t.step("login 429s too; the log never holds the password", async () => {
        const email = `nobody-${crypto.randomUUID().slice(0, 8)}@example.com`;
        let last;
        for (let i = 0; i < 12; i++) {
          last = await post(server, `${U}/login_by_password`, { email, password: secret });
          if (last.status === 429) break;
          assert.equal(last.body.code, 602002003, "unknown account: wrong email or password");
        }
        assert.match((await refusal(server, last!, 429)).reason!, /too many login attempts/);
        assert.ok(!server.logs().includes(secret), "no password in the log");
      });

      await t.step("passwords are hashed in workers (inside the sandbox too)", () => {
        assert.match(server.logs(), /"msg":"password hashing workers started"/);
        assert.doesNotMatch(server.logs(), /password hashing workers failed/);
      });
    } finally {
      await server.stop();
    }
  },
});

interface Health {
  status: string;
  probes: number;
  age_ms: number;
  probed_at: string;
  dependencies: { name: string; status: string }[];
}

Deno.test({
  name: "e2e overload: /healthz answers the probe timer's last round, never probing per call",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const server = await startServer({ COZE_LOOP_HEALTH_PROBE_INTERVAL_S: "0.5" });
    try {
      const calls = await Promise.all(
        Array.from({ length: 50 }, () => fetch(`${server.url}/healthz`)),
      );
      const bodies = await Promise.all(calls.map(async (r) => {
        assert.equal(r.status, 200);
        return (await r.json()) as Health;
      }));
      const rounds = new Set(bodies.map((b) => b.probes));
      // 50 calls within one or two rounds of the timer: no probe of their own.
      assert.ok(rounds.size <= 2, `probe rounds seen: ${[...rounds]}`);
      for (const b of bodies) {
        assert.equal(b.status, "ok");
        assert.ok(b.probes >= 1 && b.age_ms >= 0 && Date.parse(b.probed_at) > 0);
        assert.ok(b.dependencies.length >= 4 && b.dependencies.every((d) => d.status === "up"));
      }
      const first = Math.min(...rounds);
      const later = await eventually(async () => {
        const h = (await (await fetch(`${server.url}/healthz`)).json()) as Health;
        return h.probes >= first + 2 ? h : undefined;
      }, { what: "two more probe rounds from the timer", timeoutMs: 15_000 });
      assert.ok(later.age_ms < 15_000);
      assert.equal(await (await fetch(`${server.url}/ping`)).text(), "pong");
    } finally {
      assert.equal(await server.stop(), 0, "the probe timer does not hold up shutdown");
    }
  },
});

/** Peak and current resident memory of a process (Linux), in MiB. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)![1]);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

Deno.test({
  name: "e2e overload: a gzip bomb is refused with 413 and memory stays bounded",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const server = await startServer();
    try {
      const user = await registerUser(server);
      const token = await createToken(server, user.cookie);
      // 63 MiB of zeros: a body of about 61 KiB.
      const bomb = await gzip(new Uint8Array(63 * 1024 * 1024));
      assert.ok(bomb.byteLength < 100 * 1024);
      const send = () =>
        fetch(`${server.url}/v1/loop/opentelemetry/v1/traces`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${token}`,
            "content-type": "application/x-protobuf",
            "content-encoding": "gzip",
            "cozeloop-workspace-id": user.spaceId,
          },
          body: bomb as Uint8Array<ArrayBuffer>,
        });

      await t.step("one bomb: 413 at the decompression cap", async () => {
        const r = await send();
        const body = await r.json();
        assert.equal(r.status, 413, JSON.stringify(body));
        assert.match(body.msg, /larger than the limit of 20971520 bytes/);
        const line = await accessLine(server, r.headers.get("x-request-id")!);
        assert.match(line.reason!, /larger than the limit/);
      });

      await t.step("32 bombs at once: 413 or 503 (retry), peak memory bounded", async () => {
        const before = memoryOf(server.child.pid);
        const answers = await Promise.all(Array.from({ length: 32 }, send));
        for (const r of answers) {
          await r.body?.cancel();
          assert.ok(r.status === 413 || r.status === 503, `status ${r.status}`);
          if (r.status === 503) assert.equal(r.headers.get("retry-after"), "1");
        }
        const after = memoryOf(server.child.pid);
        // Whole 63 MiB bodies decoded at once grew the server by about 800 MiB.
        assert.ok(
          after.peak - before.rss < 200,
          `peak grew from ${before.rss.toFixed(0)} to ${after.peak.toFixed(0)} MiB`,
        );
      });

      await t.step("other routes do not inflate compressed bodies", async () => {
        const json = new TextEncoder().encode(JSON.stringify({ spans: [] }));
        const r = await fetch(`${server.url}/v1/loop/traces/ingest`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${token}`,
            "content-type": "application/json",
            "content-encoding": "gzip",
          },
          body: (await gzip(json)) as Uint8Array<ArrayBuffer>,
        });
        const body = await r.json();
        assert.notEqual(body.code, 0, "read as the raw (compressed) bytes it is");
      });
    } finally {
      await server.stop();
    }
  },
});
