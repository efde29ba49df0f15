/**
 * A trace's spans as a tree: built once from the flat span list (children by parent id,
 * ordered by start; spans whose parent is missing, or that sit on a parent cycle, become
 * top-level "orphans"), kept in depth-first order with each subtree as an index range, so
 * that the visible rows for a collapsed set or a search are one linear pass, and with each
 * span's waterfall offset precomputed. Pure logic, no React: tests/unit/ui_trace_tree_test.ts.
 */

/** The fields of a span the tree reads (the API's OutputSpan has them all). */
export interface TreeSpan {
  span_id: string;
  parent_id: string;
  span_name: string;
  span_type: string;
  /** Epoch ms (int64 as a string on the wire). */
  started_at: string | number;
  /** ms. */
  duration: string | number;
  status?: string;
  status_code?: number;
  tags_long?: Record<string, string | number>;
  tags_string?: Record<string, string>;
}

/** One span in the tree. */
export interface TreeNode<S extends TreeSpan = TreeSpan> {
  span: S;
  id: string;
  /** Position in depth-first order (also the index in `TraceTree.nodes`). */
  index: number;
  depth: number;
  /** Index of the parent node, -1 at the top level. */
  parent: number;
  /** Index just past the subtree: descendants are `index + 1 .. end - 1`. */
  end: number;
  childCount: number;
  /** Shown at the top level although its parent id names another span (missing or a cycle). */
  orphan: boolean;
  start: number;
  duration: number;
  /** Waterfall bar: offset and width as fractions (0..1) of the whole trace. */
  left: number;
  width: number;
  /** Tokens of a model span (the `tokens` tag, else input + output), 0 when none. */
  tokens: number;
  error: boolean;
  /** What a tree search matches, lowercased: name, type, span id, model name. */
  text: string;
}

/** A built trace tree. */
export interface TraceTree<S extends TreeSpan = TreeSpan> {
  /** Every span once, in depth-first order. */
  nodes: TreeNode<S>[];
  /** Node index by span id. */
  byId: Map<string, number>;
  /** The trace's first start and last end (epoch ms). */
  start: number;
  end: number;
  orphans: number;
}

const isRootParent = (p: string | undefined) => !p || p === "0";
const num = (v: unknown) => {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
};

/** The token count of a span: the `tokens` tag, else input_tokens + output_tokens. */
export function spanTokens(s: TreeSpan): number {
  const t = s.tags_long;
  if (!t) return 0;
  if (t.tokens !== undefined) return num(t.tokens);
  return num(t.input_tokens) + num(t.output_tokens);
}

