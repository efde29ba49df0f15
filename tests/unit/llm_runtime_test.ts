/**
 * The LLM runtime against a local fake provider (providers are external services): answers,
 * streams, tool calls, reasoning and usage in both wire formats, and what the runtime sends
 * (messages, tools, tool_choice, parameters). Failures are in llm_runtime_failures_test.ts.
 */
import assert from "node:assert/strict";
import { createLlmRuntime, type Usage } from "../../domains/llm/runtime/mod.ts";
import type { ChatMessage } from "../../domains/llm/runtime/types.ts";
import { REASONING, TOOL_ARGUMENTS } from "../fixtures/fake_llm_server.ts";
import {
  assemble,
  capturingLogger,
  collect,
  fakeModel,
  PROTOCOLS,
  WEATHER_TOOL,
  withFake,
} from "./_llm_runtime.ts";

type Body = Record<string, unknown>;
const runtime = createLlmRuntime({ maxRetries: 0, defaultTimeoutMs: 10_000 });
const say = (content: string): ChatMessage[] => [{ role: "user", content }];

for (const protocol of PROTOCOLS) {
  Deno.test(`llm runtime (${protocol}): chat answers with finish_reason, usage and latency`, () =>
    withFake(async (fake) => {
      const usages: [bigint, Usage, number][] = [];
      const rt = createLlmRuntime({ maxRetries: 0, onUsage: (...a) => usages.push(a) });
      const result = await rt.chat({ model: fakeModel(fake, protocol), messages: say("hello") });
      assert.deepEqual(result.message, { role: "assistant", content: "echo: hello" });
      assert.equal(result.finish_reason, "stop");
      assert.ok(result.usage.input_tokens > 0 && result.usage.output_tokens === 2, "usage");
      assert.equal(typeof result.latencyFirstTokenMs, "number");
      assert.deepEqual(usages.map(([id, u]) => [id, u]), [[4242n, result.usage]], "metered");
      assert.equal((fake.requests[0] as Body).model, "fake-model");
    }));

  Deno.test(`llm runtime (${protocol}): a stream arrives in pieces; the last has finish and usage`, () =>
    withFake(async (fake) => {
      const usages: Usage[] = [];
      const rt = createLlmRuntime({ maxRetries: 0, onUsage: (_, u) => usages.push(u) });
      const chunks = await collect(
        rt.stream({ model: fakeModel(fake, protocol), messages: say("one two three") }),
      );
      assert.ok(chunks.length >= 4, `several chunks, got ${chunks.length}`);
      assert.ok(chunks.slice(0, -1).every((c) => !c.finish_reason && !c.usage), "only the last");
      const all = assemble(chunks);
      assert.equal(all.content, "echo: one two three");
      assert.equal(all.finish, "stop");
      assert.equal(all.usage?.output_tokens, 4);
      assert.ok((all.usage?.input_tokens ?? 0) > 0);
      assert.deepEqual(usages, [all.usage], "metered once, after the stream");
    }));

  Deno.test(`llm runtime (${protocol}): tools and tool_choice are sent, the call comes back`, () =>
    withFake(async (fake) => {
      const result = await runtime.chat({
        model: fakeModel(fake, protocol),
        messages: say("weather? #tool"),
        tools: [WEATHER_TOOL],
        toolChoice: { name: "get_weather" },
      });
      assert.equal(result.finish_reason, "tool_calls");
      assert.equal(result.message.tool_calls?.length, 1);
      const call = result.message.tool_calls![0];
      assert.equal(call.index, 0);
      assert.equal(call.type, "function");
      assert.ok(call.id, "has an id");
      assert.equal(call.function_call.name, "get_weather");
      assert.deepEqual(JSON.parse(call.function_call.arguments), JSON.parse(TOOL_ARGUMENTS));

      const body = fake.requests[0] as Body;
      const schema = JSON.parse(WEATHER_TOOL.function.parameters);
      if (protocol === "openai") {
        assert.deepEqual(body.tools, [{
          type: "function",
          function: {
            name: "get_weather",
            description: "The weather in a city",
            parameters: schema,
          },
        }]);
        assert.deepEqual(body.tool_choice, { type: "function", function: { name: "get_weather" } });
      } else {
        assert.deepEqual(body.tools, [
          { name: "get_weather", description: "The weather in a city", input_schema: schema },
        ]);
        assert.deepEqual(body.tool_choice, { type: "tool", name: "get_weather" });
      }
    }));

  Deno.test(`llm runtime (${protocol}): streamed tool call deltas assemble into the call`, () =>
    withFake(async (fake) => {
      const chunks = await collect(runtime.stream({
        model: fakeModel(fake, protocol),
        messages: say("#tool"),
        tools: [WEATHER_TOOL],
        toolChoice: "auto",
      }));
      const deltas = chunks.flatMap((c) => c.message.tool_calls ?? []);
      assert.ok(deltas.length >= 3, "the arguments arrive in fragments");
      assert.ok(deltas[0].id && deltas[0].function_call.name === "get_weather", "first: id, name");
      assert.ok(deltas.slice(1).every((d) => d.index === 0 && !d.id), "later: fragments only");
      const all = assemble(chunks);
      assert.equal(all.finish, "tool_calls");
      assert.equal(all.toolCalls.length, 1);
      assert.equal(all.toolCalls[0].function_call.arguments, TOOL_ARGUMENTS);
      const sent = (fake.requests[0] as Body).tool_choice;
      assert.deepEqual(sent, protocol === "openai" ? "auto" : { type: "auto" });
    }));

  Deno.test(`llm runtime (${protocol}): reasoning_content passes through, before the content`, () =>
    withFake(async (fake) => {
      const model = fakeModel(fake, protocol);
      const result = await runtime.chat({ model, messages: say("hi #reasoning") });
      assert.equal(result.message.reasoning_content, REASONING);
      assert.equal(result.message.content, "echo: hi #reasoning");

      const chunks = await collect(runtime.stream({ model, messages: say("hi #reasoning") }));
      const firstContent = chunks.findIndex((c) => c.message.content);
      const lastReasoning = chunks.findLastIndex((c) => c.message.reasoning_content);
      assert.ok(lastReasoning >= 1 && lastReasoning < firstContent, "reasoning first, in pieces");
      assert.equal(assemble(chunks).reasoning, REASONING);
    }));
}

