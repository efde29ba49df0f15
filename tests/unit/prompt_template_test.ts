/**
 * Prompt template rendering and validation: normal substitution, Jinja2 with typed values,
 * placeholder and multi_part expansion, skip_render, the sandbox and the resource bounds.
 */
import assert from "node:assert/strict";
import { AppError, Codes } from "../../domains/errors.ts";
import {
  type Message,
  type PromptTemplate,
  renderMessages,
  type VariableDef,
  type VariableVal,
} from "../../domains/prompt/template/mod.ts";

function tpl(
  template_type: "normal" | "jinja2",
  messages: Message[],
  variable_defs: VariableDef[] = [],
): PromptTemplate {
  return { template_type, messages, variable_defs };
}

/** Renders a one-message template and returns the content. */
function one(type: "normal" | "jinja2", content: string, defs: VariableDef[], vals: VariableVal[]) {
  return renderMessages(tpl(type, [{ role: "user", content }], defs), vals)[0].content;
}

function throwsInvalid(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AppError, `not an AppError: ${e}`);
    assert.equal(e.code, Codes.invalidParam);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

const str = (key: string): VariableDef => ({ key, type: "string" });
const val = (key: string, value: string): VariableVal => ({ key, value });

Deno.test("normal: substitutes declared variables, tolerating whitespace in braces", () => {
  const defs = [str("city"), str("name")];
  const out = one("normal", "Hi {{name}}, weather in {{ city }}? {{  city}}", defs, [
    val("city", "Paris"),
    val("name", "Ada"),
  ]);
  assert.equal(out, "Hi Ada, weather in Paris? Paris");
});

Deno.test("normal: undeclared braces, JSON and non-names stay as written", () => {
  const out = one("normal", 'Use {{other}} and {"a": {"b": 1}} and {{ a b }} and {{city', [
    str("city"),
  ], [val("city", "x")]);
  assert.equal(out, 'Use {{other}} and {"a": {"b": 1}} and {{ a b }} and {{city');
});

Deno.test("normal: values are inserted as given and never expanded again", () => {
  const defs: VariableDef[] = [str("a"), str("b"), { key: "n", type: "integer" }, {
    key: "o",
    type: "object",
  }, { key: "f", type: "boolean" }];
  const out = one("normal", "{{a}}|{{b}}|{{n}}|{{o}}|{{f}}", defs, [
    val("a", "{{b}}"),
    val("b", "B"),
    val("n", "42"),
    val("o", '{"k": [1]}'),
    val("f", "true"),
  ]);
  assert.equal(out, '{{b}}|B|42|{"k": [1]}|true');
});

Deno.test("normal: a used variable without a value renders as empty, like the reference", () => {
  const defs = [str("city"), str("unused")];
  assert.equal(one("normal", "in {{city}}!", defs, []), "in !");
  assert.equal(one("normal", "in {{city}}", defs, [val("city", "")]), "in ");
  assert.equal(one("normal", "plain", defs, []), "plain");
});

Deno.test("normal: the input template and values are not modified", () => {
  const t = tpl("normal", [{ role: "user", content: "{{x}}" }], [str("x")]);
  const before = structuredClone(t);
  renderMessages(t, [val("x", "1")]);
  assert.deepEqual(t, before);
});

Deno.test("jinja2: loops, conditionals and filters over typed values", () => {
  const defs: VariableDef[] = [
    { key: "items", type: "array<object>" },
    { key: "vip", type: "boolean" },
    { key: "n", type: "integer" },
    { key: "price", type: "float" },
    { key: "tags", type: "array<string>" },
    { key: "user", type: "object" },
    str("name"),
  ];
  const src = [
    "{% if vip %}VIP {% endif %}{{ name | upper }} ({{ user.age + n }})",
    "{% for it in items %}{{ loop.index }}:{{ it.sku }}{% if not loop.last %},{% endif %}{% endfor %}",
    "{{ tags | join('/') }} {{ tags | length }} {{ price }} {{ price * 2 }} {{ missing | default('-') }}",
  ].join("\n");
  const out = one("jinja2", src, defs, [
    val("items", '[{"sku": "a1"}, {"sku": "b2"}]'),
    val("vip", "True"),
    val("n", "2"),
    val("price", "2"),
    val("tags", '["x", "y"]'),
    val("user", '{"age": 40}'),
    val("name", "ada"),
  ]);
  assert.equal(out, "VIP ADA (42)\n1:a1,2:b2\nx/y 2 2.0 4.0 -");
});

