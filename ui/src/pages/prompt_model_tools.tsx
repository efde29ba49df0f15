/**
 * The model and tools sections of the prompt editor: a model of the catalogue with the
 * parameters it declares (temperature, max tokens and top p when it declares none), and the
 * tools as JSON checked as they are typed, with the tool choice.
 */
import { CodeEditor } from "../components/editor/mod.tsx";
import type { components } from "../api/schema.gen.ts";
import { textToTools } from "../lib/tools_json.ts";
import type { Model, PromptDetail } from "./prompt_data.ts";

type ModelConfig = NonNullable<PromptDetail["model_config"]>;
type ParamSchema = components["schemas"]["ModelParamSchema"];

// What a model that declares no parameters offers.
const DEFAULT_PARAMS: ParamSchema[] = [
  {
    name: "temperature",
    label: "Temperature",
    desc: "",
    type: "float",
    min: "0",
    max: "2",
    options: [],
  },
  { name: "max_tokens", label: "Max tokens", desc: "", type: "int", min: "1", options: [] },
  { name: "top_p", label: "Top p", desc: "", type: "float", min: "0", max: "1", options: [] },
];
// Parameters the prompt's model_config can hold (others are the model's own).
const KNOWN = new Set([
  "temperature",
  "max_tokens",
  "top_p",
  "top_k",
  "presence_penalty",
  "frequency_penalty",
  "json_mode",
]);

/** The model select and its parameters. */
export function ModelSection({ config, models, onChange }: {
  config: ModelConfig;
  models: Model[] | undefined;
  onChange: (config: ModelConfig) => void;
}) {
  const id = config.model_id === undefined ? "" : String(config.model_id);
  const model = models?.find((m) => m.model_id === id);
  const declared = model?.param_config.param_schemas.filter((p) => KNOWN.has(p.name)) ?? [];
  const params = declared.length ? declared : DEFAULT_PARAMS;
  const set = (name: string, value: number | boolean | undefined) => {
    const next: Record<string, unknown> = { ...config };
    if (value === undefined) delete next[name];
    else next[name] = value;
    onChange(next as ModelConfig);
  };
  return (
    <section className="card stack" aria-label="Model">
      <div className="section-title">Model</div>
      <select
        className="select"
        aria-label="Model"
        value={id}
        onChange={(e) => onChange({ ...config, model_id: e.target.value || undefined })}
      >
        <option value="">No model</option>
        {id && !model && models && <option value={id}>Unknown model {id}</option>}
        {models?.map((m) => (
          <option key={m.model_id} value={m.model_id}>
            {m.name} ({m.identification})
          </option>
        ))}
      </select>
      <div className="row" style={{ alignItems: "end" }}>
        {params.map((p) => {
          const v = (config as Record<string, unknown>)[p.name];
          if (p.type === "boolean") {
            return (
              <label key={p.name} className="row" title={p.desc}>
                <input
                  type="checkbox"
                  checked={v === true}
                  onChange={(e) => set(p.name, e.target.checked || undefined)}
                />
                {p.label || p.name}
              </label>
            );
          }
          return (
            <div className="field" key={p.name} style={{ width: 120 }} title={p.desc}>
              <label htmlFor={`param-${p.name}`}>{p.label || p.name}</label>
              <input
                id={`param-${p.name}`}
                className="input input-sm"
                type="number"
                step={p.type === "int" ? 1 : 0.1}
                min={p.min}
                max={p.max}
                placeholder={p.default_value ?? "default"}
                value={v === undefined ? "" : String(v)}
                onChange={(e) => {
                  const raw = e.target.value;
                  const n = p.type === "int" ? parseInt(raw, 10) : parseFloat(raw);
                  set(p.name, raw === "" || !Number.isFinite(n) ? undefined : n);
                }}
              />
            </div>
          );
        })}
        {model?.ability?.json_mode && !params.some((p) => p.name === "json_mode") && (
          <label className="row">
            <input
              type="checkbox"
              checked={config.json_mode === true}
              onChange={(e) => set("json_mode", e.target.checked || undefined)}
            />
            JSON mode
          </label>
        )}
      </div>
    </section>
  );
}

/** The tools JSON editor and the tool choice. */
export function ToolsSection({ text, onText, choice, onChoice }: {
  text: string;
  onText: (text: string) => void;
  choice: string;
  onChoice: (choice: "auto" | "none") => void;
}) {
  const { problems } = textToTools(text);
  return (
    <section className="card stack" aria-label="Tools">
      <div className="section-title">
        <span>Tools</span>
        <select
          className="select input-sm"
          style={{ width: "auto" }}
          aria-label="Tool choice"
          value={choice === "none" ? "none" : "auto"}
          onChange={(e) => onChoice(e.target.value as "auto" | "none")}
        >
          <option value="auto">Model decides</option>
          <option value="none">Never call tools</option>
        </select>
      </div>
      <CodeEditor
        label="Tools (JSON)"
        language="json"
        value={text}
        onChange={onText}
        minHeight="90px"
        lint={(t) => textToTools(t).problems}
      />
      {problems.length > 0 && (
        <p className="muted" role="status" data-testid="tools-problem" style={{ margin: 0 }}>
          Not saved until fixed: {problems[0].message}
        </p>
      )}
    </section>
  );
}