Deno.test("llm runtime (openai): parameters map to chat completion fields", () =>
  withFake(async (fake) => {
    const params = {
      temperature: 0.3,
      max_tokens: 256,
      top_p: 0.9,
      top_k: 5,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      json_mode: true,
    };
    await runtime.chat({ model: fakeModel(fake, "openai"), messages: say("x"), params });
    await collect(runtime.stream({ model: fakeModel(fake, "qwen"), messages: say("x"), params }));
    const [openai, qwen] = fake.requests as Body[];
    assert.equal(openai.temperature, 0.3);
    assert.equal(openai.max_tokens, 256);
    assert.equal(openai.top_p, 0.9);
    assert.equal(openai.presence_penalty, 0.1);
    assert.equal(openai.frequency_penalty, 0.2);
    assert.deepEqual(openai.response_format, { type: "json_object" });
    assert.equal(openai.top_k, undefined, "api.openai.com rejects top_k");
    assert.equal(openai.stream, undefined);
    assert.equal(qwen.top_k, 5, "qwen takes top_k");
    assert.equal(qwen.stream, true);
    assert.deepEqual(qwen.stream_options, { include_usage: true });
  }));

Deno.test("llm runtime (openai): api.openai.com gets max_completion_tokens (custom fetch)", () =>
  withFake(async (fake) => {
    const seen: string[] = [];
    // The injected fetch sends what is addressed to api.openai.com to the fake instead.
    const rt = createLlmRuntime({
      maxRetries: 0,
      fetch: (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        seen.push(url.href);
        return fetch(`${fake.url}${url.pathname}`, init);
      },
    });
    const model = fakeModel(fake, "openai", { baseUrl: "https://api.openai.com/v1" });
    await rt.chat({ model, messages: say("x"), params: { max_tokens: 64 } });
    assert.deepEqual(seen, ["https://api.openai.com/v1/chat/completions"]);
    const body = fake.requests[0] as Body;
    assert.equal(body.max_completion_tokens, 64);
    assert.equal(body.max_tokens, undefined);
  }));

