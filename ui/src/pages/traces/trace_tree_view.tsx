/**
 * The trace tree, virtualized (TanStack Virtual): one fixed-height row per visible span with
 * its type, name, status, duration and tokens, and its waterfall bar on the trace's time
 * axis. Only rows in view are rendered, rows are memoized and carry precomputed offsets, so
 * a trace of 10,000 spans scrolls smoothly. Arrow keys move, collapse and expand.
 */
import { type KeyboardEvent, memo, useEffect, useRef } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { barStyle, type TraceTree, type TreeNode } from "../../lib/trace_tree.ts";
import { formatDuration, formatTokens, spanKind } from "../../lib/trace_list.ts";

/** Height of a row, px (fixed: no measuring). */
export const ROW_HEIGHT = 28;
const INDENT = 14;
const MAX_INDENT_LEVELS = 24;

/** Props of TraceTreeView. */
export interface TraceTreeViewProps {
  tree: TraceTree;
  rows: number[];
  matches: Set<number>;
  collapsed: ReadonlySet<string>;
  /** Index of the selected node. */
  selected: number | undefined;
  onSelect: (index: number) => void;
  onToggle: (index: number) => void;
}

/** The tree. */
export function TraceTreeView(
  { tree, rows, matches, collapsed, selected, onSelect, onToggle }: TraceTreeViewProps,
) {
  const scroller = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  // The selected span in view when the trace opens (a link to a span deep in it).
  const revealed = useRef(false);
  useEffect(() => {
    if (revealed.current || selected === undefined || !rows.length) return;
    revealed.current = true;
    const at = rows.indexOf(selected);
    if (at > 0) v.scrollToIndex(at, { align: "center" });
  }, [rows, selected, v]);

  const move = (to: number) => {
    const row = Math.max(0, Math.min(rows.length - 1, to));
    if (rows[row] === undefined) return;
    onSelect(rows[row]);
    v.scrollToIndex(row, { align: "auto" });
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (selected === undefined) return;
    const at = rows.indexOf(selected);
    const node = tree.nodes[selected];
    const open = node.childCount > 0 && !collapsed.has(node.id);
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(at + 1),
      ArrowUp: () => move(at - 1),
      Home: () => move(0),
      End: () => move(rows.length - 1),
      ArrowRight: () => (node.childCount && !open ? onToggle(selected) : move(at + 1)),
      ArrowLeft: () =>
        open ? onToggle(selected) : node.parent >= 0 && move(rows.indexOf(node.parent)),
    };
    const run = keys[e.key];
    if (!run) return;
    e.preventDefault();
    run();
  };

  return (
    <div
      ref={scroller}
      className="trace-tree"
      role="tree"
      aria-label="Spans"
      aria-multiselectable="false"
      tabIndex={0}
      onKeyDown={onKeyDown}
      data-testid="trace-tree"
      data-rows={rows.length}
    >
      <div style={{ height: v.getTotalSize(), position: "relative" }}>
        {v.getVirtualItems().map((item) => {
          const index = rows[item.index];
          const node = tree.nodes[index];
          return (
            <TreeRow
              key={node.id}
              node={node}
              top={item.start}
              selected={index === selected}
              match={matches.has(index)}
              collapsed={collapsed.has(node.id)}
              onSelect={onSelect}
              onToggle={onToggle}
            />
          );
        })}
      </div>
    </div>
  );
}

interface TreeRowProps {
  node: TreeNode;
  top: number;
  selected: boolean;
  match: boolean;
  collapsed: boolean;
  onSelect: (index: number) => void;
  onToggle: (index: number) => void;
}

const TreeRow = memo(function TreeRow(
  { node, top, selected, match, collapsed, onSelect, onToggle }: TreeRowProps,
) {
  const kind = spanKind(node.span.span_type);
  const indent = Math.min(node.depth, MAX_INDENT_LEVELS) * INDENT;
  const bar = barStyle(node);
  return (
    <div
      className={`tree-row kind-${kind}${match ? " match" : ""}`}
      role="treeitem"
      aria-level={node.depth + 1}
      aria-selected={selected}
      aria-expanded={node.childCount ? !collapsed : undefined}
      data-span-id={node.id}
      style={{ transform: `translateY(${top}px)` }}
      onClick={() => onSelect(node.index)}
    >
      <div className="tree-label" style={{ paddingLeft: indent + 4 }}>
        {node.childCount
          ? (
            <button
              type="button"
              className="tree-toggle"
              tabIndex={-1}
              aria-label={`${collapsed ? "Expand" : "Collapse"} ${node.span.span_name}`}
              onClick={(e) => {
                e.stopPropagation();
                onToggle(node.index);
              }}
            >
              {collapsed ? "▶" : "▼"}
            </button>
          )
          : <span className="tree-toggle" aria-hidden="true" />}
        <span className="kind-icon" title={node.span.span_type} aria-hidden="true">
          {kind[0].toUpperCase()}
        </span>
        <span className="tree-name" title={node.span.span_name}>
          {node.depth > MAX_INDENT_LEVELS && <span className="muted">{node.depth}·</span>}
          {node.span.span_name || "(unnamed)"}
        </span>
        {node.error && <span className="tree-err" title="error">✕</span>}
        {node.orphan && <span className="badge" title="its parent span is missing">orphan</span>}
        <span className="tree-meta">
          {node.tokens ? `${formatTokens(node.tokens)} tok · ` : ""}
          {formatDuration(node.duration)}
          {collapsed && node.childCount ? ` · +${node.end - node.index - 1}` : ""}
        </span>
      </div>
      <div className="tree-bar-track" aria-hidden="true">
        <div className={`tree-bar${node.error ? " error" : ""}`} style={bar} />
      </div>
    </div>
  );
});
