/**
 * The model catalogue's domain logic, without services: loading and validating the YAML
 * file, api key resolution, filters and paging, and the membership check of the service.
 */
import assert from "node:assert/strict";
import { stringify } from "yaml";
import {
  createModelCatalogue,
  loadModelCatalogue,
  ModelCatalogueError,
} from "../../domains/llm/catalogue.ts";
import { createModelService } from "../../domains/llm/models.ts";
import type { Authz } from "../../domains/foundation/authz.ts";
import { AppError, noPermission } from "../../domains/errors.ts";

const FIXTURE = new URL("../fixtures/models.yaml", import.meta.url);
const EXAMPLE = new URL("../../domains/llm/models.example.yaml", import.meta.url);
const SECRET = "sk-test-secret-value";
const fixture = () => loadModelCatalogue(Deno.readTextFileSync(FIXTURE), env(), "models.yaml");
const env = (extra: Record<string, string> = {}) => ({ TEST_OPENAI_API_KEY: SECRET, ...extra });

Deno.test("catalogue: the fixture loads with defaults, exact 64-bit ids and normalized params", () => {
  const c = fixture();
  assert.equal(c.size, 3);
  const ids = c.list({}).models.map((m) => m.id);
  assert.deepEqual(ids, [1001n, 7300000000000000002n, 1003n], "file order, ids not rounded");
  const gpt = c.get(1001n);
  assert.equal(gpt.protocol, "openai");
  assert.equal(gpt.model, "gpt-4o");
  assert.equal(gpt.status, "available", "status defaults to available");
  assert.equal(gpt.ability?.max_context_tokens, 128000n);
  assert.equal(gpt.ability?.ability_multi_modal?.ability_image?.max_image_count, 10n);
  assert.deepEqual(gpt.series, { name: "GPT", icon: "", family: "gpt" });
  assert.deepEqual(gpt.paramSchemas[0], {
    name: "temperature",
    label: "Temperature",
    desc: "",
    type: "float",
    min: "0",
    max: "2",
    defaultValue: "0.7",
    options: [],
  });
  assert.equal(gpt.paramSchemas[2].label, "top_p", "label defaults to the name");
  assert.equal(gpt.paramSchemas[2].max, "1.0", "string bounds are kept as written");
  const llama = c.get(1003n);
  assert.equal(llama.status, "unavailable");
  assert.equal(llama.desc, "");
  assert.equal(llama.paramSchemas[1].defaultValue, "true");
});

Deno.test("catalogue: api keys come from env and only resolve() hands them out", () => {
  const c = fixture();
  assert.equal(c.resolve(1001n).apiKey, SECRET);
  const pub = c.get(1001n);
  assert.equal("apiKey" in pub, false);
  const listed = c.list({ workspaceId: 5n });
  const text = JSON.stringify(listed, (_k, v) => (typeof v === "bigint" ? String(v) : v));
  assert.equal(text.includes(SECRET), false, "no key in a list");
  assert.equal(c.resolve(7300000000000000002n).apiKey, undefined, "optional key, variable unset");
  assert.equal(c.resolve(1003n).apiKey, undefined, "no api_key_env at all");
  const withDeepseek = loadModelCatalogue(
    Deno.readTextFileSync(FIXTURE),
    env({ TEST_DEEPSEEK_API_KEY: "sk-ds" }),
    "models.yaml",
  );
  assert.equal(withDeepseek.resolve(7300000000000000002n).apiKey, "sk-ds");
  assert.throws(
    () => {
      (pub as { name: string }).name = "changed";
    },
    TypeError,
    "catalogue models are frozen",
  );
});

Deno.test("catalogue: a missing api key variable fails naming the file, model and variable", () => {
  const text = Deno.readTextFileSync(FIXTURE);
  for (const e of [{}, { TEST_OPENAI_API_KEY: "" }]) {
    assert.throws(
      () => loadModelCatalogue(text, e, "conf/models.yaml"),
      (err: Error) => {
        assert.ok(err instanceof ModelCatalogueError);
        assert.match(err.message, /Invalid models file conf\/models\.yaml/);
        assert.match(err.message, /models\[0\] \(gpt-4o\): api_key_env: environment variable/);
        assert.match(err.message, /TEST_OPENAI_API_KEY is not set/);
        return true;
      },
    );
  }
});

