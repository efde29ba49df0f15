/**
 * The playground's logic (ui/src/lib): Server-Sent Events read in arbitrary pieces, a run
 * assembled from debug_streaming events (steps, tool calls, tokens, timings, trace), and the
 * conversation sent with the next turn.
 */
import assert from "node:assert/strict";
import { readSse, SseParser } from "../../ui/src/lib/sse.ts";
import {
  applyEvent,
  conversation,
  type DebugEvent,
  endRun,
  finalAnswer,
  runTimings,
  startRun,
  traceIdOf,
  type Turn,
} from "../../ui/src/lib/playground.ts";

Deno.test("ui playground: SSE events from pieces cut anywhere", () => {
  const stream = 'data: {"a":1}\n\n: comment\nevent: error\ndata: {"code":7,"msg":"x"}\r\n\r\n' +
    "data: line1\ndata: line2\n\n";
  for (const cut of [1, 2, 3, 5, 7, 100]) {
    const p = new SseParser();
    const events = [];
    for (let i = 0; i < stream.length; i += cut) events.push(...p.push(stream.slice(i, i + cut)));
    events.push(...p.end());
    assert.deepEqual(events, [
      { event: "message", data: { a: 1 } },
      { event: "error", data: { code: 7, msg: "x" } },
      { event: "message", data: "line1\nline2" },
    ], `cut every ${cut}`);
  }
  const p = new SseParser();
  assert.deepEqual(p.push('data: {"last":true}'), []);
  assert.deepEqual(p.end(), [{ event: "message", data: { last: true } }]);
});

Deno.test("ui playground: a response body read as events", async () => {
  const enc = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(enc.encode('data: {"n":1}\n'));
      c.enqueue(enc.encode('\ndata: {"n"'));
      c.enqueue(enc.encode(":2}\n\n"));
      c.close();
    },
  });
  const out = [];
  for await (const e of readSse(body)) out.push(e.data);
  assert.deepEqual(out, [{ n: 1 }, { n: 2 }]);
});

const TRACE = "0123456789abcdef0123456789abcdef";
const ev = (step: number, delta: DebugEvent["delta"], extra: Partial<DebugEvent> = {}) => ({
  delta,
  debug_id: "42",
  debug_step: step,
  debug_trace_key: TRACE,
  ...extra,
});

function toolRun() {
  let run = startRun(1000);
  const events: DebugEvent[] = [
    ev(1, {}),
    ev(1, {
      tool_calls: [{ index: 0, id: "call_1", function_call: { name: "get_", arguments: '{"ci' } }],
    }),
    ev(1, { tool_calls: [{ index: 0, function_call: { name: "weather", arguments: 'ty":1}' } }] }),
    ev(1, {}, { finish_reason: "tool_calls", usage: { input_tokens: "10", output_tokens: 3 } }),
    ev(2, { content: "echo: " }),
    ev(2, { content: "tool result" }, {
      finish_reason: "stop",
      usage: { input_tokens: 12, output_tokens: 2 },
    }),
  ];
  events.forEach((e, i) => (run = applyEvent(run, e, 1000 + (i + 1) * 100)));
  return endRun(run, 2000);
}

Deno.test("ui playground: a run assembled from its events", () => {
  const run = toolRun();
  assert.equal(run.steps.length, 2);
  assert.deepEqual(run.steps[0].toolCalls, [
    { index: 0, id: "call_1", name: "get_weather", arguments: '{"city":1}' },
  ]);
  assert.equal(run.steps[0].finishReason, "tool_calls");
  assert.equal(finalAnswer(run), "echo: tool result");
  assert.deepEqual(run.usage, { input: 22, output: 5 });
  assert.deepEqual(runTimings(run), { ttftMs: 200, latencyMs: 1000 }, "the first delta with data");
  assert.equal(run.status, "done");
  assert.equal(run.debugId, "42");
  assert.equal(traceIdOf(run), TRACE);
  assert.equal(traceIdOf({ ...run, traceId: "nope" }), undefined);
  const stopped = endRun(startRun(0), 5, { status: "stopped" });
  assert.deepEqual(runTimings(stopped), { ttftMs: undefined, latencyMs: 5 });
});

Deno.test("ui playground: the conversation of the next turn", () => {
  const mocks = { get_weather: '{"temp":21}' };
  const turns: Turn[] = [
    { user: "", run: toolRun(), mocks },
    { user: "broken", run: endRun(startRun(0), 1, { status: "error", error: "x" }), mocks: {} },
  ];
  assert.deepEqual(conversation(turns, "and tomorrow?"), [
    {
      role: "assistant",
      content: "",
      tool_calls: [{
        index: 0,
        id: "call_1",
        type: "function",
        function_call: { name: "get_weather", arguments: '{"city":1}' },
      }],
    },
    { role: "tool", tool_call_id: "call_1", content: '{"temp":21}' },
    { role: "assistant", content: "echo: tool result" },
    { role: "user", content: "and tomorrow?" },
  ]);
  assert.deepEqual(conversation([], ""), [], "the template alone");
});
