/**
 * Zero setup: `deno task dev` with no service configured at all (only the port and a data
 * directory) runs the whole platform embedded, prints a first account and an SDK token, and
 * an SDK user's flow works against it over HTTP.
 */
import assert from "node:assert/strict";
import { freePort, spawnServer } from "../_server.ts";
import { post } from "../e2e/_client.ts";
import { bareEnvironment, sdkFlow } from "./_flow.ts";

Deno.test({
  name: "zero setup: `deno task dev` with no services serves an SDK user's whole flow",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "coze-loop-dev-" });
    const port = await freePort();
    const server = await spawnServer({
      command: Deno.execPath(),
      args: ["task", "dev"],
      env: bareEnvironment({ PORT: String(port), COZE_LOOP_DATA_DIR: dataDir }),
      port,
      mode: "embedded",
      dataDir,
      timeoutMs: 120_000,
      signalTree: true,
    });
    try {
      // The first start prints how to log in and a token for SDKs.
      const banner = server.logs();
      const password = /web UI login .* password (\S+)/.exec(banner)?.[1];
      const token = /SDK token\s+(pat_\S+)/.exec(banner)?.[1];
      const space = /workspace id\s+(\d+)/.exec(banner)?.[1];
      assert.ok(password && token && space, `first-account banner:\n${banner}`);
      // The variables the official SDKs read, ready to paste (a wrong name sends the token to
      // the SDK's default cloud host).
      const sdkEnv = Object.fromEntries(
        [...banner.matchAll(/^\s*export (COZELOOP_\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]),
      );
      assert.deepEqual(sdkEnv, {
        COZELOOP_API_BASE_URL: `http://127.0.0.1:${port}`,
        COZELOOP_WORKSPACE_ID: space,
        COZELOOP_API_TOKEN: token,
      });
      assert.match(
        server.logs(),
        /"msg":"embedded services","services":\["mysql","redis","kafka","clickhouse","s3"\]/,
      );

      const login = await post(server, "/api/foundation/v1/users/login_by_password", {
        email: "admin@cozeloop.local",
        password,
      });
      assert.equal(login.body.code, 0, JSON.stringify(login.body));
      const spaces = await post(server, "/v1/loop/prompts/mget", {
        workspace_id: space,
        queries: [{ prompt_key: "none_yet" }],
      }, { token });
      assert.equal(spaces.body.code, 600501001, "the printed token authenticates SDK calls");

      await sdkFlow(server);
      assert.ok(!server.logs().includes(`"${token}"`), "the token never reaches the log");
    } finally {
      assert.equal(await server.stop(), 0, "a clean stop");
    }
  },
});
