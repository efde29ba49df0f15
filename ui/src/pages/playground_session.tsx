/**
 * One playground session on a prompt's draft: the model (the draft's unless overridden), a
 * value per variable, a mock reply per tool, and a chat whose every turn is a streamed run of
 * `debug_streaming` (stoppable). Turns are kept in page state and sent back as the
 * conversation, tool calls and mock replies included. Variables and mock replies are also
 * saved as the prompt's debug context, so they are there next time.
 */
import { type FormEvent, useEffect, useRef, useState } from "react";
import { api } from "../api/client.ts";
import { type DebugRequest, debugStream } from "../api/debug_stream.ts";
import { Button } from "../components/button.tsx";
import { ErrorNotice } from "../components/notice.tsx";
import {
  applyEvent,
  conversation,
  endRun,
  type RunState,
  startRun,
  type Turn,
} from "../lib/playground.ts";
import { editableDetail, type Model, type Prompt } from "./prompt_data.ts";
import { TurnView } from "./playground_turn.tsx";

/** Props of PlaygroundSession. */
export interface PlaygroundSessionProps {
  spaceId: string;
  prompt: Prompt;
  models: Model[] | undefined;
  /** The model chosen here (undefined: the draft's). */
  model: string | undefined;
  onModel: (model: string) => void;
}

type VariableVals = NonNullable<DebugRequest["variable_vals"]>;

