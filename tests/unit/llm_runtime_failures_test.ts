/**
 * How the LLM runtime fails, against the local fake provider: provider statuses mapped to
 * llm codes without leaking the api key, errors in the middle of a stream, timeouts, retries
 * and cancellation by the caller (the fake sees the connection closed).
 */
import assert from "node:assert/strict";
import { AppError, Codes } from "../../domains/errors.ts";
import { createLlmRuntime } from "../../domains/llm/runtime/mod.ts";
import type { ChatChunk, ChatMessage } from "../../domains/llm/runtime/types.ts";
import { FAKE_LLM_API_KEY, startFakeLlm } from "../fixtures/fake_llm_server.ts";
import {
  capturingLogger,
  collect,
  eventually,
  fakeModel,
  PROTOCOLS,
  withFake,
} from "./_llm_runtime.ts";

const say = (content: string): ChatMessage[] => [{ role: "user", content }];

/** Asserts `promise` rejects with an AppError of `code` and returns it. */
async function rejectsWith(promise: Promise<unknown>, code: number): Promise<AppError> {
  const err = await promise.then(() => undefined, (e) => e);
  assert.ok(err instanceof AppError, `an AppError, got ${err}`);
  assert.equal(err.code, code, err.message);
  return err;
}

const STATUSES = [
  { status: 400, code: Codes.llmInvalidRequest, text: /invalid.*temperature/i },
  { status: 401, code: Codes.llmCallFailed, text: /rejected the api key/ },
  { status: 429, code: Codes.llmRateLimited, text: /rate limited.*HTTP 429/ },
  { status: 500, code: Codes.llmCallFailed, text: /HTTP 500/ },
];

for (const protocol of PROTOCOLS) {
  Deno.test(`llm runtime (${protocol}): provider statuses map to llm codes, never with the key`, () =>
    withFake(async (fake) => {
      const { logger, lines } = capturingLogger();
      const rt = createLlmRuntime({ maxRetries: 0, logger });
      const model = fakeModel(fake, protocol);
      for (const { status, code, text } of STATUSES) {
        for (
          const call of [
            () => rt.chat({ model, messages: say(`#error-${status}`) }),
            () => collect(rt.stream({ model, messages: say(`#error-${status}`) })),
          ]
        ) {
          const err = await rejectsWith(call(), code);
          assert.match(err.message, text);
          assert.match(err.message, /fake-model/, "names the model");
          assert.ok(!err.message.includes(FAKE_LLM_API_KEY), `no key in: ${err.message}`);
        }
      }
      assert.ok(lines.length >= 8, "failures are logged");
      assert.ok(lines.every((l) => !l.includes(FAKE_LLM_API_KEY)), "no key in any log line");
    }));

  Deno.test(`llm runtime (${protocol}): a wrong api key is reported without echoing it`, () =>
    withFake(async (fake) => {
      const secret = "sk-wrong-key-that-must-not-leak";
      const model = fakeModel(fake, protocol, { apiKey: secret });
      const rt = createLlmRuntime({ maxRetries: 0 });
      const err = await rejectsWith(rt.chat({ model, messages: say("hi") }), Codes.llmCallFailed);
      assert.match(err.message, /rejected the api key/);
      assert.ok(!err.message.includes(secret));
    }));

  Deno.test(`llm runtime (${protocol}): an error mid-stream is thrown after the chunks`, () =>
    withFake(async (fake) => {
      const rt = createLlmRuntime({ maxRetries: 0 });
      const got: ChatChunk[] = [];
      const stream = rt.stream({
        model: fakeModel(fake, protocol),
        messages: say("a long answer #fail-mid-stream"),
      });
      const err = await rejectsWith(
        (async () => {
          for await (const c of stream) got.push(c);
        })(),
        Codes.llmCallFailed,
      );
      assert.ok(got.length >= 1, "the chunks before the failure were delivered");
      assert.ok(got.some((c) => c.message.content), "with content");
      assert.ok(got.every((c) => !c.finish_reason), "and no final chunk");
      assert.match(err.message, /fake-model/);
    }));

  Deno.test(`llm runtime (${protocol}): a broken non-streamed answer is a call failure`, () =>
    withFake(async (fake) => {
      const rt = createLlmRuntime({ maxRetries: 0 });
      const model = fakeModel(fake, protocol);
      await rejectsWith(rt.chat({ model, messages: say("#fail-mid-stream") }), Codes.llmCallFailed);
    }));

  Deno.test(`llm runtime (${protocol}): timeouts, for a call and between stream chunks`, () =>
    withFake(async (fake) => {
      const rt = createLlmRuntime({ maxRetries: 0, defaultTimeoutMs: 300 });
      const model = fakeModel(fake, protocol);
      const started = Date.now();
      const err = await rejectsWith(
        rt.chat({ model, messages: say("#slow") }),
        Codes.llmTimeout,
      );
      assert.match(err.message, /timed out.*300 ms/);
      await rejectsWith(
        collect(rt.stream({ model, messages: say("#slow"), timeoutMs: 200 })),
        Codes.llmTimeout,
      );
      // Chunks flow, then the provider stalls: the wait for the next chunk times out.
      const got: ChatChunk[] = [];
      await rejectsWith(
        (async () => {
          for await (const c of rt.stream({ model, messages: say("go on #stall") })) got.push(c);
        })(),
        Codes.llmTimeout,
      );
      assert.ok(got.length >= 1, "chunks before the stall were delivered");
      assert.ok(Date.now() - started < 15_000, "well before the fake's 30 s");
      assert.ok(await eventually(() => fake.disconnects === 3), "each call was abandoned");
    }));

  Deno.test(`llm runtime (${protocol}): the caller's signal cancels the provider call`, () =>
    withFake(async (fake) => {
      const rt = createLlmRuntime({ maxRetries: 0 });
      const model = fakeModel(fake, protocol);

      const ac = new AbortController();
      const got: ChatChunk[] = [];
      const err = await rejectsWith(
        (async () => {
          for await (const c of rt.stream({ model, messages: say("#stall"), signal: ac.signal })) {
            got.push(c);
            ac.abort(); // the client disconnects after the first chunk
          }
        })(),
        Codes.llmCallFailed,
      );
      assert.match(err.message, /cancelled by the caller/);
      assert.equal(got.length, 1);
      assert.ok(await eventually(() => fake.disconnects === 1), "the fake saw it go");

      const slow = new AbortController();
      setTimeout(() => slow.abort(), 100);
      await rejectsWith(
        rt.chat({ model, messages: say("#slow"), signal: slow.signal }),
        Codes.llmCallFailed,
      );
      assert.ok(await eventually(() => fake.disconnects === 2), "a waiting call too");

      const before = fake.requests.length;
      await rejectsWith(
        rt.chat({ model, messages: say("hi"), signal: AbortSignal.abort() }),
        Codes.llmCallFailed,
      );
      assert.equal(fake.requests.length, before, "an aborted signal sends nothing");
    }));

  Deno.test(`llm runtime (${protocol}): leaving a stream early closes the provider call`, () =>
    withFake(async (fake) => {
      const rt = createLlmRuntime({ maxRetries: 0 });
      for await (
        const c of rt.stream({ model: fakeModel(fake, protocol), messages: say("#stall") })
      ) {
        assert.ok(c.message);
        break;
      }
      assert.ok(await eventually(() => fake.disconnects === 1), "the fake saw it go");
    }));
}

