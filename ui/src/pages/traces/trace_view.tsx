/**
 * One trace: its figures, the span tree with waterfall bars (search and collapsed nodes in
 * the URL) and the selected span's pane. The tree is built once per load and the visible
 * rows recomputed only when the collapsed set or the search changes.
 */
import { useCallback, useDeferredValue, useMemo, useRef } from "react";
import { Button } from "../../components/button.tsx";
import { ErrorNotice } from "../../components/notice.tsx";
import { EmptyState, Loading } from "../../components/page.tsx";
import { useAsync } from "../../hooks/use_async.ts";
import type { FilterCondition } from "../../lib/span_filters.ts";
import { formatDuration, type SetTracesUrl, type TracesUrl } from "../../lib/trace_list.ts";
import { buildTraceTree, type TraceTree, visibleRows } from "../../lib/trace_tree.ts";
import { getTrace, type Span } from "./api.ts";
import { SpanPane } from "./span_pane.tsx";
import { TraceTreeView } from "./trace_tree_view.tsx";
import { useUrlText } from "./use_url_text.ts";

/** Props of TraceView. */
export interface TraceViewProps {
  spaceId: string;
  traceId: string;
  url: TracesUrl;
  setUrl: SetTracesUrl;
  onFilter: (c: FilterCondition) => void;
}

const NO_ROWS = { rows: [] as number[], matches: new Set<number>() };

/** The trace view. */
export function TraceView({ spaceId, traceId, url, setUrl, onFilter }: TraceViewProps) {
  const trace = useAsync((signal) => getTrace(spaceId, traceId, signal), [spaceId, traceId]);
  const tree = useMemo(
    () => (trace.data ? buildTraceTree(trace.data.spans) : undefined),
    [trace.data],
  ) as TraceTree<Span> | undefined;
  const collapsed = useMemo(() => new Set(url.collapsed ?? []), [url.collapsed]);
  const [searchText, setSearchText] = useUrlText(
    url.q,
    (q) => setUrl({ q: q || undefined }, { replace: true }),
  );
  // Typing stays responsive on a big tree: the rows follow the search a moment later.
  const search = useDeferredValue(url.q ?? "");
  const visible = useMemo(
    () => (tree ? visibleRows(tree, collapsed, search) : NO_ROWS),
    [tree, collapsed, search],
  );
  const selected = tree && tree.nodes.length
    ? (url.span_id ? tree.byId.get(url.span_id.toLowerCase()) : undefined) ?? 0
    : undefined;
  const span = selected !== undefined ? tree!.nodes[selected].span : undefined;

  // Callbacks read the latest state through refs: rows keep the same handlers (and stay
  // memoized) while the URL changes.
  const latest = useRef({ tree, url, setUrl });
  latest.current = { tree, url, setUrl };
  const onSelect = useCallback((index: number) => {
    const { tree, setUrl } = latest.current;
    if (tree) setUrl({ span_id: tree.nodes[index].id }, { replace: true });
  }, []);
  const onToggle = useCallback((index: number) => {
    const { tree, url, setUrl } = latest.current;
    if (!tree) return;
    const id = tree.nodes[index].id;
    const now = url.collapsed ?? [];
    const next = now.includes(id) ? now.filter((x) => x !== id) : [...now, id];
    setUrl({ collapsed: next.length ? next : undefined }, { replace: true });
  }, []);
  const collapseAll = () => {
    if (!tree) return;
    const ids = tree.nodes.filter((n) => n.depth === 1 && n.childCount > 0).map((n) => n.id);
    const tops = tree.nodes.filter((n) => n.depth === 0 && n.childCount > 0).map((n) => n.id);
    setUrl({ collapsed: ids.length ? ids : tops.length ? tops : undefined }, { replace: true });
  };

  if (trace.error) return <ErrorNotice error={trace.error} />;
  if (!tree) return <Loading label="Loading the trace…" />;
  if (!tree.nodes.length) {
    return (
      <EmptyState>
        No span of this trace was found. Spans may take a few seconds to arrive.{" "}
        <Button size="sm" onClick={trace.reload}>Look again</Button>
      </EmptyState>
    );
  }
  const errors = tree.nodes.reduce((n, x) => n + (x.error ? 1 : 0), 0);
  const tokens = trace.data!.traces_advance_info.tokens;
  return (
    <div className="stack" style={{ gap: 12 }}>
      <div className="trace-stats" data-testid="trace-stats">
        <span>{tree.nodes.length === 1 ? "1 span" : `${tree.nodes.length} spans`}</span>
        <span>{formatDuration(tree.end - tree.start)}</span>
        {(Number(tokens.input) > 0 || Number(tokens.output) > 0) && (
          <span>{tokens.input} in / {tokens.output} out tokens</span>
        )}
        {errors > 0 && <span className="status-error">{errors} with errors</span>}
        {tree.orphans > 0 && <span>{tree.orphans} orphaned (parent missing)</span>}
      </div>
      <div className="trace-body">
        <div className="trace-tree-panel">
          <div className="trace-tree-tools">
            <input
              className="input input-sm"
              type="search"
              aria-label="Search spans"
              placeholder="Search spans by name, type, id, model"
              value={searchText}
              onChange={(e) => setSearchText(e.target.value)}
            />
            {search && (
              <span className="muted" data-testid="search-count">
                {visible.matches.size} found
              </span>
            )}
            <Button size="sm" onClick={collapseAll}>Collapse all</Button>
            <Button
              size="sm"
              disabled={!url.collapsed}
              onClick={() => setUrl({ collapsed: undefined }, { replace: true })}
            >
              Expand all
            </Button>
          </div>
          <TraceTreeView
            tree={tree}
            rows={visible.rows}
            matches={visible.matches}
            collapsed={collapsed}
            selected={selected}
            onSelect={onSelect}
            onToggle={onToggle}
          />
        </div>
        {span && (
          <SpanPane
            key={span.span_id}
            spaceId={spaceId}
            span={span}
            mode={url.fmt === "raw" ? "raw" : "pretty"}
            onMode={(fmt) => setUrl({ fmt }, { replace: true })}
            onFilter={onFilter}
          />
        )}
      </div>
    </div>
  );
}