Deno.test("jinja2: values that do not parse as their type are errors naming the variable", () => {
  const cases: [string, string, string][] = [
    ["integer", "abc", 'value of "v" is not an integer: "abc"'],
    ["integer", "1.5", 'value of "v" is not an integer: "1.5"'],
    ["float", "1,5", 'value of "v" is not a number: "1,5"'],
    ["boolean", "yes", 'value of "v" is not a boolean (true or false): "yes"'],
    ["object", "[1]", 'value of "v" is not a JSON object: "[1]"'],
    ["array<integer>", '["a"]', 'value of "v" is not a JSON array of integer values: "[\\"a\\"]"'],
    ["array<string>", "not json", 'value of "v" is not a JSON array of string values: "not json"'],
  ];
  for (const [type, raw, reason] of cases) {
    throwsInvalid(
      () => one("jinja2", "{{ v }}", [{ key: "v", type } as VariableDef], [val("v", raw)]),
      `invalid param: variable_vals: ${reason}`,
    );
  }
});

Deno.test("jinja2: unset values render as empty; guards and locally bound names", () => {
  const defs = [str("city"), str("x")];
  assert.equal(one("jinja2", "Weather in {{ city }}.", defs, []), "Weather in .");
  const guarded = "{% if city %}{{ city }}{% endif %}{{ x | default('d') }}" +
    "{% if x is defined %}!{% endif %}";
  assert.equal(one("jinja2", guarded, defs, []), "d");
  assert.equal(one("jinja2", "{% for city in ['a', 'b'] %}{{ city }}{% endfor %}", defs, []), "ab");
  // A blank value of a typed variable counts as absent.
  const n = [{ key: "n", type: "integer" as const }];
  assert.equal(
    one("jinja2", "[{{ n }}]{% if n is defined %}!{% endif %}", n, [val("n", " ")]),
    "[]",
  );
});

Deno.test("jinja2: render-time template errors name the message", () => {
  throwsInvalid(
    () => renderMessages({ template_type: "go_template" as "normal", messages: [] }),
    'invalid param: prompt_template.template_type: unknown template type "go_template"; expected normal or jinja2',
  );
  const t = tpl("jinja2", [
    { role: "system", content: "ok" },
    { role: "user", content: "a\nb\n{{ raise_exception('stop here') }}" },
  ]);
  throwsInvalid(
    () => renderMessages(t),
    "invalid param: prompt_template.messages[1]: jinja2 render error: raise_exception: stop here",
  );
  const bad = tpl("jinja2", [{ role: "user", content: "x\n{% for %}" }]);
  throwsInvalid(
    () => renderMessages(bad),
    /^invalid param: prompt_template\.messages\[0\]: jinja2 syntax error at line 2: /,
  );
});

Deno.test("placeholder messages expand to the variable's messages", () => {
  const t = tpl("normal", [
    { role: "system", content: "You help {{name}}." },
    { role: "placeholder", content: "history" },
    { role: "user", content: "{{q}}" },
  ], [str("name"), str("q"), { key: "history", type: "placeholder" }]);
  const history: Message[] = [
    { role: "user", content: "hi {{name}}" },
    { role: "assistant", content: "hello" },
    { role: "tool", content: "42", tool_call_id: "c1" },
  ];
  const out = renderMessages(t, [
    val("name", "Ada"),
    val("q", "why?"),
    { key: "history", placeholder_messages: history },
  ]);
  assert.deepEqual(out, [
    { role: "system", content: "You help Ada." },
    { role: "user", content: "hi {{name}}" }, // values are not templates
    { role: "assistant", content: "hello" },
    { role: "tool", content: "42", tool_call_id: "c1" },
    { role: "user", content: "why?" },
  ]);
  assert.ok(out.every((m) => m.role !== "placeholder"));
});

