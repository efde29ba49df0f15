/**
 * The prompt pages' logic (ui/src/lib): template highlighting and variables, declarations
 * kept in step, versions, diffs and their summaries, the tools' JSON, prompt keys.
 */
import assert from "node:assert/strict";
import {
  jinjaVariables,
  syncVariableDefs,
  templateTokens,
  templateVariables,
} from "../../ui/src/lib/template_vars.ts";
import {
  compareVersions,
  nextVersion,
  parseVersion,
  sortVersionsDesc,
  versionProblem,
} from "../../ui/src/lib/semver.ts";
import {
  detailText,
  diffSummary,
  formatDiffRange,
  lineChanges,
  parseDiffRange,
} from "../../ui/src/lib/prompt_diff.ts";
import { textToTools, toolsToText, topLevelElements } from "../../ui/src/lib/tools_json.ts";
import { copyKey, isPromptKey, keyFromName } from "../../ui/src/lib/prompt_names.ts";

Deno.test("ui prompt: the spans of a normal template and of a Jinja2 one", () => {
  const text = "Hi {{ name }}, {{x.y}} {name}";
  assert.deepEqual(templateTokens(text, "normal"), [{ from: 3, to: 13, kind: "var" }]);
  const j = "{# note #}{% for c in cities %}{{ c }}{% endfor %}";
  assert.deepEqual(templateTokens(j, "jinja2").map((t) => [j.slice(t.from, t.to), t.kind]), [
    ["{# note #}", "comment"],
    ["{% for c in cities %}", "tag"],
    ["{{ c }}", "expr"],
    ["{% endfor %}", "tag"],
  ]);
});

Deno.test("ui prompt: the variables a Jinja2 text reads", () => {
  assert.deepEqual(
    jinjaVariables(
      "{% for c in cities %}{{ c | upper }}{{ loop.index }}{% endfor %}" +
        "{% if user.name and not hidden %}{{ greeting | default('hi') }}{% endif %}" +
        "{% set total = items | length %}{{ total }}{{ x is defined }}{{ fmt(n=count) }}" +
        "{# {{ commented }} #}{{ 'a string' }}{{ a == b }}",
    ),
    ["cities", "user", "hidden", "greeting", "items", "x", "fmt", "count", "a", "b"],
  );
});

Deno.test("ui prompt: a template's variables, placeholders typed by their message", () => {
  const messages = [
    { role: "system", content: "You help with {{topic}} and {{ topic }}." },
    { role: "placeholder", content: "history" },
    { role: "user", content: "{{question}} {{bad-key}}" },
    { role: "tool", content: "{{ignored}}" },
    { role: "user", parts: [{ type: "multi_part_variable", text: "pics" }] },
  ];
  assert.deepEqual(templateVariables(messages, "normal"), [
    { key: "topic" },
    { key: "history", implied: "placeholder" },
    { key: "question" },
    { key: "pics", implied: "multi_part" },
  ]);
  const defs = syncVariableDefs(
    [
      { key: "question", type: "integer", desc: "a number" },
      { key: "gone", type: "string" },
      { key: "topic", type: "placeholder" },
    ],
    messages,
    "normal",
  );
  assert.deepEqual(defs, [
    { key: "topic", type: "string" },
    { key: "history", type: "placeholder" },
    { key: "question", type: "integer", desc: "a number" },
    { key: "pics", type: "multi_part" },
  ]);
});

Deno.test("ui prompt: versions, their order and the next one", () => {
  assert.deepEqual(parseVersion("1.20.3"), [1, 20, 3]);
  assert.equal(parseVersion("01.0.0"), undefined);
  assert.equal(parseVersion("1.0"), undefined);
  assert.equal(parseVersion("100000.0.0"), undefined);
  assert.ok(compareVersions("1.10.0", "1.9.9") > 0);
  assert.equal(compareVersions("2.0.0", "2.0.0"), 0);
  assert.deepEqual(sortVersionsDesc(["1.0.0", "1.10.0", "1.2.0"]), ["1.10.0", "1.2.0", "1.0.0"]);
  assert.equal(nextVersion(""), "1.0.0");
  assert.equal(nextVersion("1.2.3"), "1.3.0");
  assert.equal(nextVersion("1.2.3", "patch"), "1.2.4");
  assert.equal(nextVersion("1.2.3", "major"), "2.0.0");
  assert.equal(versionProblem("1.3.0", "1.2.3"), undefined);
  assert.match(versionProblem("1.2.3", "1.2.3")!, /greater than the latest version 1\.2\.3/);
  assert.match(versionProblem("v1", undefined)!, /like 1\.0\.0/);
});

