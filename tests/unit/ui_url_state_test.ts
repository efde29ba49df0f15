/** Page state in the query string (ui/src/lib/url_state.ts). */
import assert from "node:assert/strict";
import { patchUrlState, readUrlState, withQuery } from "../../ui/src/lib/url_state.ts";

const SPECS = {
  q: { kind: "string" },
  page: { kind: "number", default: 1 },
  open: { kind: "boolean", default: false },
  types: { kind: "list" },
} as const;

Deno.test("ui url state: typed reads with defaults; malformed values read as absent", () => {
  assert.deepEqual(readUrlState("", SPECS), {
    q: undefined,
    page: 1,
    open: false,
    types: undefined,
  });
  assert.deepEqual(
    readUrlState("q=hi&page=3&open=1&types=llm,tool&types=custom", SPECS),
    {
      q: "hi",
      page: 3,
      open: true,
      types: ["llm", "tool", "custom"],
    },
  );
  assert.deepEqual(readUrlState("page=abc&open=maybe", SPECS), {
    q: undefined,
    page: 1,
    open: false,
    types: undefined,
  });
});

Deno.test("ui url state: patches drop defaults and empties, keep other parameters", () => {
  const q = patchUrlState("other=x&page=2", SPECS, {
    q: "a b",
    page: 1,
    types: ["x", "y"],
  });
  assert.equal(q.toString(), "other=x&q=a+b&types=x%2Cy");
  const back = readUrlState(q, SPECS);
  assert.deepEqual(back.types, ["x", "y"]);
  assert.equal(
    patchUrlState(q, SPECS, { q: "", types: [] }).toString(),
    "other=x",
  );
  assert.equal(patchUrlState("", SPECS, { open: true }).toString(), "open=1");
  assert.equal(withQuery("/p", new URLSearchParams()), "/p");
  assert.equal(withQuery("/p", new URLSearchParams("a=1")), "/p?a=1");
});
