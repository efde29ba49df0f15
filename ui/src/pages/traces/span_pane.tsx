/**
 * The selected span: its summary, error, input and output (pretty or raw), uploaded
 * attachments, tags (each with "filter by this value") and annotations.
 */
import { useCallback, useMemo } from "react";
import { CopyButton } from "../../components/copy_button.tsx";
import { Button } from "../../components/button.tsx";
import { Notice } from "../../components/notice.tsx";
import type { FieldType, FilterCondition } from "../../lib/span_filters.ts";
import { safeUrl, spanAttachments } from "../../lib/span_content.ts";
import { formatDuration, formatStart } from "../../lib/trace_list.ts";
import { spanTokens } from "../../lib/trace_tree.ts";
import type { Span } from "./api.ts";
import { AnnotationsPanel } from "./annotations_panel.tsx";
import { KindBadge } from "./span_list.tsx";
import { SpanContentView } from "./span_content_view.tsx";

/** Props of SpanPane. */
export interface SpanPaneProps {
  spaceId: string;
  span: Span;
  mode: "pretty" | "raw";
  onMode: (mode: "pretty" | "raw") => void;
  onFilter: (c: FilterCondition) => void;
}

interface TagRow {
  key: string;
  value: string;
  /** Filterable with this field type (tags the filter tree reaches). */
  type?: FieldType;
  system?: boolean;
}

/** The span pane. */
export function SpanPane({ spaceId, span, mode, onMode, onFilter }: SpanPaneProps) {
  const urls = span.attr_tos?.multimodal_data;
  const resolve = useCallback((ref: string) => safeUrl(urls?.[ref]), [urls]);
  const attachments = useMemo(() => spanAttachments(span.object_storage, urls), [span, urls]);
  const tags = useMemo(() => tagRows(span), [span]);
  const error = span.tags_string.error;
  const tokens = spanTokens(span);
  const filter = (t: TagRow) =>
    onFilter({ kind: "cond", field: t.key, type: t.type!, op: "eq", values: [t.value] });

  return (
    <div className="span-pane" aria-label={`Span ${span.span_name}`} data-testid="span-pane">
      <section>
        <div className="span-title">
          <KindBadge type={span.span_type} />
          <h2>{span.span_name || "(unnamed)"}</h2>
          <span className={span.status === "error" ? "status-error" : "status-success"}>
            {span.status}
          </span>
        </div>
        <dl className="kv" style={{ marginTop: 8 }}>
          <dt>Start</dt>
          <dd>{formatStart(span.started_at)}</dd>
          <dt>Duration</dt>
          <dd>{formatDuration(span.duration)}</dd>
          {tokens > 0 && (
            <>
              <dt>Tokens</dt>
              <dd>
                {tokens}
                {span.tags_long.input_tokens !== undefined &&
                  ` (in ${span.tags_long.input_tokens}, out ${span.tags_long.output_tokens ?? 0})`}
              </dd>
            </>
          )}
          <dt>Span id</dt>
          <dd className="mono">
            {span.span_id} <CopyButton text={span.span_id} />
          </dd>
          <dt>Parent</dt>
          <dd className="mono">{span.parent_id === "0" ? "— (root)" : span.parent_id}</dd>
        </dl>
        {error && (
          <div style={{ marginTop: 8 }}>
            <Notice kind="error">{error}</Notice>
          </div>
        )}
      </section>
      <section>
        <div className="row" style={{ justifyContent: "space-between", marginBottom: 8 }}>
          <h3 style={{ margin: 0 }}>Input</h3>
          <div className="segmented" role="group" aria-label="Show as">
            {(["pretty", "raw"] as const).map((m) => (
              <button
                key={m}
                type="button"
                aria-pressed={mode === m}
                onClick={() => onMode(m)}
              >
                {m === "pretty" ? "Pretty" : "Raw"}
              </button>
            ))}
          </div>
        </div>
        <Stored url={span.attr_tos?.input_data_url} what="input" />
        <SpanContentView raw={span.input} mode={mode} resolve={resolve} label="Input" />
      </section>
      <section>
        <h3>Output</h3>
        <Stored url={span.attr_tos?.output_data_url} what="output" />
        <SpanContentView raw={span.output} mode={mode} resolve={resolve} label="Output" />
      </section>
      {attachments.length > 0 && (
        <section aria-label="Attachments">
          <h3>Attachments</h3>
          <div className="attachments">
            {attachments.map((a) => (
              <div key={a.key} className="attachment" data-testid="attachment">
                {a.url && (a.type === "image" || /\.(png|jpe?g|gif|webp|svg)$/i.test(a.name))
                  ? (
                    <a href={a.url} target="_blank" rel="noopener noreferrer">
                      <img src={a.url} alt={a.name || a.key} loading="lazy" />
                    </a>
                  )
                  : a.url
                  ? (
                    <a href={a.url} target="_blank" rel="noopener noreferrer">
                      📎 {a.name || a.key}
                    </a>
                  )
                  : <span className="muted">{a.name || a.key} (no address)</span>}
                <span className="muted">{a.field} · {a.name || a.key}</span>
              </div>
            ))}
          </div>
        </section>
      )}
      <section aria-label="Tags">
        <h3>Tags</h3>
        <table className="table tags-table">
          <tbody>
            {tags.map((t) => (
              <tr key={`${t.system ? "s" : ""}${t.key}`}>
                <td>{t.system ? <span title="system tag">⚙ {t.key}</span> : t.key}</td>
                <td className="mono">{t.value}</td>
                <td>
                  {t.type && (
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={`Filter by ${t.key} = ${t.value}`}
                      title="Filter by this value"
                      onClick={() => filter(t)}
                    >
                      Filter
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <AnnotationsPanel key={span.span_id} spaceId={spaceId} span={span} />
    </div>
  );
}

function Stored({ url, what }: { url?: string; what: string }) {
  const safe = safeUrl(url);
  if (!safe) return null;
  return (
    <p className="muted">
      This {what} was cut to fit; the whole of it is stored as a file:{" "}
      <a href={safe} target="_blank" rel="noopener noreferrer">open the full {what}</a>.
    </p>
  );
}

// The span's fields and tags, as rows; the filterable ones with their filter type.
function tagRows(s: Span): TagRow[] {
  const rows: TagRow[] = [
    { key: "span_type", value: s.span_type, type: "string" },
    { key: "span_name", value: s.span_name, type: "string" },
    { key: "status", value: s.status, type: "string" },
  ];
  for (const k of ["service_name", "logid", "method", "call_type"] as const) {
    if (s[k]) rows.push({ key: k, value: s[k], type: "string" });
  }
  const add = (m: Record<string, unknown>, type: FieldType | undefined, system = false) => {
    for (const [key, v] of Object.entries(m).sort(([a], [b]) => a.localeCompare(b))) {
      const filterable = type && v !== null;
      rows.push({
        key,
        value: v === null ? "NaN" : String(v),
        ...(filterable ? { type } : {}),
        system,
      });
    }
  };
  add(s.tags_string, "string");
  add(s.tags_long, "long");
  add(s.tags_double, "double");
  add(s.tags_bool, "bool");
  add(s.tags_bytes, undefined);
  add(s.system_tags_string, undefined, true);
  add(s.system_tags_long, undefined, true);
  add(s.system_tags_double, undefined, true);
  return rows;
}
