/**
 * The span list: time preset or range, root/all/LLM spans, a trace id search, the filter
 * builder, columns and pages, all in the URL; a row opens its trace at its span.
 */
import { type FormEvent, useMemo, useState } from "react";
import { Link, useLocation } from "react-router";
import { Button } from "../../components/button.tsx";
import { ErrorNotice, Notice } from "../../components/notice.tsx";
import { EmptyState, Loading } from "../../components/page.tsx";
import { useAsync } from "../../hooks/use_async.ts";
import {
  countConditions,
  decodeFilters,
  describeFilters,
  emptyFilters,
  encodeFilters,
  toWire,
} from "../../lib/span_filters.ts";
import {
  asTraceId,
  colsParam,
  columnsOf,
  type ListSpan,
  nextPage,
  previousPage,
  type SetTracesUrl,
  SPAN_COLUMNS,
  SPAN_LIST_TYPES,
  spanKind,
  spanListType,
  TIME_PRESETS,
  timeRange,
  toggleColumn,
  TRACES_URL,
  type TracesUrl,
} from "../../lib/trace_list.ts";
import { patchUrlState, withQuery } from "../../lib/url_state.ts";
import { fieldMetas, listSpans } from "./api.ts";
import { FilterBuilder } from "./filter_builder.tsx";

/** Props of SpanList. */
export interface SpanListProps {
  spaceId: string;
  url: TracesUrl;
  setUrl: SetTracesUrl;
}

