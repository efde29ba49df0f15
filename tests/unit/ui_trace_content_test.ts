/**
 * Span input and output read for display (ui/src/lib/span_content.ts) and the Markdown
 * reader (ui/src/lib/markdown.ts).
 */
import assert from "node:assert/strict";
import {
  contentPreview,
  parseSpanContent,
  prettyJson,
  safeUrl,
  spanAttachments,
} from "../../ui/src/lib/span_content.ts";
import { looksLikeMarkdown, parseInline, parseMarkdown } from "../../ui/src/lib/markdown.ts";

Deno.test("ui span content: the SDK's model input with parts, tools and an uploaded image", () => {
  const input = JSON.stringify({
    messages: [
      { role: "system", content: "Be brief." },
      {
        role: "user",
        parts: [
          { type: "text", text: "What is in this picture?" },
          { type: "image_url", image_url: { name: "cat.png", url: "att/cat.png" } },
          { type: "image_url", image_url: { url: "https://example.com/dog.png" } },
          { type: "file_url", file_url: { name: "doc.pdf", url: "javascript:alert(1)" } },
        ],
      },
    ],
    tools: [{
      type: "function",
      function: { name: "lookup", description: "Looks up", parameters: '{"type":"object"}' },
    }],
    temperature: 0.2,
  });
  const c = parseSpanContent(input, (ref) => ref === "att/cat.png" ? "https://s3/cat" : undefined);
  assert.equal(c.kind, "chat");
  if (c.kind !== "chat") return;
  assert.deepEqual(c.messages[0], {
    role: "system",
    parts: [{ kind: "text", text: "Be brief." }],
    toolCalls: [],
  });
  assert.deepEqual(c.messages[1].parts, [
    { kind: "text", text: "What is in this picture?" },
    { kind: "image", ref: "att/cat.png", url: "https://s3/cat", name: "cat.png" },
    { kind: "image", ref: "https://example.com/dog.png", url: "https://example.com/dog.png" },
    { kind: "file", ref: "javascript:alert(1)", name: "doc.pdf" },
  ]);
  assert.deepEqual(c.tools, [{
    name: "lookup",
    description: "Looks up",
    parameters: { type: "object" },
  }]);
  assert.deepEqual(c.params, { temperature: 0.2 });
});