/** Builds the tree; a span id seen twice keeps its first span. */
export function buildTraceTree<S extends TreeSpan>(spans: readonly S[]): TraceTree<S> {
  const unique = new Map<string, S>();
  for (const s of spans) if (!unique.has(s.span_id)) unique.set(s.span_id, s);
  const all = [...unique.values()];
  const startOf = (s: S) => num(s.started_at);
  const byStart = (a: S, b: S) =>
    startOf(a) - startOf(b) || (a.span_id < b.span_id ? -1 : a.span_id > b.span_id ? 1 : 0);

  const children = new Map<string, S[]>();
  const tops: S[] = [];
  const orphanIds = new Set<string>();
  for (const s of all) {
    const p = s.parent_id;
    if (isRootParent(p) || p === s.span_id) tops.push(s);
    else if (!unique.has(p)) {
      tops.push(s);
      orphanIds.add(s.span_id);
    } else {
      const list = children.get(p);
      if (list) list.push(s);
      else children.set(p, [s]);
    }
  }
  for (const list of children.values()) list.sort(byStart);
  tops.sort(byStart);

  let traceStart = Infinity;
  let traceEnd = -Infinity;
  for (const s of all) {
    const st = startOf(s);
    traceStart = Math.min(traceStart, st);
    traceEnd = Math.max(traceEnd, st + Math.max(0, num(s.duration)));
  }
  if (!all.length) traceStart = traceEnd = 0;
  const total = Math.max(traceEnd - traceStart, 1);

  const nodes: TreeNode<S>[] = [];
  const byId = new Map<string, number>();
  // Iterative depth-first walk (a chain of 10,000 spans must not overflow the stack).
  const walk = (top: S) => {
    const stack: [S, number, number][] = [[top, 0, -1]];
    while (stack.length) {
      const [s, depth, parent] = stack.pop()!;
      if (byId.has(s.span_id)) continue;
      const index = nodes.length;
      byId.set(s.span_id, index);
      const start = startOf(s);
      const duration = Math.max(0, num(s.duration));
      const kids = children.get(s.span_id) ?? [];
      nodes.push({
        span: s,
        id: s.span_id,
        index,
        depth,
        parent,
        end: index + 1,
        childCount: kids.length,
        orphan: orphanIds.has(s.span_id),
        start,
        duration,
        left: (start - traceStart) / total,
        width: duration / total,
        tokens: spanTokens(s),
        error: s.status === "error" || (s.status_code ?? 0) !== 0,
        text: [s.span_name, s.span_type, s.span_id, s.tags_string?.model_name ?? ""]
          .join("\n").toLowerCase(),
      });
      for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i], depth + 1, index]);
    }
  };
  for (const s of tops) walk(s);
  // Spans on a parent cycle are reachable from no top-level span: each cycle is cut at
  // its earliest span, which becomes an orphan.
  let orphans = orphanIds.size;
  if (nodes.length < all.length) {
    for (const s of [...all].sort(byStart)) {
      if (byId.has(s.span_id)) continue;
      const before = nodes.length;
      walk(s);
      nodes[before].orphan = true;
      orphans++;
    }
  }
  // Children come after their parent: a reverse pass gives every subtree its end.
  for (let i = nodes.length - 1; i >= 0; i--) {
    const p = nodes[i].parent;
    if (p >= 0 && nodes[i].end > nodes[p].end) nodes[p].end = nodes[i].end;
  }
  // A child counted under a parent whose walk skipped it (a cycle) is not its child here.
  for (const n of nodes) {
    if (n.childCount) n.childCount = countChildren(nodes, n);
  }
  return { nodes, byId, start: traceStart, end: traceEnd, orphans };
}

function countChildren(nodes: TreeNode<TreeSpan>[], n: TreeNode<TreeSpan>): number {
  let count = 0;
  for (let i = n.index + 1; i < n.end; i = nodes[i].end) count++;
  return count;
}

/** The rows to show: node indexes in order, and which of them match the search. */
export interface VisibleRows {
  rows: number[];
  /** Nodes matching the search (empty without one). */
  matches: Set<number>;
}

/**
 * The visible rows. Without a search: every node not inside a collapsed subtree. With one
 * (case-insensitive, over name, type, span id and model): the matching nodes and their
 * ancestors, whatever is collapsed.
 */
export function visibleRows(
  tree: TraceTree,
  collapsed: ReadonlySet<string>,
  search = "",
): VisibleRows {
  const nodes = tree.nodes;
  const q = search.trim().toLowerCase();
  const rows: number[] = [];
  if (!q) {
    for (let i = 0; i < nodes.length;) {
      rows.push(i);
      const n = nodes[i];
      i = n.childCount && collapsed.has(n.id) ? n.end : i + 1;
    }
    return { rows, matches: new Set() };
  }
  const matches = new Set<number>();
  const keep = new Uint8Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    if (!nodes[i].text.includes(q)) continue;
    matches.add(i);
    for (let a = i; a >= 0 && !keep[a]; a = nodes[a].parent) keep[a] = 1;
  }
  for (let i = 0; i < nodes.length; i++) if (keep[i]) rows.push(i);
  return { rows, matches };
}

/** Ancestors of a node, nearest first. */
export function ancestorsOf(tree: TraceTree, index: number): number[] {
  const out: number[] = [];
  for (let p = tree.nodes[index]?.parent ?? -1; p >= 0; p = tree.nodes[p].parent) out.push(p);
  return out;
}

/** The collapsed set without the ancestors of `index` (so that the node shows). */
export function revealNode(
  tree: TraceTree,
  collapsed: readonly string[],
  index: number,
): string[] {
  const open = new Set(ancestorsOf(tree, index).map((i) => tree.nodes[i].id));
  return collapsed.filter((id) => !open.has(id));
}

/** A waterfall bar's CSS left and width (%), at least `minPct` wide so that it shows. */
export function barStyle(node: TreeNode, minPct = 0.15): { left: string; width: string } {
  const left = Math.min(Math.max(node.left * 100, 0), 100);
  const width = Math.max(Math.min(node.width * 100, 100 - left), minPct);
  return { left: `${left.toFixed(3)}%`, width: `${width.toFixed(3)}%` };
}
