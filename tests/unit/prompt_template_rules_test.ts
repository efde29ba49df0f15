/** Prompt templates: commit-time validation, the Jinja2 sandbox and the resource bounds. */
import assert from "node:assert/strict";
import { AppError, Codes } from "../../domains/errors.ts";
import {
  type Message,
  type PromptTemplate,
  renderMessages,
  validateTemplate,
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

Deno.test("validateTemplate: accepts a well-formed template with every variable type", () => {
  const types = [
    "string",
    "boolean",
    "integer",
    "float",
    "object",
    "array<string>",
    "array<boolean>",
    "array<integer>",
    "array<float>",
    "array<object>",
    "placeholder",
    "multi_part",
  ] as const;
  validateTemplate(tpl("jinja2", [
    { role: "system", content: "{% for x in v4 %}{{ x }}{% endfor %}" },
    { role: "placeholder", content: "v10" },
    { role: "user", parts: [{ type: "multi_part_variable", text: "v11" }, { type: "text" }] },
    { role: "assistant", content: "{% broken", skip_render: true },
  ], types.map((type, i) => ({ key: `v${i}`, type }))));
  validateTemplate(tpl("normal", [{ role: "user", content: "{{ anything {% goes" }]));
});

Deno.test("validateTemplate: each problem is reported with its field", () => {
  const cases: [PromptTemplate, string][] = [
    [
      { template_type: "go_template" as "normal", messages: [] },
      'invalid param: prompt_template.template_type: unknown template type "go_template"; expected normal or jinja2',
    ],
    [
      tpl("normal", [{ role: "placeholder", content: "hist" }]),
      'invalid param: prompt_template.messages[0]: placeholder message names undeclared variable "hist"',
    ],
    [
      tpl("normal", [{ role: "user", content: "" }, { role: "placeholder", content: "hist" }], [
        str("hist"),
      ]),
      'invalid param: prompt_template.messages[1]: placeholder message names variable "hist" of type "string", not placeholder',
    ],
    [
      tpl("normal", [], [str("a"), str("b"), str("a")]),
      'invalid param: prompt_template.variable_defs[2].key: duplicate variable key "a"',
    ],
    [
      tpl("normal", [], [{ key: "date", type: "date" as "string" }]),
      /* unknown type */ 'invalid param: prompt_template.variable_defs[0].type: unknown variable type "date"; expected one of string, boolean, integer, float, object, array<string>, array<boolean>, array<integer>, array<float>, array<object>, placeholder, multi_part',
    ],
    [
      tpl("normal", [{ role: "user", parts: [{ type: "multi_part_variable", text: "m" }] }]),
      'invalid param: prompt_template.messages[0].parts[0]: multi_part_variable part names undeclared variable "m"',
    ],
    [
      tpl("normal", [{ role: "bot" as "user", content: "x" }]),
      'invalid param: prompt_template.messages[0].role: unknown role "bot"',
    ],
  ];
  cases.push([
    tpl("normal", [{ role: "user", parts: [{ type: "text", text: "é".repeat(600_000) }] }]),
    "invalid param: prompt_template.messages[0].parts[0]: template text exceeds 1048576 bytes",
  ]);
  for (const [t, message] of cases) throwsInvalid(() => validateTemplate(t), message);
  for (const key of ["1abc", "a-b", "", "名字", "a b"]) {
    throwsInvalid(
      () => validateTemplate(tpl("normal", [], [str(key)])),
      `invalid param: prompt_template.variable_defs[0].key: invalid variable key ${
        JSON.stringify(key)
      }: use letters, digits and underscore, not starting with a digit`,
    );
  }
  throwsInvalid(
    () => validateTemplate(tpl("normal", [], [{ key: "a", type: "array<date>" as "string" }])),
    /^invalid param: prompt_template\.variable_defs\[0\]\.type: unknown variable type "array<date>"/,
  );
});

Deno.test("validateTemplate: jinja2 syntax errors name the message, line and reason", () => {
  const check = (messages: Message[], expected: string) =>
    throwsInvalid(() => validateTemplate(tpl("jinja2", messages)), expected);
  check(
    [{ role: "system", content: "ok" }, {
      role: "user",
      content: "line 1\nline 2\n{{ name | }}\n",
    }],
    "invalid param: prompt_template.messages[1]: jinja2 syntax error at line 3: Unexpected token: CloseExpression",
  );
  check(
    [{ role: "user", content: "a\n{% if x %}\nb\n{{ c }}" }],
    "invalid param: prompt_template.messages[0]: jinja2 syntax error at line 2: unexpected end of template (a tag or block is not closed)",
  );
  check(
    [{ role: "user", content: "a\n\n{{ 'open }}" }],
    "invalid param: prompt_template.messages[0]: jinja2 syntax error at line 3: Unexpected end of input",
  );
  check(
    [{ role: "user", parts: [{ type: "text", text: "ok" }, { type: "text", text: "x\n{{ @ }}" }] }],
    "invalid param: prompt_template.messages[0].parts[1]: jinja2 syntax error at line 2: Unexpected character: @",
  );
  check(
    [{ role: "user", content: "{% include '/etc/passwd' %}" }],
    "invalid param: prompt_template.messages[0]: jinja2 syntax error at line 1: Unknown statement type: include",
  );
  // Past 64 KiB the engine is too slow to re-parse for the line, which is then left out.
  check(
    [{ role: "user", content: "text\n".repeat(14_000) + "{{ x | }}" }],
    "invalid param: prompt_template.messages[0]: jinja2 syntax error: Unexpected token: CloseExpression",
  );
  check(
    [{ role: "user", content: "{% import 'os' as os %}" }],
    "invalid param: prompt_template.messages[0]: jinja2 syntax error at line 1: Unknown statement type: import",
  );
});

Deno.test("sandbox: no JS property, prototype or loader access from templates", () => {
  const defs: VariableDef[] = [{ key: "x", type: "object" }, str("s")];
  const vals = [val("x", '{"__proto__": {"polluted": 1}, "a": 1}'), val("s", "str")];
  const render = (content: string) => one("jinja2", content, defs, vals);
  assert.equal(
    render("{{ ''.__class__ }}|{{ s.constructor }}|{{ x.constructor }}|{{ s['__proto__'] }}"),
    "|||",
  );
  assert.equal(render("{{ x.toString }}|{{ x.hasOwnProperty }}|{{ x.a.valueOf }}"), "||");
  throwsInvalid(
    () => render("{{ s.constructor.constructor('return globalThis')() }}"),
    /jinja2 render error: Cannot call something that is not a function/,
  );
  throwsInvalid(() => render("{{ x.toString() }}"), /jinja2 render error/);
  throwsInvalid(
    () => render("{% include 'x.txt' %}"),
    /jinja2 syntax error at line 1: Unknown statement type: include/,
  );
  throwsInvalid(() => render("{% from 'os' import path %}"), /Unknown statement type: from/);
  // Functions print as a marker, not as JS source.
  assert.equal(render("{{ namespace }} {{ range }}"), "<function> <function>");
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

Deno.test("bounds: huge ranges, runaway loops and growing strings fail fast", () => {
  const run = (content: string, options = {}) =>
    renderMessages(tpl("jinja2", [{ role: "user", content }]), [], options);
  throwsInvalid(
    () => run("{% for i in range(100000000) %}x{% endfor %}"),
    "invalid param: prompt_template.messages[0]: range() of 100000000 items exceeds 10000",
  );
  throwsInvalid(
    // The clock backstop is lifted so that a busy machine cannot make it fire first.
    () =>
      run("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}", {
        maxMillis: 600_000,
      }),
    "invalid param: prompt_template.messages[0]: template does too much work (over 500000 steps)",
  );
  throwsInvalid(
    () => run("{% set x = 'ab' %}{% for i in range(64) %}{% set x = x ~ x %}{% endfor %}{{ x }}"),
    "invalid param: prompt_template.messages[0]: rendered text exceeds 1048576 bytes",
  );
  throwsInvalid(
    () => run("{% set a = [1] %}{% for i in range(64) %}{% set a = a + a %}{% endfor %}"),
    "invalid param: prompt_template.messages[0]: a list or mapping exceeds 100000 items",
  );
  throwsInvalid(
    () => run("{% for i in range(10000) %}{{ i }}{% endfor %}", { maxSteps: 1000 }),
    "invalid param: prompt_template.messages[0]: template does too much work (over 1000 steps)",
  );
  throwsInvalid(
    () =>
      run("{% for i in range(10000) %}{% for j in range(9) %}{{ j }}{% endfor %}{% endfor %}", {
        maxMillis: 0,
      }),
    "invalid param: prompt_template.messages[0]: rendering took longer than 0 ms",
  );
  const deepObject = '{"a":'.repeat(20_000) + "1" + "}".repeat(20_000);
  throwsInvalid(
    () => one("jinja2", "{{ v }}", [{ key: "v", type: "object" }], [val("v", deepObject)]),
    "invalid param: prompt_template.messages[0]: template or value is nested too deeply",
  );
});

Deno.test("bounds: the rendered size of a message is capped in UTF-8 bytes", () => {
  const defs = [str("v")];
  const t = tpl("normal", [{ role: "system", content: "ok" }, {
    role: "user",
    content: "{{v}}{{v}}",
    parts: [{ type: "text", text: "{{v}}" }],
  }], defs);
  const field = "invalid param: prompt_template.messages[1]";
  // 3 x 4 two-byte characters = 24 bytes.
  assert.equal(
    renderMessages(t, [val("v", "éééé")], { maxMessageBytes: 24 })[1].content,
    "éééééééé",
  );
  throwsInvalid(
    () => renderMessages(t, [val("v", "éééé")], { maxMessageBytes: 23 }),
    `${field}: rendered message exceeds 23 bytes`,
  );
  const big = "x".repeat(600_000);
  throwsInvalid(
    () => renderMessages(t, [val("v", big)]),
    `${field}: rendered text exceeds 1048576 bytes`,
  );
  throwsInvalid(
    () => renderMessages(tpl("jinja2", [{ role: "user", content: "{# #}" + big + big }])),
    `invalid param: prompt_template.messages[0]: template text exceeds 1048576 bytes`,
  );
  const j = tpl("jinja2", [{ role: "user", content: "{{ v }}{{ v }}" }], defs);
  throwsInvalid(() => renderMessages(j, [val("v", big)]), /rendered text exceeds 1048576 bytes/);
});
