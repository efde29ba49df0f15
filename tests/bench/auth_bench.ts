/**
 * Authenticated `/v1/loop` request overhead: the server's middleware stack with a personal
 * access token check (real Redis and MySQL) against a bare Hono handler returning the same
 * body, both served by Deno.serve in this process and loaded by wrk in the same run.
 * Usage: auth_bench.ts [seconds] [connections]
 */
import { Hono } from "hono";
import { createInfra } from "../../infra/build.ts";
import { silentLogger } from "../../infra/log.ts";
import { DB_MIGRATIONS } from "../../infra/db/migrations.ts";
import { DOMAIN_MIGRATIONS } from "../../domains/migrations.ts";
import { createServices } from "../../domains/services.ts";
import { createApp } from "../../routes/app.ts";
import { testConfig } from "../_env.ts";
import { freePort } from "../_server.ts";

const seconds = Number(Deno.args[0] ?? 10);
const connections = Number(Deno.args[1] ?? 50);
const body = { code: 0, msg: "", data: { ok: true, n: 1 } };

const infra = await createInfra(testConfig(), silentLogger);
await infra.db.migrate({ ...DB_MIGRATIONS, ...DOMAIN_MIGRATIONS });
const services = createServices(infra, { logger: silentLogger, sessionSecret: "x".repeat(32) });
const user = await services.accounts.register({
  email: `bench-${crypto.randomUUID().slice(0, 8)}@example.com`,
  password: "password-123",
});
const { token } = await services.tokens.create(user.user.id, { name: "bench" });

const bare = new Hono();
bare.post("/v1/loop/bench", (c) => c.json(body));
const authed = createApp({ logger: silentLogger, ...services });
authed.post("/v1/loop/bench", (c) => c.json(body));

const serve = async (fetch: (r: Request) => Response | Promise<Response>) => {
  const port = await freePort();
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, fetch);
  return { server, url: `http://127.0.0.1:${port}/v1/loop/bench` };
};

async function wrk(url: string): Promise<{ rps: number; p50: string; p99: string }> {
  const script = await Deno.makeTempFile({ suffix: ".lua" });
  await Deno.writeTextFile(
    script,
    `wrk.method = "POST"\nwrk.body = "{}"\nwrk.headers["Content-Type"] = "application/json"\n` +
      `wrk.headers["Authorization"] = "Bearer ${token}"\n`,
  );
  const out = await new Deno.Command("wrk", {
    args: ["-t2", `-c${connections}`, `-d${seconds}s`, "--latency", "-s", script, url],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(script);
  const text = new TextDecoder().decode(out.stdout);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN);
  const p50 = /\s50%\s+(\S+)/.exec(text)?.[1] ?? "?";
  const p99 = /\s99%\s+(\S+)/.exec(text)?.[1] ?? "?";
  if (/Non-2xx/.test(text)) throw new Error(`non-2xx answers:\n${text}`);
  return { rps, p50, p99 };
}

const a = await serve(bare.fetch);
const b = await serve(authed.fetch);
const probe = await fetch(b.url, {
  method: "POST",
  headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  body: "{}",
});
if (probe.status !== 200) throw new Error(`authenticated probe failed: ${await probe.text()}`);
await probe.body?.cancel();

await wrk(a.url); // warm-up of both
await wrk(b.url);
const bareR = await wrk(a.url);
const authR = await wrk(b.url);
console.log("| benchmark | req/s | p50 | p99 |\n|---|---|---|---|");
console.log(`| bare Hono handler | ${Math.round(bareR.rps)} | ${bareR.p50} | ${bareR.p99} |`);
console.log(`| /v1/loop with PAT check | ${Math.round(authR.rps)} | ${authR.p50} | ${authR.p99} |`);
console.log(`ratio authenticated / bare: ${(authR.rps / bareR.rps).toFixed(2)}`);
await a.server.shutdown();
await b.server.shutdown();
await infra.close();
Deno.exit(0);