// A valid one-model file, to break one field at a time.
function base(): Record<string, unknown> {
  return {
    id: 1,
    name: "m",
    protocol: "openai",
    base_url: "https://api.example.com/v1",
    api_key_env: "K",
    model: "m-1",
    param_config: {
      param_schemas: [{ name: "temperature", type: "float", min: 0, max: 2, default_value: 1 }],
    },
  };
}
const param = (p: Record<string, unknown>) => ({
  ...base(),
  param_config: { param_schemas: [{ name: "p", ...p }] },
});

const CASES: [string, unknown, RegExp][] = [
  ["missing name", { ...base(), name: undefined }, /models\[0\]: name: is required/],
  ["bad protocol", { ...base(), protocol: "bard" }, /models\[0\] \(m\): protocol: Invalid option/],
  ["zero id", { ...base(), id: 0 }, /id: expected a positive 64-bit integer/],
  ["bad url", { ...base(), base_url: "ftp://x" }, /base_url: expected an http\(s\) URL/],
  ["inline api key", { ...base(), api_key: "sk-1" }, /api_key: api keys do not belong/],
  [
    "no api_key_env",
    { ...base(), api_key_env: undefined },
    /api_key_env: is required unless api_key_optional is true/,
  ],
  ["bad env name", { ...base(), api_key_env: "A-B" }, /api_key_env: expected an environment/],
  ["unknown field", { ...base(), frame: "eino" }, /models\[0\] \(m\): unknown field\(s\) frame/],
  ["bad status", { ...base(), status: "gone" }, /status: Invalid option/],
  ["bad family", { ...base(), series: { name: "S", family: "x" } }, /series\.family/],
  [
    "reference's default_val",
    param({ type: "float", default_val: 1 }),
    /param_config\.param_schemas\[0\]: unknown field\(s\) default_val/,
  ],
  [
    "default above max",
    param({ type: "float", min: 0, max: 2, default_value: 3 }),
    /param_schemas\[0\]\.default_value: 3 is above max 2/,
  ],
  [
    "default below min",
    param({ type: "int", min: 1, max: 9, default_value: 0 }),
    /param_schemas\[0\]\.default_value: 0 is below min 1/,
  ],
  [
    "min above max",
    param({ type: "float", min: 2, max: 1 }),
    /param_schemas\[0\]\.min: min 2 is greater than max 1/,
  ],
  [
    "fraction for an int",
    param({ type: "int", default_value: 1.5 }),
    /param_schemas\[0\]\.default_value: expected an integer for an int param/,
  ],
  [
    "text for a number",
    param({ type: "float", max: "lots" }),
    /param_schemas\[0\]\.max: expected a number/,
  ],
  ["bad param type", param({ type: "void" }), /param_schemas\[0\]\.type: Invalid option/],
  [
    "bounds on a boolean",
    param({ type: "boolean", min: 0 }),
    /param_schemas\[0\]\.min: only float and int params have a min/,
  ],
  [
    "bad boolean default",
    param({ type: "boolean", default_value: "yes" }),
    /param_schemas\[0\]\.default_value: expected true or false/,
  ],
  [
    "default not an option",
    param({ type: "string", default_value: "c", options: [{ value: "a" }, { value: "b" }] }),
    /param_schemas\[0\]\.default_value: c is not one of the options' values/,
  ],
];

Deno.test("catalogue: each validation error names the file, the model index and the field", async (t) => {
  for (const [what, model, expected] of CASES) {
    await t.step(what, () => {
      const text = stringify({ models: [model] });
      assert.throws(() => loadModelCatalogue(text, { K: "k" }, "bad.yaml"), (err: Error) => {
        assert.ok(err instanceof ModelCatalogueError, String(err));
        assert.match(err.message, /^Invalid models file bad\.yaml:\n/);
        assert.match(err.message, expected);
        return true;
      });
    });
  }
});

Deno.test("catalogue: file-wide errors: duplicates, YAML syntax, shape", () => {
  const check = (text: string, expected: RegExp) =>
    assert.throws(() => loadModelCatalogue(text, { K: "k" }, "f.yaml"), expected);
  const second = { ...base(), name: "n" };
  check(stringify([base(), second]), /models\[1\] \(n\): id: duplicate id 1 \(also models\[0\]\)/);
  const twoParams = {
    ...base(),
    param_config: { param_schemas: [{ name: "t", type: "int" }, { name: "t", type: "float" }] },
  };
  check(stringify([twoParams]), /param_schemas\[1\]\.name: duplicate param name t/);
  check("models: [\n  - id: 1\n", /f\.yaml:\n {2}invalid YAML/);
  check("just text", /expected a list of models/);
  check("models: 3", /expected a list of models/);
  assert.equal(loadModelCatalogue("# nothing yet\n", {}, "f.yaml").size, 0, "empty file");
  assert.equal(loadModelCatalogue(stringify([base()]), { K: "k" }, "f.yaml").size, 1, "bare list");
  assert.throws(() =>
    createModelCatalogue([{ ...fixture().resolve(1001n) }, fixture().get(1001n)])
  );
});

