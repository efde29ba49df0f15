/**
 * Rules of the data domain without a database: field keys from names, field checks, schema
 * merges and compatibility, semantic versions, and item values against fields (JSON schemas,
 * built-in schema keys, attachments, multi-part values, sizes).
 */
import assert from "node:assert/strict";
import {
  type FieldInput,
  generateKeys,
  incompatibleFields,
  mergeFields,
  newFields,
} from "../../domains/data/schema.ts";
import { checkNextVersion, compareSemVer, parseSemVer } from "../../domains/data/semver.ts";
import { groupErrors, type ItemInput, validateItem } from "../../domains/data/validate.ts";
import { DEFAULT_FEATURES, DEFAULT_SPEC, type FieldSchema } from "../../domains/data/types.ts";
import { AppError } from "../../domains/errors.ts";
import { compileSchema } from "../../domains/data/json_schema.ts";

const rules = { spec: DEFAULT_SPEC, features: DEFAULT_FEATURES };
const fields = (input: FieldInput[]) => newFields(input, rules);
const codeOf = (fn: () => unknown): number | undefined => {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return undefined;
};

Deno.test("data keys: names that are identifiers, else key_N; never reused", () => {
  const f = [
    { name: "question" },
    { name: "question_1" },
    { name: "问题" },
    { name: "a b" },
    { name: "question", key: "" },
    { name: "x", key: "taken" },
    { name: "taken" },
  ];
  generateKeys(f);
  assert.deepEqual(f.map((x) => x.key), [
    "question",
    "question_1",
    "key_1",
    "key_2",
    "question_2",
    "taken",
    "taken_1",
  ]);
});

Deno.test("data fields: checks of names, types, schemas and limits", () => {
  assert.equal(codeOf(() => fields([{ name: "a", contentType: 1 }])), undefined);
  assert.equal(codeOf(() => fields([])), 601104500);
  assert.equal(codeOf(() => fields([{ name: "a", contentType: 5 }])), 601104500);
  assert.equal(codeOf(() => fields([{ name: "a", contentType: 2, schemaKey: 1 }])), 601104500);
  assert.equal(codeOf(() => fields([{ name: "a", contentType: 1, schemaKey: 9 }])), 601104500);
  assert.equal(
    codeOf(() => fields([{ name: "a", contentType: 1, textSchema: '{"type":"strin"}' }])),
    601104500,
  );
  assert.equal(
    codeOf(() => fields([{ name: "a", contentType: 1 }, { name: "a", contentType: 1 }])),
    601104500,
  );
  const many = Array.from({ length: 51 }, (_, i) => ({ name: `f${i}`, contentType: 1 }));
  assert.equal(codeOf(() => fields(many)), 601104500);
  const textOnly = { spec: DEFAULT_SPEC, features: { ...DEFAULT_FEATURES, multiModal: false } };
  assert.equal(codeOf(() => newFields([{ name: "p", contentType: 2 }], textOnly)), 601104500);
});

Deno.test("data schema edits: left-out fields become deleted; compatibility", () => {
  const before = fields([
    { name: "q", contentType: 1 },
    { name: "n", contentType: 1, textSchema: '{"type":"integer"}' },
    { name: "img", contentType: 2 },
  ]);
  const after = mergeFields(before, [
    { key: "q", name: "question", contentType: 1 },
    { key: "n", name: "n", contentType: 1, textSchema: '{"type":["integer","string"]}' },
    { name: "new", contentType: 1 },
  ], rules);
  assert.deepEqual(after.map((f) => `${f.key}:${f.status}`), ["q:1", "n:1", "new:1", "img:2"]);
  assert.deepEqual(incompatibleFields(before, after), [], "renames and wider types");
  const stricter = mergeFields(before, [
    { key: "q", name: "q", contentType: 1, schemaKey: 1 },
    { key: "n", name: "n", contentType: 1, textSchema: '{"type":"integer","maximum":3}' },
    { key: "img", name: "img", contentType: 1 },
  ], rules);
  assert.deepEqual(incompatibleFields(before, stricter), ["q", "n", "img"]);
  const loosened = mergeFields(before, [{ key: "n", name: "n", contentType: 1 }], rules);
  assert.deepEqual(incompatibleFields(before, loosened), [], "a schema removed");
});

Deno.test("data versions: strict SemVer, strictly increasing", () => {
  const order = ["0.0.1", "0.1.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta", "1.0.0", "1.0.1"];
  for (let i = 1; i < order.length; i++) {
    assert.ok(compareSemVer(parseSemVer(order[i - 1]), parseSemVer(order[i])) < 0, order[i]);
  }
  assert.equal(compareSemVer(parseSemVer("1.0.0+build.1"), parseSemVer("1.0.0")), 0);
  for (const bad of ["1.0", "v1.0.0", "01.0.0", "1.0.0-", "1.0.0 ", ""]) {
    assert.equal(codeOf(() => parseSemVer(bad)), 602000202, bad);
  }
  assert.equal(codeOf(() => checkNextVersion("", "0.0.0")), undefined);
  assert.equal(codeOf(() => checkNextVersion("1.2.3", "1.2.3")), 602000202);
  assert.equal(codeOf(() => checkNextVersion("1.2.3", "1.2.3-rc.1")), 602000202);
  assert.equal(codeOf(() => checkNextVersion("1.2.3", "1.10.0")), undefined);
  assert.equal(
    codeOf(() => checkNextVersion("99999999999999999999.0.0", "100000000000000000000.0.0")),
    undefined,
  );
});

