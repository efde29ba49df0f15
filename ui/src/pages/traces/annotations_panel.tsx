/** A span's annotations: the list (SDK feedback and manual ones), adding and deleting. */
import { type FormEvent, useState } from "react";
import { Button } from "../../components/button.tsx";
import { ErrorNotice } from "../../components/notice.tsx";
import { useAsync } from "../../hooks/use_async.ts";
import { formatStart } from "../../lib/trace_list.ts";
import {
  type Annotation,
  createAnnotation,
  deleteAnnotation,
  listAnnotations,
  type Span,
} from "./api.ts";

const VALUE_TYPES: Annotation["value_type"][] = ["string", "number", "bool", "category"];

/** Props of AnnotationsPanel. */
export interface AnnotationsPanelProps {
  spaceId: string;
  span: Span;
}

/** The annotations section of the span pane. */
export function AnnotationsPanel({ spaceId, span }: AnnotationsPanelProps) {
  const list = useAsync((signal) => listAnnotations(spaceId, span, signal), [spaceId, span]);
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const [valueType, setValueType] = useState<Annotation["value_type"]>("string");
  const [reasoning, setReasoning] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await createAnnotation(spaceId, span, { key: key.trim(), value, valueType, reasoning });
      setKey("");
      setValue("");
      setReasoning("");
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (a: Annotation) => {
    setError(undefined);
    try {
      await deleteAnnotation(spaceId, a);
      list.reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-label="Annotations">
      <h3>Annotations</h3>
      <ErrorNotice error={list.error ?? error} />
      {list.data?.length === 0 && <p className="muted">No annotation yet.</p>}
      <div data-testid="annotations">
        {list.data?.map((a) => (
          <div key={a.id} className="annotation">
            <div>
              <strong>{a.key}</strong> = <span className="mono">{a.value}</span>{" "}
              <span className="badge">{a.value_type}</span>
              {a.reasoning && <div className="muted">{a.reasoning}</div>}
              <div className="muted" style={{ fontSize: 12 }}>
                {a.type === "manual_feedback" ? "manual" : "from the SDK"} ·{" "}
                {formatStart(a.base_info.updated_at)}
              </div>
            </div>
            <Button
              size="sm"
              variant="ghost"
              aria-label={`Delete annotation ${a.key}`}
              onClick={() => remove(a)}
            >
              Delete
            </Button>
          </div>
        ))}
      </div>
      <form
        className="stack"
        style={{ marginTop: 10, gap: 6 }}
        aria-label="Annotate"
        onSubmit={add}
      >
        <div className="row">
          <input
            className="input input-sm"
            aria-label="Annotation key"
            placeholder="Key (e.g. quality)"
            required
            maxLength={256}
            value={key}
            onChange={(e) => setKey(e.target.value)}
          />
          <select
            className="select input-sm"
            aria-label="Annotation type"
            value={valueType}
            onChange={(e) => setValueType(e.target.value as Annotation["value_type"])}
          >
            {VALUE_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
          <input
            className="input input-sm"
            aria-label="Annotation value"
            placeholder="Value"
            required
            value={value}
            onChange={(e) => setValue(e.target.value)}
          />
        </div>
        <input
          className="input input-sm"
          aria-label="Reasoning"
          placeholder="Reasoning (optional)"
          value={reasoning}
          onChange={(e) => setReasoning(e.target.value)}
        />
        <div className="row">
          <Button type="submit" size="sm" variant="primary" busy={busy}>Annotate</Button>
        </div>
      </form>
    </section>
  );
}
