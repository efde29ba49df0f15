/** The trace tree (ui/src/lib/trace_tree.ts): building, orphans, cycles, rows, waterfall. */
import assert from "node:assert/strict";
import {
  ancestorsOf,
  barStyle,
  buildTraceTree,
  revealNode,
  spanTokens,
  type TreeSpan,
  visibleRows,
} from "../../ui/src/lib/trace_tree.ts";

const span = (
  id: string,
  parent: string,
  start: number,
  duration = 10,
  extra: Partial<TreeSpan> = {},
): TreeSpan => ({
  span_id: id,
  parent_id: parent,
  span_name: `name-${id}`,
  span_type: "custom",
  started_at: String(1000 + start),
  duration: String(duration),
  status: "success",
  ...extra,
});

// root
// ├─ a (starts at 10)
// │  ├─ a1
// │  └─ a2
// └─ b (starts at 5: ordered before a)
const TRACE = [
  span("a1", "a", 12),
  span("root", "0", 0, 100),
  span("a", "root", 10, 50),
  span("b", "root", 5, 20, { span_type: "model", tags_string: { model_name: "gpt-4o" } }),
  span("a2", "a", 30, 5, { status: "error" }),
];

Deno.test("ui trace tree: depth-first order, children by start, subtree ranges", () => {
  const tree = buildTraceTree(TRACE);
  assert.deepEqual(tree.nodes.map((n) => n.id), ["root", "b", "a", "a1", "a2"]);
  assert.deepEqual(tree.nodes.map((n) => n.depth), [0, 1, 1, 2, 2]);
  assert.deepEqual(tree.nodes.map((n) => n.end), [5, 2, 5, 4, 5]);
  assert.deepEqual(tree.nodes.map((n) => n.childCount), [2, 0, 2, 0, 0]);
  assert.deepEqual(tree.nodes.map((n) => n.parent), [-1, 0, 0, 2, 2]);
  assert.equal(tree.byId.get("a1"), 3);
  assert.equal(tree.nodes[4].error, true);
  assert.equal(tree.start, 1000);
  assert.equal(tree.end, 1100);
  assert.equal(tree.orphans, 0);
});

Deno.test("ui trace tree: waterfall offsets are fractions of the whole trace", () => {
  const tree = buildTraceTree(TRACE);
  const a = tree.nodes[tree.byId.get("a")!];
  assert.equal(a.left, 0.1);
  assert.equal(a.width, 0.5);
  assert.deepEqual(barStyle(a), { left: "10.000%", width: "50.000%" });
  const zero = buildTraceTree([span("x", "0", 0, 0)]).nodes[0];
  assert.deepEqual(barStyle(zero), { left: "0.000%", width: "0.150%" }, "a minimum width");
  const late = { ...a, left: 0.999, width: 0.5 };
  assert.equal(barStyle(late).width, "0.150%", "never past the right edge, but visible");
});

Deno.test("ui trace tree: a missing parent makes an orphan; cycles are cut; duplicates kept once", () => {
  const tree = buildTraceTree([
    span("root", "0", 0),
    span("lost", "not-here", 1),
    span("c1", "c2", 2),
    span("c2", "c1", 3),
    span("root", "0", 50), // a duplicate delivery
  ]);
  assert.equal(tree.nodes.length, 4);
  assert.deepEqual(tree.nodes.map((n) => [n.id, n.depth, n.orphan]), [
    ["root", 0, false],
    ["lost", 0, true],
    ["c1", 0, true],
    ["c2", 1, false],
  ]);
  assert.equal(tree.orphans, 2);
  assert.equal(tree.nodes[2].childCount, 1);
  assert.equal(tree.nodes[3].childCount, 0, "the cycle's back edge is not a child");
  assert.equal(tree.nodes[0].start, 1000, "the first span of an id wins");
});

Deno.test("ui trace tree: a self-parented span and an empty trace", () => {
  const tree = buildTraceTree([span("s", "s", 0)]);
  assert.deepEqual(tree.nodes.map((n) => [n.id, n.depth]), [["s", 0]]);
  const empty = buildTraceTree([]);
  assert.deepEqual([empty.nodes.length, empty.start, empty.end], [0, 0, 0]);
  assert.deepEqual(visibleRows(empty, new Set()).rows, []);
});

Deno.test("ui trace tree: rows skip collapsed subtrees", () => {
  const tree = buildTraceTree(TRACE);
  assert.deepEqual(visibleRows(tree, new Set()).rows, [0, 1, 2, 3, 4]);
  assert.deepEqual(visibleRows(tree, new Set(["a"])).rows, [0, 1, 2]);
  assert.deepEqual(visibleRows(tree, new Set(["root"])).rows, [0]);
  assert.deepEqual(visibleRows(tree, new Set(["b"])).rows, [0, 1, 2, 3, 4], "a leaf has nothing");
});

Deno.test("ui trace tree: search shows matches and their ancestors, collapsed or not", () => {
  const tree = buildTraceTree(TRACE);
  const r = visibleRows(tree, new Set(["root", "a"]), " NAME-A2 ");
  assert.deepEqual(r.rows, [0, 2, 4]);
  assert.deepEqual([...r.matches], [4]);
  const byModel = visibleRows(tree, new Set(), "gpt-4o");
  assert.deepEqual(byModel.rows, [0, 1]);
  const byType = visibleRows(tree, new Set(), "model");
  assert.deepEqual([...byType.matches], [1]);
  assert.deepEqual(visibleRows(tree, new Set(), "nothing-like-it").rows, []);
});

Deno.test("ui trace tree: ancestors and revealing a node in collapsed parents", () => {
  const tree = buildTraceTree(TRACE);
  assert.deepEqual(ancestorsOf(tree, 3), [2, 0]);
  assert.deepEqual(ancestorsOf(tree, 0), []);
  assert.deepEqual(revealNode(tree, ["root", "a", "b"], 3), ["b"]);
});

Deno.test("ui trace tree: tokens from the tokens tag, else input plus output", () => {
  assert.equal(spanTokens(span("x", "0", 0, 1, { tags_long: { tokens: "37" } })), 37);
  assert.equal(
    spanTokens(span("x", "0", 0, 1, { tags_long: { input_tokens: "25", output_tokens: 12 } })),
    37,
  );
  assert.equal(spanTokens(span("x", "0", 0, 1)), 0);
});

Deno.test("ui trace tree: 10,000 spans, a 10,000-deep chain, built and flattened quickly", () => {
  const wide: TreeSpan[] = [span("r", "0", 0, 10_000)];
  for (let i = 0; i < 99; i++) {
    wide.push(span(`g${i}`, "r", i * 100, 90));
    for (let j = 0; j < 100; j++) wide.push(span(`g${i}-${j}`, `g${i}`, i * 100 + j, 1));
  }
  const t0 = performance.now();
  const tree = buildTraceTree(wide);
  const rows = visibleRows(tree, new Set(["g3"]), "");
  const built = performance.now() - t0;
  assert.equal(tree.nodes.length, 10_000);
  assert.equal(rows.rows.length, 10_000 - 100);
  assert.ok(built < 1000, `built in ${built.toFixed(0)} ms`);
  const chain = Array.from({ length: 10_000 }, (_, i) => span(`c${i}`, i ? `c${i - 1}` : "0", i));
  const deep = buildTraceTree(chain);
  assert.equal(deep.nodes[9_999].depth, 9_999);
  assert.equal(deep.nodes[0].end, 10_000);
  assert.deepEqual(visibleRows(deep, new Set(["c5000"])).rows.length, 5_001);
});