Deno.test("llm runtime: an unreachable provider is a call failure naming the cause", async () => {
  const fake = await startFakeLlm();
  await fake.close(); // its port is now closed
  const rt = createLlmRuntime({ maxRetries: 0 });
  for (const protocol of PROTOCOLS) {
    const err = await rejectsWith(
      rt.chat({ model: fakeModel(fake, protocol), messages: say("hi") }),
      Codes.llmCallFailed,
    );
    assert.match(err.message, /could not reach the provider/);
  }
});

Deno.test("llm runtime: a 5xx is retried maxRetries times before failing", () =>
  withFake(async (fake) => {
    const rt = createLlmRuntime({ maxRetries: 1 });
    const model = fakeModel(fake, "openai");
    await rejectsWith(rt.chat({ model, messages: say("#error-500") }), Codes.llmCallFailed);
    assert.equal(fake.requests.length, 2);
  }));

Deno.test("llm runtime: a tool whose parameters are not JSON is an invalid request", () =>
  withFake(async (fake) => {
    const rt = createLlmRuntime({ maxRetries: 0 });
    for (const protocol of PROTOCOLS) {
      const err = await rejectsWith(
        rt.chat({
          model: fakeModel(fake, protocol),
          messages: say("hi"),
          tools: [{ type: "function", function: { name: "broken", parameters: "{nope" } }],
        }),
        Codes.llmInvalidRequest,
      );
      assert.match(err.message, /tool "broken"/);
    }
    assert.equal(fake.requests.length, 0, "nothing was sent");
  }));

Deno.test("llm runtime: a failing usage callback does not fail the call", () =>
  withFake(async (fake) => {
    const { logger, lines } = capturingLogger();
    const rt = createLlmRuntime({
      maxRetries: 0,
      logger,
      onUsage: () => {
        throw new Error("meter down");
      },
    });
    const result = await rt.chat({ model: fakeModel(fake, "openai"), messages: say("hi") });
    assert.equal(result.message.content, "echo: hi");
    assert.ok(lines.some((l) => l.includes("usage callback failed")));
  }));
