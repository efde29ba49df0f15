/**
 * Answers written in pieces (routes/_wire/json_bytes.ts) are byte for byte the UTF-8 of
 * wireStringify's text, and only answers with long lists take that path.
 */
import assert from "node:assert/strict";
import { wireStringify } from "../../routes/_wire/json.ts";
import { hasLongList, wireJsonBytes } from "../../routes/_wire/json_bytes.ts";

const decoder = new TextDecoder();
const same = (value: unknown) =>
  assert.equal(decoder.decode(wireJsonBytes(value)), wireStringify(value));

Deno.test("the same text as wireStringify, for what JSON.stringify writes", () => {
  const odd = Object.create(null);
  odd.b = 1;
  odd.a = [undefined, () => 1, Symbol("s"), null, NaN, -0, 1e21];
  Object.defineProperty(odd, "__proto__", { value: { x: 1 }, enumerable: true });
  Object.defineProperty(odd, "hidden", { value: 2, enumerable: false });
  const values: unknown[] = [
    null,
    1,
    "text",
    true,
    12345678901234567890n,
    [],
    {},
    { code: 0, msg: "", data: { spans: [], next_page_token: "" } },
    { skip: undefined, fn: () => 1, sym: Symbol("x"), keep: 1 },
    { 2: "b", 1: "a", z: 1, y: { 10: 1, 9: 2 } },
    { when: new Date(0), id: 7n, nested: { ids: [1n, 2n], at: new Date(1) } },
    { withToJSON: { toJSON: () => "mine" }, map: new Map([[1, 2]]), set: new Set([1]) },
    { text: "quote \" backslash \\ newline \n tab \t nul \u0000 lone \ud800 pair \ud83d\ude00" },
    { "key \"quoted\"": 1, "é": "ü", "😀": ["😀"] },
    odd,
    [[[[[[1, [2, { deep: [3n] }]]]]]]],
  ];
  for (const v of values) same(v);
});

Deno.test("a page of large spans: the same bytes, across many pieces", () => {
  const span = (i: number) => ({
    span_id: i.toString(16).padStart(16, "0"),
    trace_id: `${i}`.repeat(4),
    input: `{"messages":[{"role":"user","content":"${"é😀 \\\" ".repeat(200 + i)}"}]}`,
    output: "x".repeat(3000 + i),
    tags: { user_id: `user-${i}`, tokens: i, at: BigInt(i) * 10n ** 15n, none: undefined },
    list: Array.from({ length: 20 }, (_, k) => ({ k, v: `${k}` })),
  });
  const page = { code: 0, msg: "", data: { spans: Array.from({ length: 60 }, (_, i) => span(i)) } };
  const bytes = wireJsonBytes(page);
  assert.ok(bytes.byteLength > 200_000);
  assert.deepEqual(bytes, new TextEncoder().encode(wireStringify(page)));
});

Deno.test("only answers with a long list at the top or in data take the piecewise path", () => {
  const list = (n: number) => Array.from({ length: n }, (_, i) => i);
  assert.equal(hasLongList({ code: 0, spans: list(16) }), true);
  assert.equal(hasLongList({ code: 0, data: { items: list(50) } }), true);
  assert.equal(hasLongList({ code: 0, spans: list(15) }), false);
  assert.equal(hasLongList({ code: 0, deep: { items: list(50) } }), false);
  assert.equal(hasLongList(list(50)), false);
  assert.equal(hasLongList("text"), false);
});
