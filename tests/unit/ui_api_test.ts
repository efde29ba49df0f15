/**
 * The console's API client (ui/src/api/client.ts) and its types: the generated types match
 * the server's routes (a changed route fails this test until `deno task ui:types` is run,
 * and then the console's type check), URLs are built from path templates, and envelopes
 * with code != 0 become ApiErrors.
 */
import assert from "node:assert/strict";
import { generateApiTypes, SCHEMA_FILE } from "../../scripts/ui_types.ts";
import { ApiError, buildUrl, call } from "../../ui/src/api/client.ts";

Deno.test("ui api: the generated types are up to date with the routes", async () => {
  const fresh = await generateApiTypes();
  const committed = await Deno.readTextFile(SCHEMA_FILE);
  assert.ok(
    committed === fresh,
    "ui/src/api/schema.gen.ts is stale: run `deno task ui:types` and fix the console's type check",
  );
});

Deno.test("ui api: URLs from path templates", () => {
  assert.equal(
    buildUrl("/api/x/{id}/keys/{key_id}", { id: "7", key_id: "a/b" }, {
      q: "1",
      n: undefined,
    }),
    "/api/x/7/keys/a%2Fb?q=1",
  );
  assert.throws(() => buildUrl("/api/x/{id}"), /missing path parameter id/);
});

Deno.test("ui api: envelopes with code != 0 reject with an ApiError", async () => {
  const real = globalThis.fetch;
  const seen: Request[] = [];
  globalThis.fetch = (input, init) => {
    seen.push(new Request(new URL(String(input), "http://console.test"), init));
    return Promise.resolve(
      Response.json({ code: 602000202, msg: "invalid param: name" }),
    );
  };
  try {
    await assert.rejects(
      call("post", "/api/auth/v1/personal_access_tokens", {
        body: { name: "x" },
        noLoginRedirect: true,
      }),
      (err: unknown) =>
        err instanceof ApiError && err.code === 602000202 &&
        err.message === "invalid param: name" &&
        !err.unauthenticated,
    );
    assert.equal(seen[0].method, "POST");
    assert.equal(seen[0].headers.get("agw-js-conv"), "str");
    assert.equal(await seen[0].text(), '{"name":"x"}');
  } finally {
    globalThis.fetch = real;
  }
});
