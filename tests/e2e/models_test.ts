/**
 * The model catalogue end to end over HTTP: the real server loads tests/fixtures/models.yaml
 * (its api key from the environment) and answers list and get to workspace members, never
 * with the api key, and refuses outsiders, bad input and anonymous callers.
 */
import assert from "node:assert/strict";
import { runServerToExit, type ServerProcess, startServer } from "../_server.ts";
import { post, registerUser } from "./_client.ts";
import { assertWorkspaceIsolation } from "./_isolation.ts";

const FIXTURE = new URL("../fixtures/models.yaml", import.meta.url).pathname;
const SECRET = "sk-test-secret-value";
const M = "/api/llm/v1/models";

// The raw answer too, so that the api key can be searched for in the bytes sent.
async function raw(server: ServerProcess, path: string, body: unknown, cookie?: string) {
  const res = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) };
}

Deno.test({
  name: "e2e models: list and get for members, never the api key",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const server = await startServer({
      COZE_LOOP_MODELS_FILE: FIXTURE,
      TEST_OPENAI_API_KEY: SECRET,
    });
    try {
      const a = await registerUser(server);

      await t.step("list answers every model in the IDL's shape", async () => {
        const r = await raw(server, `${M}/list`, { workspace_id: a.spaceId }, a.cookie);
        assert.equal(r.text.includes(SECRET), false, "the api key is not in the answer");
        assert.equal(r.body.code, 0, r.text);
        assert.equal(r.body.msg, "");
        assert.equal(r.body.total, 3);
        assert.equal(r.body.has_more, false);
        assert.equal(r.body.next_page_token, "");
        const ids = r.body.models.map((m: { model_id: string }) => m.model_id);
        assert.deepEqual(ids, ["1001", "7300000000000000002", "1003"], "int64 ids as strings");
        const gpt = r.body.models[0];
        assert.equal(gpt.workspace_id, a.spaceId);
        assert.equal(gpt.name, "gpt-4o");
        assert.equal(gpt.protocol, "openai");
        assert.deepEqual(gpt.protocol_config, {
          base_url: "https://api.openai.com/v1",
          model: "gpt-4o",
        });
        assert.equal(gpt.identification, "gpt-4o");
        assert.equal(gpt.preset_model, true);
        assert.equal(gpt.status, "available");
        assert.deepEqual(gpt.series, { name: "GPT", icon: "", family: "gpt" });
        assert.equal(gpt.ability.max_context_tokens, "128000", "i64 ability as a string");
        assert.equal(gpt.ability.function_call, true);
        assert.deepEqual(gpt.param_config.param_schemas[0], {
          name: "temperature",
          label: "Temperature",
          desc: "",
          type: "float",
          min: "0",
          max: "2",
          default_value: "0.7",
          options: [],
        });
        assert.equal(r.body.models[2].status, "unavailable");
      });

      await t.step("filters and paging", async () => {
        const body = { workspace_id: a.spaceId, page_size: 2 };
        const p1 = await post(server, `${M}/list`, body, a);
        assert.equal(p1.body.models.length, 2);
        assert.equal(p1.body.has_more, true);
        const p2 = await post(
          server,
          `${M}/list`,
          { ...body, page_token: p1.body.next_page_token },
          a,
        );
        assert.deepEqual(p2.body.models.map((m: { name: string }) => m.name), ["llama3 (local)"]);
        assert.equal(p2.body.has_more, false);
        const f = await post(server, `${M}/list`, {
          workspace_id: a.spaceId,
          scenario: "prompt_debug",
          filter: { name_like: "DEEP", abilities: ["json_mode"], statuses: ["available"] },
        }, a);
        assert.equal(f.body.code, 0, JSON.stringify(f.body));
        assert.deepEqual(f.body.models.map((m: { name: string }) => m.name), ["deepseek-chat"]);
        assert.equal(f.body.total, 1);
      });

      await t.step("get answers one model, by exact 64-bit id", async () => {
        const r = await raw(server, `${M}/1001`, { workspace_id: a.spaceId }, a.cookie);
        assert.equal(r.text.includes(SECRET), false, "the api key is not in the answer");
        assert.equal(r.body.code, 0, r.text);
        assert.equal(r.body.model.model_id, "1001");
        assert.equal(r.body.model.workspace_id, a.spaceId);
        assert.deepEqual(Object.keys(r.body.model.protocol_config).sort(), ["base_url", "model"]);
        const big = await post(server, `${M}/7300000000000000002`, {
          workspace_id: a.spaceId,
          model_id: "7300000000000000002",
          protocol: "deepseek",
        }, a);
        assert.equal(big.body.code, 0, JSON.stringify(big.body));
        assert.equal(big.body.model.name, "deepseek-chat");
        assert.equal(big.body.model.param_config.param_schemas[1].options[1].value, "json_object");
      });

      await t.step("an unknown model is 601505002", async () => {
        const r = await post(server, `${M}/42`, { workspace_id: a.spaceId }, a);
        assert.equal(r.status, 200);
        assert.equal(r.body.code, 601505002);
        assert.match(r.body.msg, /model 42 not found/);
      });

      await t.step("outsiders and unknown workspaces get no permission", async () => {
        const outsider = await registerUser(server);
        for (const path of [`${M}/list`, `${M}/1001`]) {
          await assertWorkspaceIsolation(server, {
            path,
            auth: "cookie",
            body: (spaceId) => ({ workspace_id: spaceId }),
          }, { owner: a, outsider });
        }
        const none = await post(server, `${M}/list`, { workspace_id: "999" }, a);
        assert.equal(none.body.code, 602000101);
        const unknownModel = await post(server, `${M}/42`, { workspace_id: a.spaceId }, outsider);
        assert.equal(unknownModel.body.code, 602000101, "membership is checked first");
      });

      await t.step("bad input is invalid param naming the field", async () => {
        const cases: [string, unknown, RegExp][] = [
          [`${M}/list`, {}, /workspace_id: is required/],
          [`${M}/list`, { workspace_id: "abc" }, /workspace_id/],
          [`${M}/list`, { workspace_id: "0" }, /workspace_id: expected a positive id/],
          [`${M}/list`, { workspace_id: a.spaceId, api_key: "x" }, /unknown field\(s\) api_key/],
          [`${M}/list`, { workspace_id: a.spaceId, page_size: "2" }, /page_size/],
          [`${M}/list`, { workspace_id: a.spaceId, page_token: "zz" }, /page_token/],
          [`${M}/list`, { workspace_id: a.spaceId, filter: { families: ["x"] } }, /families/],
          [`${M}/list`, { workspace_id: a.spaceId, scenario: "nope" }, /scenario/],
          [`${M}/1001`, {}, /workspace_id: is required/],
          [`${M}/abc`, { workspace_id: a.spaceId }, /model_id/],
          [`${M}/1001`, { workspace_id: a.spaceId, model_id: "1003" }, /model_id: does not match/],
          [`${M}/1001`, { workspace_id: a.spaceId, protocol: "bard" }, /protocol/],
        ];
        for (const [path, body, msg] of cases) {
          const r = await post(server, path, body, a);
          assert.equal(r.body.code, 602000202, `${path} ${JSON.stringify(body)}`);
          assert.match(r.body.msg, /^invalid param: /);
          assert.match(r.body.msg, msg);
        }
      });

      await t.step("no session cookie is HTTP 401", async () => {
        for (const path of [`${M}/list`, `${M}/1001`]) {
          const r = await post(server, path, { workspace_id: a.spaceId });
          assert.equal(r.status, 401);
          assert.equal(r.body.code, 602000103);
        }
      });

      assert.equal(server.logs().includes(SECRET), false, "the api key is not logged");
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "e2e models: start-up fails naming a missing api key variable",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const r = await runServerToExit({ COZE_LOOP_MODELS_FILE: FIXTURE, TEST_OPENAI_API_KEY: "" });
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, /Invalid models file .*models\.yaml/);
    assert.match(r.output, /models\[0\] \(gpt-4o\): api_key_env: .*TEST_OPENAI_API_KEY is not set/);
    const missing = await runServerToExit({ COZE_LOOP_MODELS_FILE: "/nonexistent/models.yaml" });
    assert.equal(missing.code, 1);
    assert.match(missing.output, /Cannot read the models file \/nonexistent\/models\.yaml/);
  },
});
