/**
 * The playground's run state, built from `debug_streaming` events: each step (the model's
 * answer, then its answer after the mocked tools replied) with its text, reasoning and tool
 * calls assembled from deltas; tokens, time to first token and latency; the debug id and the
 * run's trace id. And the conversation sent with the next turn, tool calls and mock replies
 * included, so that a multi-turn chat is kept in page state only.
 */

/** A tool call as streamed: pieces of the name and arguments arrive per index. */
export interface ToolCallDelta {
  index?: number | string;
  id?: string;
  type?: string;
  function_call?: { name?: string; arguments?: string };
}

/** One `debug_streaming` event (the fields the playground reads). */
export interface DebugEvent {
  delta?: { content?: string; reasoning_content?: string; tool_calls?: ToolCallDelta[] };
  finish_reason?: string;
  usage?: { input_tokens?: number | string; output_tokens?: number | string };
  debug_id?: string;
  debug_step?: number;
  debug_trace_key?: string;
}

/** An assembled tool call. */
export interface ToolCall {
  index: number;
  id: string;
  name: string;
  arguments: string;
}

/** One step of a run. */
export interface RunStep {
  step: number;
  content: string;
  reasoning: string;
  toolCalls: ToolCall[];
  finishReason?: string;
}

/** A run: its steps, measures and outcome. */
export interface RunState {
  steps: RunStep[];
  usage: { input: number; output: number };
  /** ms timestamps (performance.now() or Date.now(), as long as one clock is used). */
  startedAt: number;
  firstTokenAt?: number;
  endedAt?: number;
  debugId?: string;
  traceId?: string;
  /** How it ended: finished, stopped by the user, or failed with a message. */
  status: "running" | "done" | "stopped" | "error";
  error?: string;
}

/** A new run started at `now`. */
export function startRun(now: number): RunState {
  return { steps: [], usage: { input: 0, output: 0 }, startedAt: now, status: "running" };
}

/** The run after one event received at `now`. */
export function applyEvent(run: RunState, e: DebugEvent, now: number): RunState {
  const stepNo = e.debug_step ?? (run.steps.at(-1)?.step ?? 1);
  const steps = [...run.steps];
  let last = steps.at(-1);
  if (!last || last.step !== stepNo) {
    last = { step: stepNo, content: "", reasoning: "", toolCalls: [] };
    steps.push(last);
  }
  const d = e.delta ?? {};
  const step: RunStep = {
    ...last,
    content: last.content + (d.content ?? ""),
    reasoning: last.reasoning + (d.reasoning_content ?? ""),
    toolCalls: mergeToolCalls(last.toolCalls, d.tool_calls ?? []),
    finishReason: e.finish_reason || last.finishReason,
  };
  steps[steps.length - 1] = step;
  const produced = !!(d.content || d.reasoning_content || d.tool_calls?.length);
  return {
    ...run,
    steps,
    usage: {
      input: run.usage.input + Number(e.usage?.input_tokens ?? 0),
      output: run.usage.output + Number(e.usage?.output_tokens ?? 0),
    },
    firstTokenAt: run.firstTokenAt ?? (produced ? now : undefined),
    debugId: run.debugId ?? e.debug_id,
    traceId: run.traceId ?? (e.debug_trace_key || undefined),
  };
}

function mergeToolCalls(calls: ToolCall[], deltas: ToolCallDelta[]): ToolCall[] {
  if (!deltas.length) return calls;
  const out = calls.map((c) => ({ ...c }));
  for (const d of deltas) {
    const index = Number(d.index ?? 0);
    let c = out.find((x) => x.index === index);
    if (!c) {
      c = { index, id: "", name: "", arguments: "" };
      out.push(c);
    }
    c.id ||= d.id ?? "";
    c.name += d.function_call?.name ?? "";
    c.arguments += d.function_call?.arguments ?? "";
  }
  return out.sort((a, b) => a.index - b.index);
}

/** The run once it ended at `now` (status `done` unless given). */
export function endRun(
  run: RunState,
  now: number,
  how: { status?: "done" | "stopped" | "error"; error?: string } = {},
): RunState {
  return { ...run, endedAt: now, status: how.status ?? "done", error: how.error };
}

/** Time to the first token, and the whole run, in ms (undefined until known). */
export function runTimings(run: RunState): { ttftMs?: number; latencyMs?: number } {
  return {
    ttftMs: run.firstTokenAt === undefined ? undefined : run.firstTokenAt - run.startedAt,
    latencyMs: run.endedAt === undefined ? undefined : run.endedAt - run.startedAt,
  };
}

/** The answer of a run: its last step's text. */
export function finalAnswer(run: RunState): string {
  return run.steps.at(-1)?.content ?? "";
}

/** A message of the conversation, as `debug_streaming` takes them. */
export interface ChatMessage {
  role: "user" | "assistant" | "tool";
  content?: string;
  tool_call_id?: string;
  tool_calls?: {
    index: number;
    id: string;
    type: "function";
    function_call: { name: string; arguments: string };
  }[];
}

/**
 * The messages a run added to the conversation: each step's assistant message and, where the
 * run went on after tool calls, the mocked replies it was given.
 */
export function runMessages(run: RunState, mocks: Record<string, string>): ChatMessage[] {
  const out: ChatMessage[] = [];
  run.steps.forEach((s, i) => {
    const calls = s.toolCalls.filter((c) => c.name);
    out.push({
      role: "assistant",
      content: s.content,
      ...(calls.length
        ? {
          tool_calls: calls.map((c) => ({
            index: c.index,
            id: c.id,
            type: "function" as const,
            function_call: { name: c.name, arguments: c.arguments },
          })),
        }
        : {}),
    });
    if (i < run.steps.length - 1) {
      for (const c of calls) {
        if (c.name in mocks) out.push({ role: "tool", tool_call_id: c.id, content: mocks[c.name] });
      }
    }
  });
  return out;
}

/** One turn of the chat: what the user said (may be empty: the template alone) and the run. */
export interface Turn {
  user: string;
  run: RunState;
  /** The mock replies the run was given. */
  mocks: Record<string, string>;
}

/** The conversation to send with a new user message after `turns`. */
export function conversation(turns: Turn[], next: string): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const t of turns) {
    if (t.run.status === "error" || t.run.steps.length === 0) continue;
    if (t.user) out.push({ role: "user", content: t.user });
    out.push(...runMessages(t.run, t.mocks));
  }
  if (next) out.push({ role: "user", content: next });
  return out;
}

/** The run's trace id, when the stream named a well-formed one (32 hex digits). */
export function traceIdOf(run: RunState): string | undefined {
  return run.traceId && /^[0-9a-f]{32}$/.test(run.traceId) ? run.traceId : undefined;
}