/** A playground session. */
export function PlaygroundSession(
  { spaceId, prompt, models, model, onModel }: PlaygroundSessionProps,
) {
  const detail = editableDetail(prompt).detail;
  const defs = (detail.prompt_template?.variable_defs ?? []).filter((d) => d.type !== "multi_part");
  const tools = (detail.tools ?? []).flatMap((t) => t.function ? [t.function.name] : []);
  const draftModel = detail.model_config?.model_id ? String(detail.model_config.model_id) : "";
  const modelId = model ?? draftModel;

  const [vars, setVars] = useState<Record<string, string>>({});
  const [mocks, setMocks] = useState<Record<string, string>>({});
  const [turns, setTurns] = useState<Turn[]>([]);
  const [input, setInput] = useState("");
  const [error, setError] = useState<unknown>();
  const running = useRef<AbortController | null>(null);
  const [busy, setBusy] = useState(false);

  // The values saved last time.
  useEffect(() => {
    const ac = new AbortController();
    api.get("/api/prompt/v1/prompts/{prompt_id}/debug_context/get", {
      params: { prompt_id: prompt.id },
      query: { workspace_id: spaceId },
      signal: ac.signal,
    }).then((r) => {
      const core = (r.debug_context as { debug_core?: SavedCore } | undefined)?.debug_core;
      if (core?.mock_variables) {
        setVars(Object.fromEntries(core.mock_variables.map((v) => [v.key, v.value ?? ""])));
      }
      if (core?.mock_tools) {
        setMocks(Object.fromEntries(core.mock_tools.map((m) => [m.name, m.mock_response])));
      }
    }).catch(() => {/* nothing saved, or not readable: start empty */});
    return () => ac.abort();
  }, [prompt.id, spaceId]);
  useEffect(() => () => running.current?.abort(), []);

  const variableVals = (): VariableVals =>
    defs.flatMap((d): VariableVals => {
      const raw = vars[d.key] ?? "";
      if (d.type !== "placeholder") return raw === "" ? [] : [{ key: d.key, value: raw }];
      if (raw.trim() === "") return [{ key: d.key, placeholder_messages: [] }];
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new Error(`${d.key}: a placeholder's value is a JSON list of messages`);
      }
      if (!Array.isArray(parsed)) {
        throw new Error(`${d.key}: a placeholder's value is a JSON list of messages`);
      }
      return [{
        key: d.key,
        placeholder_messages: parsed as VariableVals[number]["placeholder_messages"],
      }];
    });

  const run = async (e?: FormEvent) => {
    e?.preventDefault();
    if (running.current) return;
    let body: DebugRequest;
    const given = Object.fromEntries(
      Object.entries(mocks).filter(([n, v]) => tools.includes(n) && v !== ""),
    );
    try {
      body = {
        prompt: {
          id: prompt.id,
          workspace_id: spaceId,
          prompt_key: prompt.prompt_key,
          prompt_draft: {
            detail: {
              ...detail,
              model_config: { ...detail.model_config, model_id: modelId || undefined },
            },
          },
        },
        messages: conversation(turns, input.trim()),
        variable_vals: variableVals(),
        mock_tools: Object.entries(given).map(([name, mock_response]) => ({ name, mock_response })),
        single_step_debug: false,
      };
    } catch (err) {
      return setError(err);
    }
    setError(undefined);
    const ac = new AbortController();
    running.current = ac;
    setBusy(true);
    const index = turns.length;
    let state: RunState = startRun(performance.now());
    setTurns([...turns, { user: input.trim(), run: state, mocks: given }]);
    setInput("");
    const show = (s: RunState) =>
      setTurns((ts) => ts.map((t, i) => (i === index ? { ...t, run: s } : t)));
    saveContext(prompt.id, spaceId, vars, mocks);
    try {
      for await (const event of debugStream(prompt.id, body, ac.signal)) {
        state = applyEvent(state, event, performance.now());
        show(state);
      }
      state = endRun(state, performance.now());
    } catch (err) {
      state = ac.signal.aborted
        ? endRun(state, performance.now(), { status: "stopped" })
        : endRun(state, performance.now(), {
          status: "error",
          error: err instanceof Error ? err.message : String(err),
        });
    } finally {
      running.current = null;
      setBusy(false);
    }
    show(state);
  };

  return (
    <div className="split">
      <section className="card stack" aria-label="Chat">
        {turns.length === 0 && (
          <p className="muted" style={{ margin: 0 }}>
            Run sends the draft's messages with the values on the right; what you type here is added
            as the next user message, and the chat goes on from the answer.
          </p>
        )}
        <div className="chat" data-testid="chat">
          {turns.map((t, i) => <TurnView key={i} index={i} turn={t} spaceId={spaceId} />)}
        </div>
        <form className="stack" onSubmit={run} aria-label="Message">
          <textarea
            className="textarea"
            aria-label="Your message"
            placeholder={turns.length ? "Your next message" : "A user message (optional)"}
            value={input}
            onChange={(e) => setInput(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run();
            }}
          />
          <ErrorNotice error={error} />
          <div className="row">
            {
              /* Distinct keys: the Stop button must not become the submit button under the
              pointer (stopping re-renders during the click, before its default action). */
              busy
                ? (
                  <Button
                    key="stop"
                    variant="danger"
                    onClick={(e) => {
                      e.preventDefault();
                      running.current?.abort();
                    }}
                  >
                    Stop
                  </Button>
                )
                : (
                  <Button key="run" type="submit" variant="primary" disabled={!modelId}>
                    Run
                  </Button>
                )
            }
            <Button disabled={busy || turns.length === 0} onClick={() => setTurns([])}>
              Clear chat
            </Button>
            {!modelId && <span className="muted">Choose a model first.</span>}
          </div>
        </form>
      </section>
      <div className="stack">
        <section className="card stack" aria-label="Run settings">
          <div className="field">
            <label htmlFor="pg-model">Model</label>
            <select
              id="pg-model"
              className="select"
              value={modelId}
              onChange={(e) => onModel(e.target.value === draftModel ? "" : e.target.value)}
            >
              <option value="">No model</option>
              {models?.map((m) => (
                <option key={m.model_id} value={m.model_id}>
                  {m.name}
                  {m.model_id === draftModel ? " (the draft's)" : ""}
                </option>
              ))}
            </select>
          </div>
          <div className="section-title">Variables</div>
          {defs.length === 0 && <p className="muted" style={{ margin: 0 }}>The draft has none.</p>}
          {defs.map((d) => (
            <div className="field" key={d.key}>
              <label htmlFor={`var-${d.key}`}>
                <span className="mono">{d.key}</span> <span className="muted">{d.type}</span>
              </label>
              <textarea
                id={`var-${d.key}`}
                className="textarea"
                style={{ minHeight: d.type === "placeholder" ? 64 : 34 }}
                placeholder={d.type === "placeholder"
                  ? '[{"role":"user","content":"hi"}]'
                  : d.desc ?? ""}
                value={vars[d.key] ?? ""}
                onChange={(e) => setVars({ ...vars, [d.key]: e.target.value })}
              />
            </div>
          ))}
        </section>
        {tools.length > 0 && (
          <section className="card stack" aria-label="Mock tool replies">
            <div className="section-title">Mock tool replies</div>
            <p className="muted" style={{ margin: 0 }}>
              When the model calls a tool with a reply here, the reply is sent back and the run goes
              on; without one the run stops at the call.
            </p>
            {tools.map((name) => (
              <div className="field" key={name}>
                <label htmlFor={`mock-${name}`} className="mono">{name}</label>
                <textarea
                  id={`mock-${name}`}
                  className="textarea"
                  style={{ minHeight: 34 }}
                  placeholder='{"result": "..."}'
                  value={mocks[name] ?? ""}
                  onChange={(e) => setMocks({ ...mocks, [name]: e.target.value })}
                />
              </div>
            ))}
          </section>
        )}
      </div>
    </div>
  );
}

interface SavedCore {
  mock_variables?: { key: string; value?: string }[];
  mock_tools?: { name: string; mock_response: string }[];
}

// Kept for next time; a failure to save only loses that convenience.
function saveContext(
  promptId: string,
  spaceId: string,
  vars: Record<string, string>,
  mocks: Record<string, string>,
): void {
  const debug_core: SavedCore = {
    mock_variables: Object.entries(vars).map(([key, value]) => ({ key, value })),
    mock_tools: Object.entries(mocks).map(([name, mock_response]) => ({ name, mock_response })),
  };
  api.post("/api/prompt/v1/prompts/{prompt_id}/debug_context/save", {
    params: { prompt_id: promptId },
    body: { workspace_id: spaceId, debug_context: { debug_core } },
  }).catch(() => {});
}
