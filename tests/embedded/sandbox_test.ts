/**
 * The permission sandbox: a server started the way `deno task dev` starts it reaches its
 * configured infrastructure and model providers, and nothing else. A provider that redirects
 * the server to another host cannot make it connect there: Deno refuses with a permission
 * error before any connection is made.
 */
import assert from "node:assert/strict";
import { freePort, startServer } from "../_server.ts";
import { FAKE_LLM_API_KEY, startFakeLlm } from "../fixtures/fake_llm_server.ts";
import { createToken, post, registerUser } from "../e2e/_client.ts";
import { commitPrompt, vars } from "../e2e/_prompts.ts";
import { sdkFlow } from "./_flow.ts";

Deno.test({
  name: "sandbox: configured services and providers work; any other host is refused",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const llm = await startFakeLlm({ apiKey: FAKE_LLM_API_KEY });
    // A host the server was never told about, and a "provider" that redirects there.
    let elsewhereHits = 0;
    const elsewherePort = await freePort();
    const elsewhere = Deno.serve(
      { hostname: "127.0.0.1", port: elsewherePort, onListen() {} },
      () => {
        elsewhereHits++;
        return Response.json({ error: { message: "should never be reached" } }, { status: 500 });
      },
    );
    let redirects = 0;
    const redirectorPort = await freePort();
    const redirector = Deno.serve(
      { hostname: "127.0.0.1", port: redirectorPort, onListen() {} },
      (req) => {
        redirects++;
        const path = new URL(req.url).pathname;
        return new Response(null, {
          status: 307,
          headers: { location: `http://localhost:${elsewherePort}${path}` },
        });
      },
    );
    const models = await Deno.makeTempFile({ suffix: ".yaml" });
    await Deno.writeTextFile(
      models,
      `models:
  - { id: 1, name: listed, protocol: openai, base_url: "${llm.url}/v1", api_key_env: FAKE_LLM_KEY, model: gpt-fake }
  - { id: 2, name: redirecting, protocol: openai, base_url: "http://127.0.0.1:${redirectorPort}/v1", api_key_env: FAKE_LLM_KEY, model: gpt-fake }
`,
    );
    // Real services, so that every configured infrastructure host is exercised too.
    const server = await startServer(
      { COZE_LOOP_MODELS_FILE: models, FAKE_LLM_KEY: FAKE_LLM_API_KEY },
      { mode: "real", sandbox: true },
    );
    try {
      await t.step("the server runs with an explicit host list and no subprocess", () => {
        const cmdline = Deno.readTextFileSync(`/proc/${server.child.pid}/cmdline`).split("\0");
        const net = cmdline.find((a) => a.startsWith("--allow-net="));
        assert.ok(net, cmdline.join(" "));
        const hosts = net.slice("--allow-net=".length).split(",");
        assert.ok(hosts.includes(new URL(server.url).host), "its listen address");
        assert.ok(hosts.includes(new URL(llm.url).host), "the provider");
        assert.ok(!hosts.some((h) => h.startsWith("localhost")), hosts.join(","));
        assert.ok(
          !cmdline.includes("--allow-all") && !cmdline.some((a) => a.startsWith("--allow-run")),
        );
      });

      await t.step("configured infrastructure works through the sandbox", async () => {
        const health = await fetch(`${server.url}/healthz`);
        const body = await health.json();
        assert.equal(health.status, 200, JSON.stringify(body));
        assert.deepEqual(
          body.dependencies.map((d: { name: string }) => d.name).sort(),
          ["clickhouse", "kafka", "mysql", "redis", "s3"],
        );
        await sdkFlow(server);
      });

      const a = await registerUser(server);
      const token = await createToken(server, a.cookie);
      const key = `sandbox_${crypto.randomUUID().slice(0, 6)}`;
      await commitPrompt(server, a, key, "1");
      await commitPrompt(server, a, `${key}_redirect`, "2");
      const execute = (promptKey: string) =>
        post(server, "/v1/loop/prompts/execute", {
          workspace_id: a.spaceId,
          prompt_identifier: { prompt_key: promptKey, version: "1.0.0" },
          variable_vals: vars("hello"),
        }, { token });

      await t.step("a configured provider answers", async () => {
        const r = await execute(key);
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
      });

      await t.step("a redirect to an unlisted host fails with a permission error", async () => {
        const r = await execute(`${key}_redirect`);
        assert.notEqual(r.body.code, 0, JSON.stringify(r.body));
        assert.ok(redirects >= 1, "the listed host was reached (the client may retry)");
        assert.equal(elsewhereHits, 0, "the unlisted host never was");
        assert.match(
          `${r.body.msg}\n${server.logs()}`,
          new RegExp(`Requires net access to "localhost:${elsewherePort}"`),
        );
      });
    } finally {
      await server.stop();
      await redirector.shutdown();
      await elsewhere.shutdown();
      await llm.close();
      await Deno.remove(models);
    }
  },
});
