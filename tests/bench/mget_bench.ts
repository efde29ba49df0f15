/**
 * `prompts/mget` of 3 prompts with a warm cache (issue 5): requests/s and p50/p99 at 50
 * connections (wrk), against a bare Hono handler answering a constant of the same size, both
 * served by Deno.serve in this process, in the same run. The server side is the real app
 * (`createApp` with real MySQL, Redis, Kafka, ClickHouse and S3 behind it).
 * Usage: mget_bench.ts [seconds=10] [connections=50] [real|embedded]
 * (`embedded`: the app over the embedded services in a temporary data directory instead).
 */
import { Hono } from "hono";
import { createInfra } from "../../infra/build.ts";
import { silentLogger } from "../../infra/log.ts";
import { DB_MIGRATIONS } from "../../infra/db/migrations.ts";
import { DOMAIN_MIGRATIONS } from "../../domains/migrations.ts";
import { createServices } from "../../domains/services.ts";
import { createApp } from "../../routes/app.ts";
import { testConfig } from "../_env.ts";
import { loadConfig } from "../../infra/config.ts";
import { freePort } from "../_server.ts";

const seconds = Number(Deno.args[0] ?? 10);
const connections = Number(Deno.args[1] ?? 50);
const embedded = Deno.args[2] === "embedded";

const dataDir = embedded ? await Deno.makeTempDir({ prefix: "coze-loop-bench-" }) : undefined;
const infra = embedded
  ? await createInfra(
    loadConfig({
      COZE_LOOP_DATA_DIR: dataDir!,
      COZE_LOOP_CHDB_LIB: Deno.env.get("COZE_LOOP_CHDB_LIB"),
    }),
    silentLogger,
    { objects: "bench-object-url-secret-0123456789" },
  )
  : await createInfra(testConfig(), silentLogger);
await infra.db.migrate({ ...DB_MIGRATIONS, ...DOMAIN_MIGRATIONS });
const services = createServices(infra, {
  logger: silentLogger,
  sessionSecret: "x".repeat(32),
  promptHubQps: 1_000_000,
});
const { user } = await services.accounts.register({
  email: `bench-${crypto.randomUUID().slice(0, 8)}@example.com`,
  password: "password-123",
});
const space = (await services.workspaces.list(user.id, {})).spaces[0].id;
const { token } = await services.tokens.create(user.id, { name: "bench" });
const keys = ["greeting", "summary", "translate"];
for (const key of keys) {
  const p = await services.prompts.create(user.id, {
    workspaceId: space,
    promptKey: key,
    name: key,
    draftDetail: {
      prompt_template: {
        template_type: "normal",
        messages: [
          { role: "system", content: `You are a ${key} assistant. Answer briefly and politely.` },
          { role: "user", content: "{{question}}" },
        ],
        variable_defs: [{ key: "question", type: "string" }],
      },
      model_config: { model_id: "1", temperature: 0.2, max_tokens: 512 },
    },
  });
  await services.versioning.commit(user.id, p.id, { version: "1.0.0", labelKeys: ["production"] });
}
const body = JSON.stringify({
  workspace_id: space.toString(),
  queries: [{ prompt_key: "greeting" }, { prompt_key: "summary", version: "1.0.0" }, {
    prompt_key: "translate",
    label: "production",
  }],
});

const app = createApp({ logger: silentLogger, ...services });
const serve = async (fetch: (r: Request) => Response | Promise<Response>) => {
  const port = await freePort();
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, fetch);
  return { server, port };
};
const real = await serve(app.fetch);
const probe = await fetch(`http://127.0.0.1:${real.port}/v1/loop/prompts/mget`, {
  method: "POST",
  headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  body,
});
const answer = await probe.text();
if (JSON.parse(answer).code !== 0) throw new Error(`mget failed: ${answer}`);
const bare = new Hono();
bare.post(
  "/v1/loop/prompts/mget",
  (c) => c.body(answer, 200, { "content-type": "application/json" }),
);
const constant = await serve(bare.fetch);

async function wrk(port: number) {
  const script = await Deno.makeTempFile({ suffix: ".lua" });
  await Deno.writeTextFile(
    script,
    `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\n` +
      `wrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer ${token}"\n`,
  );
  const out = await new Deno.Command("wrk", {
    args: [
      "-t2",
      `-c${connections}`,
      `-d${seconds}s`,
      "--latency",
      "-s",
      script,
      `http://127.0.0.1:${port}/v1/loop/prompts/mget`,
    ],
    stdout: "piped",
  }).output();
  await Deno.remove(script);
  const text = new TextDecoder().decode(out.stdout);
  if (/Non-2xx/.test(text)) throw new Error(`non-2xx answers:\n${text}`);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]),
    p50: /\s50%\s+(\S+)/.exec(text)?.[1],
    p99: /\s99%\s+(\S+)/.exec(text)?.[1],
  };
}

await wrk(constant.port); // warm-up
await wrk(real.port);
const b = await wrk(constant.port);
const m = await wrk(real.port);
console.log(`response: ${answer.length} bytes, services: ${embedded ? "embedded" : "real"}\n`);
console.log("| benchmark | req/s | p50 | p99 |\n|---|---|---|---|");
console.log(
  `| bare Hono, constant of the same size | ${Math.round(b.rps)} | ${b.p50} | ${b.p99} |`,
);
console.log(
  `| /v1/loop/prompts/mget, 3 prompts, warm | ${Math.round(m.rps)} | ${m.p50} | ${m.p99} |`,
);
console.log(`ratio mget / bare: ${(m.rps / b.rps).toFixed(2)}`);
await real.server.shutdown();
await constant.server.shutdown();
await infra.close();
if (dataDir) await Deno.remove(dataDir, { recursive: true });
Deno.exit(0);
