/** Helpers for the prompt execution end-to-end tests: a server whose models are a local fake. */
import assert from "node:assert/strict";
import { type ServerProcess, startServer } from "../_server.ts";
import { FAKE_LLM_API_KEY, startFakeLlm } from "../fixtures/fake_llm_server.ts";
import { post, type TestUser } from "./_client.ts";

/** The web prompt routes. */
export const P = "/api/prompt/v1/prompts";

/** The fake provider, a models file naming it, and a server using them (plus `env`). */
export async function setup(env: Record<string, string> = {}) {
  const llm = await startFakeLlm({ apiKey: FAKE_LLM_API_KEY });
  const models = await Deno.makeTempFile({ suffix: ".yaml" });
  await Deno.writeTextFile(
    models,
    `models:
  - { id: 1, name: fake-gpt, protocol: openai, base_url: "${llm.url}/v1", api_key_env: FAKE_LLM_KEY, model: gpt-fake }
  - { id: 2, name: fake-claude, protocol: claude, base_url: "${llm.url}", api_key_env: FAKE_LLM_KEY, model: claude-fake }
`,
  );
  const server = await startServer({
    COZE_LOOP_MODELS_FILE: models,
    FAKE_LLM_KEY: FAKE_LLM_API_KEY,
    COZE_LOOP_LLM_TIMEOUT_S: "2",
    ...env,
  });
  return { llm, server, models };
}

/** Creates and commits (1.0.0) a prompt calling `modelId`. */
export async function commitPrompt(
  server: ServerProcess,
  u: TestUser,
  key: string,
  modelId: string,
  templateType = "normal",
) {
  const created = await post(server, P, {
    workspace_id: u.spaceId,
    prompt_key: key,
    prompt_name: key,
    draft_detail: {
      prompt_template: {
        template_type: templateType,
        messages: [
          {
            role: "system",
            content: templateType === "jinja2"
              ? "Cities: {% for c in cities %}{{ c }};{% endfor %}"
              : "You help with {{topic}}.",
          },
          { role: "placeholder", content: "history" },
          { role: "user", content: "{{question}}" },
        ],
        variable_defs: templateType === "jinja2"
          ? [{ key: "cities", type: "array<string>" }, { key: "history", type: "placeholder" }, {
            key: "question",
            type: "string",
          }]
          : [{ key: "topic", type: "string" }, { key: "history", type: "placeholder" }, {
            key: "question",
            type: "string",
          }],
      },
      tools: [{
        type: "function",
        function: {
          name: "get_weather",
          description: "weather",
          parameters: '{"type":"object","properties":{"city":{"type":"string"}}}',
        },
      }],
      tool_call_config: { tool_choice: "auto" },
      model_config: { model_id: modelId, temperature: 0.4, max_tokens: 100 },
    },
  }, u);
  assert.equal(created.body.code, 0, JSON.stringify(created.body));
  const c = await post(server, `${P}/${created.body.prompt_id}/drafts/commit`, {
    commit_version: "1.0.0",
  }, u);
  assert.equal(c.body.code, 0, JSON.stringify(c.body));
}

/** Variable values for the test prompt. */
export const vars = (question: string) => [
  { key: "topic", value: "weather" },
  { key: "question", value: question },
  {
    key: "history",
    placeholder_messages: [{ role: "user", content: "hi" }, {
      role: "assistant",
      content: "hello",
    }],
  },
];

/** POSTs to execute_streaming; returns the response and its whole text. */
export async function sse(server: ServerProcess, token: string, body: unknown) {
  const res = await fetch(`${server.url}/v1/loop/prompts/execute_streaming`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { res, text: await res.text() };
}

/** Splits an SSE body into events, checking the SDK's format rules. */
export function parseEvents(text: string) {
  assert.ok(!text.includes("\r"), "LF only");
  assert.ok(!text.includes("[DONE]"), "no [DONE]");
  return text.split("\n\n").filter(Boolean).map((block) => {
    const lines = block.split("\n");
    assert.ok(
      lines.every((l) => l.startsWith("data: ") || l === "event: error"),
      `only data/event lines: ${block}`,
    );
    return {
      event: lines.find((l) => l.startsWith("event: "))?.slice(7),
      data: JSON.parse(lines.at(-1)!.slice(6)),
    };
  });
}
