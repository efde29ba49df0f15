/**
 * The prompt editor: the template (normal or Jinja2) as messages by role, each in a
 * CodeMirror editor with its `{{var}}` / Jinja2 syntax marked; the variables, kept in step
 * with the messages (their type and description editable); the model with its parameters;
 * the tools as validated JSON. It edits a detail held by the page, which autosaves it.
 */
import { Button } from "../components/button.tsx";
import { CodeEditor } from "../components/editor/mod.tsx";
import { syncVariableDefs, type TemplateType, VARIABLE_TYPES } from "../lib/template_vars.ts";
import type { Model, PromptDetail, PromptMessage } from "./prompt_data.ts";
import { ModelSection, ToolsSection } from "./prompt_model_tools.tsx";

const ROLES = ["system", "user", "assistant", "placeholder", "tool"] as const;

/** Props of PromptEditor. */
export interface PromptEditorProps {
  detail: PromptDetail;
  onChange: (detail: PromptDetail) => void;
  /** The tools as the JSON editor holds them (may be invalid while typed). */
  toolsText: string;
  onToolsText: (text: string) => void;
  models: Model[] | undefined;
}

/** Edits a prompt detail. */
export function PromptEditor(
  { detail, onChange, toolsText, onToolsText, models }: PromptEditorProps,
) {
  const t = detail.prompt_template ?? {};
  const type: TemplateType = t.template_type === "jinja2" ? "jinja2" : "normal";
  const messages = t.messages ?? [];
  const defs = t.variable_defs ?? [];

  const setTemplate = (patch: { type?: TemplateType; messages?: PromptMessage[] }) => {
    const nextType = patch.type ?? type;
    const nextMessages = patch.messages ?? messages;
    onChange({
      ...detail,
      prompt_template: {
        ...t,
        template_type: nextType,
        messages: nextMessages,
        variable_defs: syncVariableDefs(defs, nextMessages, nextType),
      },
    });
  };
  const setMessage = (i: number, m: PromptMessage) =>
    setTemplate({ messages: messages.map((x, j) => (j === i ? m : x)) });
  const move = (i: number, by: number) => {
    const next = [...messages];
    const [m] = next.splice(i, 1);
    next.splice(i + by, 0, m);
    setTemplate({ messages: next });
  };

  return (
    <div className="split">
      <section className="card stack" aria-label="Template">
        <div className="section-title">
          <span>Messages</span>
          <select
            className="select"
            aria-label="Template type"
            value={type}
            onChange={(e) => setTemplate({ type: e.target.value as TemplateType })}
          >
            <option value="normal">Normal ({"{{var}}"})</option>
            <option value="jinja2">Jinja2</option>
          </select>
        </div>
        {messages.map((m, i) => (
          <div className="message-card" key={i} data-testid={`message-${i}`}>
            <div className="row">
              <select
                className="select"
                aria-label={`Role of message ${i + 1}`}
                value={m.role}
                onChange={(e) =>
                  setMessage(i, { ...m, role: e.target.value as PromptMessage["role"] })}
              >
                {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
              </select>
              <div className="spacer" style={{ flex: 1 }} />
              <Button
                size="sm"
                variant="ghost"
                aria-label={`Move message ${i + 1} up`}
                disabled={i === 0}
                onClick={() => move(i, -1)}
              >
                ↑
              </Button>
              <Button
                size="sm"
                variant="ghost"
                aria-label={`Move message ${i + 1} down`}
                disabled={i === messages.length - 1}
                onClick={() => move(i, 1)}
              >
                ↓
              </Button>
              <Button
                size="sm"
                variant="ghost"
                aria-label={`Remove message ${i + 1}`}
                onClick={() => setTemplate({ messages: messages.filter((_, j) => j !== i) })}
              >
                ✕
              </Button>
            </div>
            {m.role === "placeholder"
              ? (
                <input
                  className="input input-sm"
                  aria-label={`Placeholder variable of message ${i + 1}`}
                  placeholder="variable holding a list of messages"
                  value={m.content ?? ""}
                  onChange={(e) => setMessage(i, { ...m, content: e.target.value })}
                />
              )
              : (
                <CodeEditor
                  label={`Message ${i + 1}`}
                  language={type === "jinja2" ? "jinja2" : "template"}
                  value={m.content ?? ""}
                  minHeight="56px"
                  onChange={(content) => setMessage(i, { ...m, content })}
                />
              )}
          </div>
        ))}
        <div className="row">
          <Button
            size="sm"
            onClick={() => setTemplate({ messages: [...messages, { role: "user", content: "" }] })}
          >
            Add message
          </Button>
        </div>
      </section>
      <div className="stack">
        <section className="card stack" aria-label="Variables">
          <div className="section-title">Variables</div>
          {defs.length === 0
            ? (
              <p className="muted" style={{ margin: 0 }}>
                {type === "jinja2"
                  ? "Use {{ name }} or {% for x in name %} in a message."
                  : "Write {{name}} in a message to add a variable."}
              </p>
            )
            : (
              <table className="table" aria-label="Variables">
                <tbody>
                  {defs.map((d, i) => (
                    <tr key={d.key}>
                      <td className="mono">{d.key}</td>
                      <td>
                        <select
                          className="select input-sm"
                          aria-label={`Type of ${d.key}`}
                          value={d.type ?? "string"}
                          onChange={(e) =>
                            onChange({
                              ...detail,
                              prompt_template: {
                                ...t,
                                variable_defs: defs.map((x, j) =>
                                  j === i ? { ...x, type: e.target.value } : x
                                ),
                              },
                            })}
                        >
                          {VARIABLE_TYPES.map((v) => <option key={v} value={v}>{v}</option>)}
                        </select>
                      </td>
                      <td>
                        <input
                          className="input input-sm"
                          aria-label={`Description of ${d.key}`}
                          placeholder="description"
                          value={d.desc ?? ""}
                          onChange={(e) =>
                            onChange({
                              ...detail,
                              prompt_template: {
                                ...t,
                                variable_defs: defs.map((x, j) =>
                                  j === i ? { ...x, desc: e.target.value || undefined } : x
                                ),
                              },
                            })}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
        </section>
        <ModelSection
          config={detail.model_config ?? {}}
          models={models}
          onChange={(model_config) => onChange({ ...detail, model_config })}
        />
        <ToolsSection
          text={toolsText}
          onText={onToolsText}
          choice={detail.tool_call_config?.tool_choice ?? "auto"}
          onChoice={(tool_choice) =>
            onChange({ ...detail, tool_call_config: { ...detail.tool_call_config, tool_choice } })}
        />
      </div>
    </div>
  );
}