/** The span list with its toolbar, filters and pages. */
export function SpanList({ spaceId, url, setUrl }: SpanListProps) {
  const filters = useMemo(() => decodeFilters(url.filters), [url.filters]);
  const columns = useMemo(() => columnsOf(url.cols), [url.cols]);
  const pageToken = url.page?.at(-1);
  const meta = useAsync((signal) => fieldMetas(spaceId, signal), [spaceId]);
  const list = useAsync(async (signal) => {
    const range = timeRange(url.time, url.start, url.end, Date.now());
    return await listSpans({
      spaceId,
      ...range,
      type: spanListType(url.type),
      filters: filters ? toWire(filters) : undefined,
      pageToken,
      signal,
    });
  }, [spaceId, url.time, url.start, url.end, url.type, url.filters, pageToken]);
  const location = useLocation();
  const traceLink = (s: ListSpan) =>
    withQuery(
      location.pathname,
      patchUrlState(location.search, TRACES_URL, { trace_id: s.trace_id, span_id: s.span_id }),
    );
  const conditions = filters ? countConditions(filters) : 0;

  return (
    <div className="stack">
      <div className="traces-toolbar">
        <TimePicker url={url} setUrl={setUrl} />
        <div className="segmented" role="group" aria-label="Spans">
          {SPAN_LIST_TYPES.map((t) => (
            <button
              key={t.id}
              type="button"
              aria-pressed={url.type === t.id}
              onClick={() => setUrl({ type: t.id, page: undefined })}
            >
              {t.label}
            </button>
          ))}
        </div>
        <Button
          aria-expanded={url.builder}
          onClick={() => setUrl({ builder: !url.builder }, { replace: true })}
        >
          Filters{conditions ? ` (${conditions})` : ""}
        </Button>
        <ColumnsMenu ids={columns.map((c) => c.id)} setUrl={setUrl} />
        <Button onClick={list.reload} aria-label="Refresh">↻</Button>
        <div className="grow" />
        <TraceIdSearch onOpen={(id) => setUrl({ trace_id: id, span_id: undefined })} />
      </div>
      {!filters && (
        <Notice kind="warning">
          The filters in this link are malformed and were ignored.{" "}
          <Button size="sm" onClick={() => setUrl({ filters: undefined })}>Clear them</Button>
        </Notice>
      )}
      {filters && conditions > 0 && (
        <div className="filter-summary" data-testid="filter-summary">
          <span className="muted">Filtered by</span>
          <code>{describeFilters(filters)}</code>
          <Button
            size="sm"
            variant="ghost"
            onClick={() => setUrl({ filters: undefined, page: undefined })}
          >
            Clear
          </Button>
        </div>
      )}
      {url.builder && (
        <FilterBuilder
          key={url.filters ?? ""}
          value={filters ?? emptyFilters()}
          fields={meta.data ?? []}
          onApply={(g) => setUrl({ filters: encodeFilters(g) || undefined, page: undefined })}
          onClose={() => setUrl({ builder: false }, { replace: true })}
        />
      )}
      <div className="card span-table-wrap">
        <ErrorNotice error={list.error} />
        {list.loading && !list.data && <Loading />}
        {list.data?.spans.length === 0 && (
          <EmptyState>
            No spans {conditions ? "match these filters" : "were reported"} in this time range.
          </EmptyState>
        )}
        {!!list.data?.spans.length && (
          <table className="table span-table" aria-label="Spans" aria-busy={list.loading}>
            <thead>
              <tr>{columns.map((c) => <th key={c.id}>{c.label}</th>)}</tr>
            </thead>
            <tbody>
              {list.data.spans.map((s) => (
                <tr
                  key={`${s.trace_id}/${s.span_id}`}
                  onClick={() => setUrl({ trace_id: s.trace_id, span_id: s.span_id })}
                >
                  {columns.map((c, i) => (
                    <td
                      key={c.id}
                      className={cellClass(c.style, c.id, s.status)}
                      title={c.style === "text" ? c.value(s) : undefined}
                    >
                      {i === 0
                        ? (
                          <Link
                            to={traceLink(s)}
                            onClick={(e) => e.stopPropagation()}
                          >
                            {c.value(s) || "—"}
                          </Link>
                        )
                        : c.id === "type"
                        ? <KindBadge type={s.span_type} />
                        : c.value(s)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div className="row" style={{ justifyContent: "flex-end", marginTop: 10 }}>
          {url.page && (
            <>
              <Button size="sm" onClick={() => setUrl({ page: undefined })}>First page</Button>
              <Button size="sm" onClick={() => setUrl({ page: previousPage(url.page) })}>
                ← Previous
              </Button>
            </>
          )}
          {list.data?.has_more && (
            <Button
              size="sm"
              onClick={() => setUrl({ page: nextPage(url.page, list.data!.next_page_token) })}
            >
              Next page →
            </Button>
          )}
        </div>
      </div>
    </div>
  );
}

function cellClass(style: string | undefined, id: string, status?: string): string | undefined {
  if (id === "status") return status === "error" ? "status-error" : "status-success";
  return style === "number" ? "num" : style === "mono" ? "mono" : undefined;
}

/** A span type with its family's color. */
export function KindBadge({ type }: { type: string }) {
  const kind = spanKind(type);
  return (
    <span className={`kind-badge kind-${kind}`}>
      <span className="kind-icon" aria-hidden="true">{kind[0].toUpperCase()}</span>
      {type}
    </span>
  );
}

// `datetime-local` values are local times without a zone.
const localInput = (ms: number) => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

function TimePicker({ url, setUrl }: { url: TracesUrl; setUrl: SetTracesUrl }) {
  const custom = url.time === "custom";
  const range = timeRange(url.time, url.start, url.end, Date.now());
  const setBound = (which: "start" | "end", value: string) => {
    const ms = new Date(value).getTime();
    if (Number.isFinite(ms)) setUrl({ [which]: ms, page: undefined }, { replace: true });
  };
  return (
    <div className="row">
      <select
        className="select"
        aria-label="Time range"
        value={custom ? "custom" : TIME_PRESETS.some((p) => p.id === url.time) ? url.time : "1d"}
        onChange={(e) =>
          e.target.value === "custom"
            ? setUrl({ time: "custom", start: range.start, end: range.end, page: undefined })
            : setUrl({ time: e.target.value, start: undefined, end: undefined, page: undefined })}
      >
        {TIME_PRESETS.map((p) => <option key={p.id} value={p.id}>{p.label}</option>)}
        <option value="custom">Custom range</option>
      </select>
      {custom && (
        <>
          <input
            type="datetime-local"
            className="input input-sm"
            aria-label="From"
            value={localInput(range.start)}
            onChange={(e) => setBound("start", e.target.value)}
          />
          <input
            type="datetime-local"
            className="input input-sm"
            aria-label="To"
            value={localInput(range.end)}
            onChange={(e) => setBound("end", e.target.value)}
          />
        </>
      )}
    </div>
  );
}

function TraceIdSearch({ onOpen }: { onOpen: (traceId: string) => void }) {
  const [text, setText] = useState("");
  const [invalid, setInvalid] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const id = asTraceId(text);
    setInvalid(!id);
    if (id) onOpen(id);
  };
  return (
    <form className="row" role="search" aria-label="Open a trace" onSubmit={submit}>
      <input
        className="input input-sm mono"
        aria-label="Trace id"
        aria-invalid={invalid || undefined}
        placeholder="Trace id"
        size={34}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <Button type="submit" size="sm">Open trace</Button>
      {invalid && <span className="status-error">Not a trace id (hex)</span>}
    </form>
  );
}

function ColumnsMenu({ ids, setUrl }: { ids: string[]; setUrl: SetTracesUrl }) {
  return (
    <details className="menu">
      <summary className="btn">Columns</summary>
      <div className="menu-body" role="group" aria-label="Columns">
        {SPAN_COLUMNS.map((c) => (
          <label key={c.id}>
            <input
              type="checkbox"
              checked={ids.includes(c.id)}
              onChange={() =>
                setUrl({ cols: colsParam(toggleColumn(ids, c.id)) }, { replace: true })}
            />
            {c.label}
          </label>
        ))}
      </div>
    </details>
  );
}