Deno.test("ui span content: OpenAI shapes, choices with tool calls, tool results", () => {
  const req = parseSpanContent(JSON.stringify([
    {
      role: "user",
      content: [
        { type: "text", text: "hi" },
        { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
      ],
    },
    { role: "tool", tool_call_id: "call_1", content: "42 degrees" },
  ]));
  assert.equal(req.kind, "chat");
  if (req.kind !== "chat") return;
  assert.equal(req.messages[0].parts[1].kind, "image");
  assert.equal(
    (req.messages[0].parts[1] as { url?: string }).url,
    "data:image/png;base64,AAAA",
  );
  assert.equal(req.messages[1].toolCallId, "call_1");
  const out = parseSpanContent(JSON.stringify({
    choices: [{
      index: 0,
      finish_reason: "tool_calls",
      message: {
        role: "assistant",
        content: null,
        reasoning_content: "thinking",
        tool_calls: [{
          id: "call_1",
          type: "function",
          function: { name: "weather", arguments: { city: "Paris" } },
        }],
      },
    }],
  }));
  assert.equal(out.kind, "chat");
  if (out.kind !== "chat") return;
  assert.deepEqual(out.messages, [{
    role: "assistant",
    parts: [],
    toolCalls: [{ id: "call_1", name: "weather", arguments: '{"city":"Paris"}' }],
    reasoning: "thinking",
    finishReason: "tool_calls",
  }]);
});

Deno.test("ui span content: gen_ai parts, a prompt execution answer; JSON and text otherwise", () => {
  const genai = parseSpanContent(JSON.stringify({
    messages: [{
      role: "assistant",
      parts: [
        { type: "tool_call", id: "c1", name: "f", arguments: "{}" },
        { type: "reasoning", content: "hmm" },
      ],
    }, { role: "tool", parts: [{ type: "tool_call_response", id: "c1", response: { ok: 1 } }] }],
  }));
  assert.equal(genai.kind, "chat");
  if (genai.kind !== "chat") return;
  assert.deepEqual(genai.messages[0].toolCalls, [{ id: "c1", name: "f", arguments: "{}" }]);
  assert.equal(genai.messages[0].reasoning, "hmm");
  assert.deepEqual(genai.messages[1].parts, [{ kind: "text", text: '{"ok":1}' }]);
  assert.equal(genai.messages[1].toolCallId, "c1");
  const exec = parseSpanContent(
    '{"message":{"role":"assistant","content":"done"},"finish_reason":"stop"}',
  );
  assert.equal(exec.kind === "chat" && exec.messages[0].finishReason, "stop");
  assert.deepEqual(parseSpanContent('{"city":"Paris"}'), {
    kind: "json",
    value: { city: "Paris" },
  });
  assert.deepEqual(parseSpanContent("[1,2]"), { kind: "json", value: [1, 2] });
  assert.deepEqual(parseSpanContent("plain {words}"), { kind: "text", text: "plain {words}" });
  assert.deepEqual(parseSpanContent("{broken"), { kind: "text", text: "{broken" });
  assert.deepEqual(parseSpanContent("  "), { kind: "empty" });
  assert.deepEqual(parseSpanContent(undefined), { kind: "empty" });
  assert.deepEqual(parseSpanContent('{"choices":[]}'), { kind: "json", value: { choices: [] } });
  assert.equal(prettyJson('{"a":1}'), '{\n  "a": 1\n}');
  assert.equal(prettyJson("text"), "text");
});

Deno.test("ui span content: attachments from object_storage, any key case; safe URLs only", () => {
  const os = JSON.stringify({
    input_tos_key: "big",
    attachments: [
      { field: "input", name: "cat.png", type: "image", tos_key: "att/cat.png" },
      { field: "output", name: "x", type: "file", tos_key: "att/x" },
      { field: "input", name: "nokey", type: "image" },
    ],
  });
  assert.deepEqual(spanAttachments(os, { "att/cat.png": "https://s3/cat" }), [
    { field: "input", name: "cat.png", type: "image", key: "att/cat.png", url: "https://s3/cat" },
    { field: "output", name: "x", type: "file", key: "att/x" },
  ]);
  const go = '{"Attachments":[{"Field":"input","Name":"n","Type":"image","TosKey":"k"}]}';
  assert.deepEqual(spanAttachments(go, { k: "http://h/k" }), [
    { field: "input", name: "n", type: "image", key: "k", url: "http://h/k" },
  ]);
  assert.deepEqual(spanAttachments("", {}), []);
  assert.deepEqual(spanAttachments("not json", {}), []);
  assert.equal(safeUrl("javascript:alert(1)"), undefined);
  assert.equal(safeUrl("data:text/html;base64,AAAA"), undefined);
  assert.equal(safeUrl(" https://x/y "), "https://x/y");
});

Deno.test("ui markdown: blocks and inline marks", () => {
  const blocks = parseMarkdown(
    "# Title\n\nSome **bold** and *it* with `code` and [a link](https://x.y/z).\n" +
      "next line\n\n- one\n- two\n\n1. first\n2) second\n\n```ts\nconst a = 1;\n```\n\n> quoted\n\n---",
  );
  assert.deepEqual(blocks.map((b) => b.t), ["h", "p", "list", "list", "code", "quote", "hr"]);
  assert.deepEqual(blocks[0], { t: "h", level: 1, c: [{ t: "text", v: "Title" }] });
  assert.deepEqual(blocks[1], {
    t: "p",
    c: [
      { t: "text", v: "Some " },
      { t: "strong", c: [{ t: "text", v: "bold" }] },
      { t: "text", v: " and " },
      { t: "em", c: [{ t: "text", v: "it" }] },
      { t: "text", v: " with " },
      { t: "code", v: "code" },
      { t: "text", v: " and " },
      { t: "link", href: "https://x.y/z", c: [{ t: "text", v: "a link" }] },
      { t: "text", v: "." },
      { t: "br" },
      { t: "text", v: "next line" },
    ],
  });
  assert.deepEqual(blocks[4], { t: "code", lang: "ts", v: "const a = 1;" });
  assert.equal(blocks[3].t === "list" && blocks[3].ordered, true);
  assert.deepEqual(parseInline("[x](javascript:alert(1))"), [
    { t: "text", v: "[x](javascript:alert(1))" },
  ]);
  assert.deepEqual(parseInline("snake_case_name"), [{ t: "text", v: "snake_case_name" }]);
  assert.ok(looksLikeMarkdown("## Heading"));
  assert.ok(!looksLikeMarkdown("just a sentence."));
});

Deno.test("ui span content: one-line previews for the span table", () => {
  const chat = JSON.stringify({
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", parts: [{ type: "text", text: "What is\nthis?" }, { type: "image_url" }] },
    ],
  });
  assert.equal(contentPreview(chat), "What is this? [image]");
  const call = JSON.stringify({
    choices: [{
      message: { role: "assistant", tool_calls: [{ function: { name: "f", arguments: "{}" } }] },
    }],
  });
  assert.equal(contentPreview(call), "f({})");
  assert.equal(contentPreview("  plain\n text "), "plain text");
  assert.equal(contentPreview("x".repeat(300)).length, 200);
  assert.equal(contentPreview(undefined), "");
});
