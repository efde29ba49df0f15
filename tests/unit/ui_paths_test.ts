/** The console's URL paths (ui/src/lib/paths.ts): official paths, workspace switch, safe next. */
import assert from "node:assert/strict";
import {
  loginPath,
  promptPath,
  promptsPath,
  safeNext,
  spaceIdOf,
  switchSpacePath,
  tracesPath,
} from "../../ui/src/lib/paths.ts";

Deno.test("ui paths: the official frontend's paths, workspace in the URL", () => {
  assert.equal(
    promptsPath("7"),
    "/console/enterprise/personal/space/7/pe/prompts",
  );
  assert.equal(
    promptPath("7", "42"),
    "/console/enterprise/personal/space/7/pe/prompts/42",
  );
  assert.equal(
    tracesPath("7", { traceId: "ab", spanId: "cd" }),
    "/console/enterprise/personal/space/7/observation/traces?trace_id=ab&span_id=cd",
  );
  assert.equal(
    tracesPath("7"),
    "/console/enterprise/personal/space/7/observation/traces",
  );
  assert.equal(loginPath(), "/auth/login");
  assert.equal(
    loginPath("/console?x=1"),
    "/auth/login?next=%2Fconsole%3Fx%3D1",
  );
  assert.equal(
    spaceIdOf("/console/enterprise/personal/space/99/pe/prompts/1"),
    "99",
  );
  assert.equal(spaceIdOf("/console/enterprise/personal/account"), undefined);
});

Deno.test("ui paths: switching workspace keeps the section, not the item", () => {
  const base = "/console/enterprise/personal/space";
  assert.equal(
    switchSpacePath(`${base}/1/pe/prompts/42`, "2"),
    `${base}/2/pe/prompts`,
  );
  assert.equal(
    switchSpacePath(`${base}/1/observation/traces`, "2"),
    `${base}/2/observation/traces`,
  );
  assert.equal(switchSpacePath(`${base}/1`, "2"), `${base}/2/pe/prompts`);
  assert.equal(
    switchSpacePath("/console/enterprise/personal/account", "2"),
    `${base}/2/pe/prompts`,
  );
});

Deno.test("ui paths: after login, only a path of this site (no open redirect)", () => {
  assert.equal(safeNext("/console/x?y=1"), "/console/x?y=1");
  for (
    const bad of [
      null,
      "",
      "https://evil.example",
      "//evil.example",
      "/\\evil",
      "/auth/login",
    ]
  ) {
    assert.equal(safeNext(bad), undefined, String(bad));
  }
});
