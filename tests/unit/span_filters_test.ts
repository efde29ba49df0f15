import assert from "node:assert/strict";
import { compileFilters } from "../../domains/observability/query/filters.ts";
import { AppError } from "../../domains/errors.ts";

const invalid = (fn: () => unknown, field: RegExp) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AppError);
    assert.equal(e.code, 602000202);
    assert.match(e.message, field);
    return true;
  });

Deno.test("filters: values become typed parameters, never SQL text", () => {
  const hostile = `') OR 1=1 --\\'"`;
  const c = compileFilters({
    query_and_or: "or",
    filter_fields: [
      { field_name: "span_name", query_type: "eq", values: [hostile] },
      { field_name: "my.tag", field_type: "long", query_type: "gte", values: ["42"] },
      { field_name: "duration", query_type: "lt", values: ["1500"] },
      {
        field_name: "model_name",
        query_type: "in",
        values: ["gpt-4o", "o1"],
        query_and_or: "and",
        sub_filter: {
          filter_fields: [{ field_name: "status", query_type: "eq", values: ["error"] }],
        },
      },
    ],
  });
  assert.ok(!c.sql.includes(hostile) && !c.sql.includes("OR 1=1"));
  assert.ok(!c.sql.includes("my.tag"), "tag keys are parameters too");
  assert.match(
    c.sql,
    /^\(span_name = \{f0:String\} OR tags_long\[\{f1:String\}\] >= \{f2:Int64\} OR /,
  );
  assert.equal(c.params.f0, hostile);
  assert.equal(c.params.f1, "my.tag");
  assert.equal(c.params.f2, 42n);
  assert.equal(c.params.f3, 1_500_000n, "duration filters are in ms, stored in µs");
  assert.deepEqual(c.params.f4, ["gpt-4o", "o1"]);
  assert.match(
    c.sql,
    /\(tag_model_name IN \{f4:Array\(String\)\} AND \(\(status_code != 0\)\)\)/,
  );
});

Deno.test("filters: well-known string tags compare their column; presence asks the map", () => {
  const c = compileFilters({
    filter_fields: [
      { field_name: "user_id", query_type: "eq", values: ["u-7"] },
      { field_name: "thread_id", query_type: "not_match", values: ["x"] },
      { field_name: "prompt_key", query_type: "exist" },
      { field_name: "error", query_type: "eq", values: ["boom"] },
      { field_name: "input_tokens", query_type: "gt", values: ["10"] },
    ],
  });
  assert.match(c.sql, /tag_user_id = \{f0:String\}/);
  assert.match(c.sql, /NOT \(positionCaseInsensitiveUTF8\(tag_thread_id, \{f1:String\}\) > 0\)/);
  assert.match(c.sql, /mapContains\(tags_string, \{f2:String\}\)/);
  assert.equal(c.params.f2, "prompt_key");
  assert.match(c.sql, /tags_string\[\{f3:String\}\] = \{f4:String\}/, "error has no column");
  assert.match(c.sql, /tags_long\[\{f5:String\}\] > \{f6:Int64\}/);
});

Deno.test("filters: empty, exist and match", () => {
  assert.deepEqual(compileFilters(undefined), { sql: "1", params: {} });
  assert.deepEqual(compileFilters({ filter_fields: [] }), { sql: "1", params: {} });
  const c = compileFilters({
    filter_fields: [
      { field_name: "logid", query_type: "exist" },
      { field_name: "user_id", query_type: "not_exist" },
      { field_name: "input", query_type: "match", values: ["hello", "%_"] },
    ],
  });
  assert.match(c.sql, /\(logid IS NOT NULL AND logid != ''\)/);
  assert.match(c.sql, /NOT mapContains\(tags_string, \{f0:String\}\)/);
  assert.match(c.sql, /positionCaseInsensitiveUTF8\(input, \{f1:String\}\) > 0 OR/);
  assert.equal(c.params.f2, "%_", "match is a substring search: no LIKE wildcards to escape");
});

Deno.test("filters: malformed trees are invalid param naming the field", () => {
  const one = (f: Record<string, unknown>) => () => compileFilters({ filter_fields: [f as never] });
  invalid(
    one({ field_name: "span_name", query_type: "drop_table", values: ["x"] }),
    /filters\.filter_fields\.0\.query_type/,
  );
  invalid(one({ field_name: "a\u0000b", query_type: "eq", values: ["x"] }), /field_name/);
  invalid(one({ field_name: "x".repeat(300), query_type: "eq", values: ["x"] }), /field_name/);
  invalid(one({ field_name: "status_code", query_type: "eq", values: ["1 OR 1"] }), /values/);
  invalid(one({ field_name: "span_name", query_type: "gt", values: ["a"] }), /query_type/);
  invalid(one({ field_name: "span_name", query_type: "eq", values: ["a", "b"] }), /values/);
  invalid(
    one({ field_name: "k", field_type: "bool", query_type: "eq", values: ["yes"] }),
    /values/,
  );
  invalid(
    one({ field_name: "k", field_type: "uuid", query_type: "eq", values: ["x"] }),
    /field_type/,
  );
  invalid(one({ field_name: "k", query_type: "eq", values: ["x".repeat(5000)] }), /values/);
  invalid(one({ field_name: "k", query_type: "in", values: [] }), /values/);
  invalid(one({ field_name: "status", query_type: "eq", values: ["maybe"] }), /values/);
  invalid(
    () => compileFilters({ query_and_or: "xor" as never, filter_fields: [] }),
    /query_and_or/,
  );
  let deep: Record<string, unknown> = { filter_fields: [] };
  for (let i = 0; i < 7; i++) deep = { filter_fields: [{ sub_filter: deep }] };
  invalid(() => compileFilters(deep as never), /nested deeper/);
  const many = {
    filter_fields: Array.from({ length: 80 }, () => ({ field_name: "a", values: ["1"] })),
  };
  invalid(() => compileFilters(many), /more than 64 fields/);
});
