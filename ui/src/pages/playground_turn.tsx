/**
 * One turn of the playground chat: the user's message, then each step of the run (its
 * reasoning, text and tool calls, with the mock reply a call was given), how it ended, and
 * its measures: tokens, time to first token, latency, and a link to the run's trace.
 */
import { Link } from "react-router";
import { Notice } from "../components/notice.tsx";
import { tracesPath } from "../lib/paths.ts";
import { runTimings, traceIdOf, type Turn } from "../lib/playground.ts";

/** A turn of the chat. */
export function TurnView({ turn, index, spaceId }: { turn: Turn; index: number; spaceId: string }) {
  const { run } = turn;
  const { ttftMs, latencyMs } = runTimings(run);
  const traceId = traceIdOf(run);
  const ms = (n: number | undefined) => (n === undefined ? "—" : `${Math.round(n)} ms`);
  return (
    <div className="stack" data-testid={`turn-${index}`} data-status={run.status}>
      {turn.user
        ? <div className="bubble bubble-user">{turn.user}</div>
        : index === 0 && <div className="muted">The template's messages</div>}
      {run.steps.map((s, i) => {
        const later = i < run.steps.length - 1;
        return (
          <div className="stack" key={s.step} style={{ gap: 6 }}>
            {s.reasoning && <div className="bubble bubble-assistant reasoning">{s.reasoning}</div>}
            {s.toolCalls.map((c) => (
              <div key={c.index} className="stack" style={{ gap: 6 }}>
                <div className="bubble bubble-tool" data-testid="tool-call">
                  calls {c.name}({c.arguments})
                </div>
                {later && c.name in turn.mocks && (
                  <div className="bubble bubble-tool" data-testid="tool-reply">
                    ↳ mock reply: {turn.mocks[c.name]}
                  </div>
                )}
              </div>
            ))}
            {(s.content || (!s.toolCalls.length && !s.reasoning)) && (
              <div className="bubble bubble-assistant" data-testid="answer">
                {s.content}
                {run.status === "running" && i === run.steps.length - 1 && (
                  <span className="muted" aria-label="streaming">▍</span>
                )}
              </div>
            )}
          </div>
        );
      })}
      {run.steps.length === 0 && run.status === "running" && (
        <div className="bubble bubble-assistant muted">Waiting for the model…</div>
      )}
      {run.status === "stopped" && <div className="muted" data-testid="stopped">Stopped.</div>}
      {run.status === "error" && <Notice kind="error">{run.error}</Notice>}
      {run.status === "done" && run.steps.at(-1)?.finishReason === "tool_calls" && (
        <div className="muted">
          The model called a tool that has no mock reply: the run ends here.
        </div>
      )}
      <div className="run-stats" data-testid="run-stats">
        <span>in {run.usage.input} tokens</span>
        <span>out {run.usage.output} tokens</span>
        <span>first token {ms(ttftMs)}</span>
        <span>latency {ms(latencyMs)}</span>
        {traceId && (
          <Link to={tracesPath(spaceId, { traceId })} data-testid="trace-link">
            trace {traceId.slice(0, 8)}…
          </Link>
        )}
      </div>
    </div>
  );
}