const schema: FieldSchema[] = fields([
  { name: "text", contentType: 1 },
  { name: "n", contentType: 1, schemaKey: 2 },
  { name: "flag", contentType: 1, schemaKey: 4 },
  { name: "obj", contentType: 1, textSchema: '{"type":"object","required":["a"]}' },
  { name: "s", contentType: 1, textSchema: '{"type":"string","pattern":"^(a+)+$"}' },
  { name: "img", contentType: 2, multiModalSpec: { maxFileCount: 1, supportedFormats: ["png"] } },
  { name: "mix", contentType: 100 },
]);
const check = (input: ItemInput) =>
  validateItem(
    { fields: schema, spec: { ...DEFAULT_SPEC, maxItemSize: 1000 }, features: DEFAULT_FEATURES },
    input,
    0,
  );
const errorOf = (input: ItemInput) => {
  const r = check(input);
  return "type" in r ? `${r.type} ${r.message}` : "ok";
};

Deno.test("data values: JSON schemas and built-in keys, the reference's way", () => {
  assert.equal(errorOf({ data: [{ key: "n", content: "42" }] }), "ok");
  assert.match(errorOf({ data: [{ key: "n", content: "4.2" }] }), /^1 .*integer/);
  assert.match(errorOf({ data: [{ key: "n", content: "2024-01-01" }] }), /not valid JSON/);
  assert.equal(errorOf({ data: [{ key: "flag", content: "TRUE" }] }), "ok");
  assert.equal(errorOf({ data: [{ key: "obj", content: '{"a":1}' }] }), "ok");
  assert.match(errorOf({ data: [{ key: "obj", content: '{"b":1}' }] }), /required property 'a'/);
  assert.equal(errorOf({ data: [{ name: "text", content: "free text" }] }), "ok");
  // A catastrophic pattern runs in linear time (RE2).
  const started = performance.now();
  assert.match(errorOf({ data: [{ key: "s", content: "a".repeat(900) + "!" }] }), /pattern/);
  assert.ok(performance.now() - started < 1000);
  assert.match(errorOf({ data: [{ key: "zzz", content: "x" }] }), /no field "zzz"/);
  assert.match(
    errorOf({ data: [{ key: "text", content: "x" }, { name: "text", content: "y" }] }),
    /twice/,
  );
  assert.match(errorOf({ data: [{ key: "text" }] }), /^2 /, "empty");
  assert.match(errorOf({ data: [{ key: "text", contentType: 2, content: "x" }] }), /content_type/);
  assert.match(errorOf({ data: [{ key: "text", content: "x".repeat(1001) }] }), /^3 .*exceeds/);
  assert.match(errorOf({ repeatedData: [{ data: [{ key: "text", content: "x" }] }] }), /use data/);
});

Deno.test("data values: attachments and multi-part values", () => {
  const ok = check({ data: [{ key: "img", attachments: [{ name: "a.png", uri: "pics/a.png" }] }] });
  assert.ok(!("type" in ok) && ok.attachments[0].uri === "pics/a.png");
  assert.match(errorOf({ data: [{ key: "img", attachments: [{ uri: "a.gif" }] }] }), /^13 /);
  assert.match(
    errorOf({ data: [{ key: "img", attachments: [{ uri: "a.png" }, { uri: "b.png" }] }] }),
    /^10 /,
  );
  assert.match(
    errorOf({ data: [{ key: "img", attachments: [{ uri: "/etc/passwd" }] }] }),
    /relative/,
  );
  assert.match(
    errorOf({ data: [{ key: "img", attachments: [{ uri: "a.png", provider: 1 }] }] }),
    /provider/,
  );
  assert.match(
    errorOf({ data: [{ key: "img", attachments: [{ name: "a.png" }] }] }),
    /uri is required/,
  );
  assert.equal(
    errorOf({
      data: [{
        key: "mix",
        parts: [{ contentType: 1, content: "see" }, {
          contentType: 2,
          attachments: [{ uri: "x.jpg" }],
        }],
      }],
    }),
    "ok",
  );
  assert.match(errorOf({ data: [{ key: "mix", parts: [{ contentType: 100 }] }] }), /parts\[0\]/);
});

Deno.test("data errors: grouped by type, five details at most", () => {
  const errors = Array.from(
    { length: 7 },
    (_, i) => ({ index: i, type: 1 as const, message: `m${i}` }),
  );
  const [g] = groupErrors([...errors, { index: 9, type: 3, message: "big" }]);
  assert.equal(g.errorCount, 7);
  assert.equal(g.details.length, 5);
  assert.equal(compileSchema('{"type":"string"}'), compileSchema('{"type":"string"}'), "cached");
});