Deno.test("placeholder: an unset one stands for no message; wrong shapes are errors", () => {
  const t = tpl("jinja2", [{ role: "placeholder", content: "h" }], [{
    key: "h",
    type: "placeholder",
  }]);
  assert.deepEqual(renderMessages(t, []), []);
  const shape = (placeholder_messages: unknown) => () =>
    renderMessages(t, [{ key: "h", placeholder_messages } as VariableVal]);
  throwsInvalid(
    shape("nope"),
    'invalid param: variable_vals: placeholder "h": placeholder_messages must be a list of messages',
  );
  throwsInvalid(
    shape([{ role: "placeholder", content: "x" }]),
    'invalid param: variable_vals: placeholder "h": message 0 has role "placeholder"; expected system, user, assistant or tool',
  );
  throwsInvalid(
    shape([{ role: "user", parts: [{ type: "multi_part_variable", text: "m" }] }]),
    /^invalid param: variable_vals: placeholder "h": message 0 part 0 has type "multi_part_variable"/,
  );
  assert.deepEqual(renderMessages(t, [{ key: "h", placeholder_messages: [] }]), []);
});

Deno.test("multi_part variables expand into their parts", () => {
  const t = tpl("jinja2", [{
    role: "user",
    parts: [
      { type: "text", text: "Look at {{ what }}:" },
      { type: "multi_part_variable", text: "media" },
      { type: "text", text: "" },
    ],
  }], [str("what"), { key: "media", type: "multi_part" }]);
  const media = [
    { type: "image_url" as const, image_url: { url: "https://x/1.png", uri: "k/1.png" } },
    { type: "text" as const, text: "{{ what }} caption" },
  ];
  const out = renderMessages(t, [val("what", "this"), { key: "media", multi_part_values: media }]);
  assert.deepEqual(out[0].parts, [
    { type: "text", text: "Look at this:" },
    media[0],
    { type: "text", text: "{{ what }} caption" },
  ]);
  // Unset: the variable stands for no part.
  assert.deepEqual(renderMessages(t, [val("what", "x")])[0].parts, [
    { type: "text", text: "Look at x:" },
  ]);
  throwsInvalid(
    () =>
      renderMessages(t, [val("what", "x"), {
        key: "media",
        multi_part_values: [{ type: "multi_part_variable", text: "media" }],
      }]),
    /^invalid param: variable_vals: multi_part "media": part 0 has type "multi_part_variable"/,
  );
  const undeclared = tpl("normal", [{
    role: "user",
    parts: [{ type: "multi_part_variable", text: "pics" }],
  }]);
  throwsInvalid(
    () => renderMessages(undeclared, [{ key: "pics", multi_part_values: [] }]),
    'invalid param: prompt_template.messages[0].parts[0]: multi_part_variable names undeclared variable "pics"',
  );
});

Deno.test("skip_render, tool messages and appended conversation messages", () => {
  const defs = [str("x"), { key: "m", type: "multi_part" as const }];
  const t = tpl("normal", [
    { role: "system", content: "{{x}}" },
    {
      role: "user",
      content: "{{x}}",
      skip_render: true,
      parts: [{ type: "multi_part_variable", text: "m" }],
    },
    { role: "assistant", content: "{{x}}" },
    { role: "tool", content: "{{x}}", tool_call_id: "t" },
  ], defs);
  const vals = [val("x", "X"), {
    key: "m",
    multi_part_values: [{ type: "text" as const, text: "T" }],
  }];
  const out = renderMessages(t, vals, {
    messages: [
      { role: "user", content: "{{x}}" },
      { role: "assistant", content: "{{x}}" },
      { role: "assistant", content: "{{x}}", skip_render: false },
    ],
  });
  assert.deepEqual(out.map((m) => m.content), ["X", "{{x}}", "X", "{{x}}", "X", "{{x}}", "X"]);
  // Even an unrendered message loses its multi_part_variable parts.
  assert.deepEqual(out[1].parts, [{ type: "text", text: "T" }]);
});