Deno.test("llm runtime (claude): parameters map; penalties dropped, json_mode ignored with a log", () =>
  withFake(async (fake) => {
    const { logger, lines } = capturingLogger();
    const rt = createLlmRuntime({ maxRetries: 0, logger });
    const params = { temperature: 0.3, max_tokens: 256, top_p: 0.9, top_k: 5 };
    const model = fakeModel(fake, "claude");
    await rt.chat({ model, messages: say("x"), params: { ...params, presence_penalty: 1 } });
    await rt.chat({ model, messages: say("x"), params: { json_mode: true } });
    const [first, second] = fake.requests as Body[];
    assert.equal(first.temperature, 0.3);
    assert.equal(first.max_tokens, 256);
    assert.equal(first.top_p, 0.9);
    assert.equal(first.top_k, 5);
    assert.equal(first.presence_penalty, undefined);
    assert.equal(second.max_tokens, 4096, "Anthropic requires max_tokens: a default");
    assert.equal(second.response_format, undefined);
    assert.ok(lines.some((l) => l.includes("json_mode ignored")), "logged");
  }));

const CONVERSATION: ChatMessage[] = [
  { role: "system", content: "Be brief." },
  {
    role: "user",
    parts: [
      { type: "text", text: "What is here?" },
      { type: "image_url", image_url: { url: "https://example.com/a.png" } },
      { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
    ],
  },
  {
    role: "assistant",
    content: "",
    reasoning_content: "earlier thoughts",
    tool_calls: [
      { index: 0, id: "c1", type: "function", function_call: { name: "a", arguments: '{"x":1}' } },
      { index: 1, id: "c2", type: "function", function_call: { name: "b", arguments: "{}" } },
    ],
  },
  { role: "tool", tool_call_id: "c1", content: "one" },
  { role: "tool", tool_call_id: "c2", content: "two" },
];

Deno.test("llm runtime (openai): messages keep roles, parts, tool calls and tool answers", () =>
  withFake(async (fake) => {
    const result = await runtime.chat({ model: fakeModel(fake, "openai"), messages: CONVERSATION });
    assert.equal(result.message.content, "echo: tool result: two");
    const sent = (fake.requests[0] as Body).messages;
    assert.deepEqual(sent, [
      { role: "system", content: "Be brief." },
      {
        role: "user",
        content: [
          { type: "text", text: "What is here?" },
          { type: "image_url", image_url: { url: "https://example.com/a.png" } },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
        ],
      },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "c1", type: "function", function: { name: "a", arguments: '{"x":1}' } },
          { id: "c2", type: "function", function: { name: "b", arguments: "{}" } },
        ],
      },
      { role: "tool", tool_call_id: "c1", content: "one" },
      { role: "tool", tool_call_id: "c2", content: "two" },
    ]);
  }));

Deno.test("llm runtime (claude): system lifted, images as sources, tool results in one turn", () =>
  withFake(async (fake) => {
    const result = await runtime.chat({ model: fakeModel(fake, "claude"), messages: CONVERSATION });
    assert.equal(result.message.content, "echo: tool result: one");
    const body = fake.requests[0] as Body;
    assert.equal(body.system, "Be brief.");
    assert.deepEqual(body.messages, [
      {
        role: "user",
        content: [
          { type: "text", text: "What is here?" },
          { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
          {
            type: "image",
            source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" },
          },
        ],
      },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "c1", name: "a", input: { x: 1 } },
          { type: "tool_use", id: "c2", name: "b", input: {} },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "c1", content: "one" },
          { type: "tool_result", tool_use_id: "c2", content: "two" },
        ],
      },
    ]);
  }));

Deno.test("llm runtime: a model without an api key sends no key header", () =>
  withFake(async (fake) => {
    for (const protocol of PROTOCOLS) {
      const model = fakeModel(fake, protocol, { apiKey: undefined });
      const result = await runtime.chat({ model, messages: say("hi") });
      assert.equal(result.message.content, "echo: hi");
    }
    const [openai, claude] = fake.calls;
    assert.equal(openai.headers.authorization, undefined);
    assert.equal(claude.headers["x-api-key"], undefined);
    assert.equal(claude.headers.authorization, undefined);
  }, { apiKey: null }));

Deno.test("llm runtime: the fake received the key it expects, per protocol", () =>
  withFake(async (fake) => {
    for (const protocol of PROTOCOLS) {
      await runtime.chat({ model: fakeModel(fake, protocol), messages: say("hi") });
    }
    const [openai, claude] = fake.calls;
    assert.equal(openai.path, "/v1/chat/completions");
    assert.match(openai.headers.authorization, /^Bearer sk-fake/);
    assert.equal(claude.path, "/v1/messages");
    assert.match(claude.headers["x-api-key"], /^sk-fake/);
    assert.equal(claude.headers["anthropic-version"], "2023-06-01");
  }));