const base = {
  prompt_template: {
    template_type: "normal",
    messages: [
      { role: "system", content: "You help with {{topic}}." },
      { role: "user", content: "{{question}}" },
    ],
    variable_defs: [{ key: "topic", type: "string" }, { key: "question", type: "string" }],
  },
  tools: [{ type: "function", function: { name: "get_weather", parameters: '{"type":"object"}' } }],
  model_config: { model_id: "1", temperature: 0.4 },
};

Deno.test("ui prompt: a detail as text, and what changed between two", () => {
  const text = detailText(base, (id) => (id === "1" ? "fake-gpt" : ""));
  assert.match(text, /## message 1: system\nYou help with \{\{topic\}\}\./);
  assert.match(text, /model: fake-gpt \(1\)\ntemperature: 0\.4/);
  assert.match(text, /get_weather\n {2}\{\n {4}"type": "object"\n {2}\}/);
  assert.equal(detailText(structuredClone(base)), detailText(base), "stable");
  const next = structuredClone(base);
  next.prompt_template.messages[1].content = "Q: {{question}} for {{city}}";
  next.prompt_template.messages.push({ role: "assistant", content: "ok" });
  next.prompt_template.variable_defs = [
    { key: "topic", type: "integer" },
    { key: "question", type: "string" },
    { key: "city", type: "string" },
  ];
  next.model_config.temperature = 0.7;
  next.tools = [];
  assert.deepEqual(diffSummary(base, next), [
    "messages: 1 changed, 1 added",
    "variables: +city",
    "variable topic: string → integer",
    "temperature: 0.4 → 0.7",
    "tools: -get_weather",
  ]);
  assert.deepEqual(diffSummary(base, structuredClone(base)), []);
  assert.deepEqual(diffSummary(undefined, base).slice(0, 2), [
    "messages: 2 added",
    "variables: +topic +question",
  ]);
});

Deno.test("ui prompt: line changes of a diff", () => {
  assert.deepEqual(lineChanges("a\nb\nc", "a\nb\nc"), { added: 0, removed: 0 });
  assert.deepEqual(lineChanges("a\nb\nc", "a\nx\nc\nd"), { added: 2, removed: 1 });
  assert.deepEqual(lineChanges("", "a\nb"), { added: 2, removed: 1 });
  assert.deepEqual(lineChanges("x\na\ny\nb", "a\nb\nz"), { added: 1, removed: 2 });
});

Deno.test("ui prompt: the compared versions of the URL", () => {
  assert.deepEqual(parseDiffRange("1.0.0..1.1.0"), { from: "1.0.0", to: "1.1.0" });
  assert.deepEqual(parseDiffRange("1.0.0..draft"), { from: "1.0.0", to: "draft" });
  assert.equal(parseDiffRange("1.0.0"), undefined);
  assert.equal(parseDiffRange(undefined), undefined);
  assert.equal(parseDiffRange("..1.0.0"), undefined);
  assert.equal(formatDiffRange("1.0.0", "2.0.0"), "1.0.0..2.0.0");
});

Deno.test("ui prompt: tools as JSON, checked with the place of each problem", () => {
  const text = toolsToText(base.tools as never);
  assert.deepEqual(JSON.parse(text)[0].function.parameters, { type: "object" });
  assert.deepEqual(textToTools(text), { tools: base.tools, problems: [] });
  assert.deepEqual(textToTools("  "), { tools: [], problems: [] });
  const bad = textToTools('[{"function": {"name": "ok"}}, {"function": {"name": "no space"}}]');
  assert.equal(bad.tools, undefined);
  assert.equal(bad.problems.length, 1);
  assert.match(bad.problems[0].message, /^tool 2: function\.name/);
  assert.equal(bad.problems[0].from, 31);
  const syntax = textToTools('[{"function": }]');
  assert.equal(syntax.problems.length, 1);
  assert.ok(syntax.problems[0].from > 0 && syntax.problems[0].from <= 16);
  assert.match(textToTools("{}").problems[0].message, /JSON array/);
  assert.match(
    textToTools('[{"function":{"name":"a","parameters":"{}"}}]').problems[0].message,
    /JSON schema object/,
  );
  assert.match(
    textToTools('[{"function":{"name":"a"}},{"function":{"name":"a"}}]').problems[0].message,
    /duplicate name "a"/,
  );
  assert.deepEqual(topLevelElements('[ {"a": "]"}, 2 ,"x\\"y" ]'), [[2, 12], [14, 15], [17, 23]]);
});

Deno.test("ui prompt: keys suggested from names", () => {
  assert.equal(keyFromName("  Weather Helper!  "), "weather_helper");
  assert.equal(keyFromName("Café v1.2"), "cafe_v1.2");
  assert.ok(isPromptKey("a.b-c_1"));
  assert.ok(!isPromptKey("a b"));
  assert.equal(copyKey("weather"), "weather_copy");
  assert.equal(copyKey("k".repeat(128)).length, 128);
});
