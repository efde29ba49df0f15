/** Helpers of the LLM runtime tests: models pointing at the fake provider, stream assembly. */
import { createLogger, type Logger } from "../../infra/log.ts";
import type { ChatChunk, ToolCall, Usage } from "../../domains/llm/runtime/mod.ts";
import type { ModelConfig, Protocol } from "../../domains/llm/types.ts";
import { FAKE_LLM_API_KEY, type FakeLlm, startFakeLlm } from "../fixtures/fake_llm_server.ts";

/** The two wire formats every behaviour is tested in. */
export const PROTOCOLS = ["openai", "claude"] as const satisfies readonly Protocol[];

/** A catalogue entry for a model served by `fake`. */
export function fakeModel(
  fake: FakeLlm,
  protocol: Protocol,
  extra: Partial<ModelConfig> = {},
): ModelConfig {
  return {
    id: 4242n,
    name: `fake ${protocol}`,
    desc: "",
    protocol,
    baseUrl: protocol === "claude" ? fake.url : `${fake.url}/v1`,
    model: "fake-model",
    tags: [],
    status: "available",
    paramSchemas: [],
    apiKey: FAKE_LLM_API_KEY,
    ...extra,
  };
}

/** Runs `fn` with a fake provider that is closed afterwards. */
export async function withFake(
  fn: (fake: FakeLlm) => Promise<void>,
  options: { apiKey?: string | null } = {},
): Promise<void> {
  const fake = await startFakeLlm(options);
  try {
    await fn(fake);
  } finally {
    await fake.close();
  }
}

/** Every chunk of a stream. */
export async function collect(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  for await (const c of stream) chunks.push(c);
  return chunks;
}

/** What an SDK makes of a stream: texts joined, tool calls merged by index. */
export function assemble(chunks: ChatChunk[]): {
  content: string;
  reasoning: string;
  toolCalls: ToolCall[];
  finish?: string;
  usage?: Usage;
} {
  let content = "";
  let reasoning = "";
  const calls = new Map<number, ToolCall>();
  for (const c of chunks) {
    content += c.message.content ?? "";
    reasoning += c.message.reasoning_content ?? "";
    for (const t of c.message.tool_calls ?? []) {
      const call = calls.get(t.index) ??
        { index: t.index, id: "", type: "function", function_call: { name: "", arguments: "" } };
      call.id ||= t.id;
      call.function_call.name ||= t.function_call.name;
      call.function_call.arguments += t.function_call.arguments;
      calls.set(t.index, call);
    }
  }
  const last = chunks.at(-1);
  return {
    content,
    reasoning,
    toolCalls: [...calls.values()],
    finish: last?.finish_reason,
    usage: last?.usage,
  };
}

/** A logger whose lines a test can read. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ level: "debug", write: (l) => lines.push(l) }), lines };
}

/** Waits until `check` holds, for at most `ms`. */
export async function eventually(check: () => boolean, ms = 3_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** The tool every tool test declares. */
export const WEATHER_TOOL = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "The weather in a city",
    parameters: JSON.stringify({
      type: "object",
      properties: { city: { type: "string" } },
      required: ["city"],
    }),
  },
};