Deno.test("catalogue: the shipped example loads", () => {
  const c = loadModelCatalogue(
    Deno.readTextFileSync(EXAMPLE),
    { OPENAI_API_KEY: "a", DEEPSEEK_API_KEY: "b" },
    "models.example.yaml",
  );
  assert.equal(c.size, 3);
});

Deno.test("catalogue: filters and paging", () => {
  const c = fixture();
  const names = (q: Parameters<typeof c.list>[0]) => c.list(q).models.map((m) => m.name);
  assert.deepEqual(names({ filter: { nameLike: "GPT" } }), ["gpt-4o"], "case-insensitive");
  assert.deepEqual(names({ filter: { nameLike: "local" } }), ["llama3 (local)"]);
  assert.deepEqual(names({ filter: { families: ["gpt", "deepseek_v3"] } }), [
    "gpt-4o",
    "deepseek-chat",
  ]);
  assert.deepEqual(names({ filter: { families: ["undefined"] } }), ["llama3 (local)"]);
  assert.deepEqual(names({ filter: { statuses: ["unavailable"] } }), ["llama3 (local)"]);
  assert.deepEqual(names({ filter: { abilities: ["function_call"] } }), [
    "gpt-4o",
    "deepseek-chat",
  ]);
  assert.deepEqual(names({ filter: { abilities: ["function_call", "multi_modal"] } }), ["gpt-4o"]);
  assert.deepEqual(names({ filter: { nameLike: "gpt", statuses: ["unavailable"] } }), []);

  const p1 = c.list({ pageSize: 2, workspaceId: 9n });
  assert.deepEqual(p1.models.map((m) => m.id), [1001n, 7300000000000000002n]);
  assert.equal(p1.hasMore, true);
  assert.equal(p1.total, 3);
  assert.equal(p1.models[0].workspaceId, 9n, "listed for the workspace");
  const p2 = c.list({ pageSize: 2, pageToken: p1.nextPageToken });
  assert.deepEqual(p2.models.map((m) => m.id), [1003n]);
  assert.equal(p2.hasMore, false);
  assert.equal(p2.nextPageToken, "");
  assert.deepEqual(c.list({ pageSize: 2, page: 2 }).models.map((m) => m.id), [1003n]);
  assert.deepEqual(c.list({ pageSize: 2, page: 3 }).models, []);
  const filtered = c.list({ pageSize: 1, filter: { abilities: ["json_mode"] } });
  assert.equal(filtered.total, 2, "total counts the matching models");
  assert.throws(() => c.list({ pageToken: "abc" }), (e: AppError) => e.code === 602000202);
});

Deno.test("catalogue: an unknown model is llm resource not found", () => {
  const c = fixture();
  for (const f of [() => c.get(42n), () => c.resolve(42n)]) {
    assert.throws(f, (e: AppError) => {
      assert.equal(e.code, 601505002);
      assert.match(e.message, /model 42 not found/);
      return true;
    });
  }
});

Deno.test("model service: members only", async () => {
  const authz: Authz = {
    requireMember: (userId, spaceId) => {
      if (userId === 1n && spaceId === 10n) return Promise.resolve("owner");
      return Promise.reject(noPermission(`workspace ${spaceId}`));
    },
    roleOf: () => Promise.resolve(null),
    knownRole: () => undefined,
    forget: () => Promise.resolve(),
  };
  const models = createModelService({ catalogue: fixture(), authz });
  assert.equal((await models.list(1n, { workspaceId: 10n })).total, 3);
  assert.equal((await models.get(1n, { workspaceId: 10n, modelId: 1003n })).workspaceId, 10n);
  await assert.rejects(
    models.list(2n, { workspaceId: 10n }),
    (e: AppError) => e.code === 602000101,
  );
  await assert.rejects(
    models.get(2n, { workspaceId: 10n, modelId: 42n }),
    (e: AppError) => e.code === 602000101,
    "membership is checked before the model",
  );
});
