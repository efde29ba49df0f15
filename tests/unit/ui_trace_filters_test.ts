/**
 * The traces page's filters and URL (ui/src/lib/span_filters.ts, trace_list.ts): the filter
 * tree to and from its compact URL form and its wire shape, time presets, columns, paging.
 */
import assert from "node:assert/strict";
import {
  addCondition,
  countConditions,
  decodeFilters,
  describeCondition,
  describeFilters,
  emptyFilters,
  encodeFilters,
  type FilterCondition,
  type FilterGroup,
  fromWire,
  opsFor,
  pruneFilters,
  toWire,
} from "../../ui/src/lib/span_filters.ts";
import {
  asTraceId,
  colsParam,
  columnsOf,
  DEFAULT_COLUMNS,
  formatDuration,
  formatTokens,
  nextPage,
  previousPage,
  spanKind,
  spanListType,
  timeRange,
  toggleColumn,
  TRACES_URL,
} from "../../ui/src/lib/trace_list.ts";
import { patchUrlState, readUrlState } from "../../ui/src/lib/url_state.ts";

const cond = (
  field: string,
  op: FilterCondition["op"],
  values: string[],
  type: FilterCondition["type"] = "string",
): FilterCondition => ({ kind: "cond", field, op, values, type });

const NESTED: FilterGroup = {
  kind: "group",
  rel: "and",
  items: [
    cond("span_type", "eq", ["model"]),
    {
      kind: "group",
      rel: "or",
      items: [
        cond("status", "eq", ["error"]),
        cond("tokens", "gt", ["100"], "long"),
        { kind: "group", rel: "and", items: [cond("stream", "eq", ["true"], "bool")] },
      ],
    },
    cond("error", "exist", []),
    cond("app.score", "exist", [], "double"),
  ],
};

Deno.test("ui trace filters: the compact form reads like the tree", () => {
  assert.equal(
    encodeFilters(NESTED),
    "span_type~eq~model,or(status~eq~error,tokens~gt~100~long,and(stream~eq~true~bool))," +
      "error~exist,app.score~exist~~double",
  );
  assert.deepEqual(decodeFilters(encodeFilters(NESTED)), NESTED);
  const or: FilterGroup = { kind: "group", rel: "or", items: [cond("a", "eq", ["1"])] };
  assert.equal(encodeFilters(or), "or(a~eq~1)");
  assert.deepEqual(decodeFilters("or(a~eq~1)"), { kind: "group", rel: "and", items: [or] });
  assert.equal(encodeFilters(emptyFilters()), "");
  assert.deepEqual(decodeFilters(""), emptyFilters());
  assert.deepEqual(decodeFilters(undefined), emptyFilters());
});

Deno.test("ui trace filters: reserved characters and several values survive the round trip", () => {
  const odd: FilterGroup = {
    kind: "group",
    rel: "and",
    items: [
      cond("tag~with,odd(chars)|!", "in", ["a,b", "c|d", "(e)", "f~g", "100%!", "naïve 💡"]),
      cond("input", "match", ["and(", "or(x)"]),
    ],
  };
  const text = encodeFilters(odd);
  assert.equal(text.split("~")[0], "tag!7ewith!2codd!28chars!29!7c!21");
  assert.deepEqual(decodeFilters(text), odd);
  // Through the URL as the page writes it (URLSearchParams encodes the rest).
  const q = patchUrlState("", TRACES_URL, { filters: text });
  assert.deepEqual(decodeFilters(readUrlState(q.toString(), TRACES_URL).filters), odd);
});

Deno.test("ui trace filters: malformed text reads as undefined", () => {
  for (
    const bad of [
      "a",
      "a~nope~1",
      "a~eq",
      "~eq~1",
      "a~eq~1,",
      ",a~eq~1",
      "or(a~eq~1",
      "or(a~eq~1))",
      "a~eq~1~long~x",
      "a~eq~1~string",
      "a~exist~1",
      "a~exist~x~long",
      "a~eq~1~int",
      "a~eq~!zz",
      "a~eq~!",
      "and(and(and(and(and(a~eq~1)))))",
    ]
  ) {
    assert.equal(decodeFilters(bad), undefined, bad);
  }
  assert.ok(decodeFilters("and(and(and(and(a~eq~1))))"), "five levels are allowed");
});

Deno.test("ui trace filters: the wire tree, both ways", () => {
  const wire = toWire(NESTED)!;
  assert.deepEqual(wire.filter_fields[0], {
    field_name: "span_type",
    field_type: "string",
    query_type: "eq",
    values: ["model"],
  });
  assert.equal(wire.query_and_or, "and");
  assert.equal(wire.filter_fields[1].sub_filter?.query_and_or, "or");
  assert.deepEqual(fromWire(wire), NESTED);
  assert.equal(toWire(emptyFilters()), undefined);
  // A field with both a condition and a sub_filter (as other clients send) is a group.
  const mixed = fromWire({
    filter_fields: [{
      field_name: "a",
      query_type: "eq",
      values: ["1"],
      query_and_or: "or",
      sub_filter: { filter_fields: [{ field_name: "b", query_type: "eq", values: ["2"] }] },
    }],
  });
  assert.deepEqual(mixed.items[0], {
    kind: "group",
    rel: "or",
    items: [cond("a", "eq", ["1"]), { kind: "group", rel: "and", items: [cond("b", "eq", ["2"])] }],
  });
});

Deno.test("ui trace filters: incomplete conditions are left out; adding one", () => {
  const g: FilterGroup = {
    kind: "group",
    rel: "and",
    items: [
      cond("", "eq", ["x"]),
      cond("a", "eq", []),
      cond("b", "eq", [""]),
      cond("c", "exist", ["stale"]),
      { kind: "group", rel: "or", items: [cond("", "eq", [])] },
    ],
  };
  assert.deepEqual(pruneFilters(g).items, [cond("c", "exist", [])]);
  assert.equal(encodeFilters(g), "c~exist");
  assert.equal(countConditions(NESTED), 6);
  const added = addCondition(emptyFilters(), cond("model_name", "eq", ["gpt-4o"]));
  assert.equal(encodeFilters(added), "model_name~eq~gpt-4o");
  const or: FilterGroup = { kind: "group", rel: "or", items: [cond("a", "eq", ["1"])] };
  assert.equal(encodeFilters(addCondition(or, cond("b", "eq", ["2"]))), "or(a~eq~1),b~eq~2");
  assert.deepEqual(opsFor("bool"), ["eq", "not_eq", "exist", "not_exist"]);
  assert.ok(!opsFor("string").includes("gt") && opsFor("long").includes("gt"));
  assert.ok(!opsFor("double").includes("match"));
});

Deno.test("ui trace list: every state of the page in the URL, defaults left out", () => {
  const q = patchUrlState("", TRACES_URL, {
    time: "1h",
    type: "llm",
    filters: "span_type~eq~model",
    cols: ["start", "name"],
    page: ["tok1", "tok2"],
    trace_id: "ab".repeat(16),
    span_id: "cd".repeat(8),
    q: "chat",
    collapsed: ["s1", "s2"],
    fmt: "raw",
    builder: true,
  });
  const back = readUrlState(q.toString(), TRACES_URL);
  assert.deepEqual(back, {
    time: "1h",
    start: undefined,
    end: undefined,
    type: "llm",
    filters: "span_type~eq~model",
    builder: true,
    cols: ["start", "name"],
    page: ["tok1", "tok2"],
    trace_id: "ab".repeat(16),
    span_id: "cd".repeat(8),
    q: "chat",
    collapsed: ["s1", "s2"],
    fmt: "raw",
  });
  const defaults = patchUrlState("", TRACES_URL, { time: "1d", type: "root", fmt: "pretty" });
  assert.equal(defaults.toString(), "");
});

Deno.test("ui trace list: time presets and custom ranges", () => {
  const now = 10_000_000_000;
  assert.deepEqual(timeRange("1h", undefined, undefined, now), {
    start: now - 3_600_000,
    end: now,
  });
  assert.deepEqual(timeRange("nope", undefined, undefined, now), {
    start: now - 86_400_000,
    end: now,
  });
  assert.deepEqual(timeRange("custom", 5, 9, now), { start: 5, end: 9 });
  assert.deepEqual(timeRange("custom", 9, 5, now).end, now, "a reversed range is ignored");
  assert.equal(spanListType("llm"), "llm_span");
  assert.equal(spanListType("whatever"), "root_span");
});

Deno.test("ui trace list: columns, pages, formats, trace ids", () => {
  assert.deepEqual(columnsOf(undefined).map((c) => c.id), DEFAULT_COLUMNS);
  assert.deepEqual(columnsOf(["nope", "span_id", "name"]).map((c) => c.id), ["span_id", "name"]);
  assert.deepEqual(columnsOf(["nope"]).map((c) => c.id), DEFAULT_COLUMNS);
  assert.equal(colsParam(DEFAULT_COLUMNS), undefined);
  assert.deepEqual(toggleColumn(["name", "start"], "trace_id"), ["start", "name", "trace_id"]);
  assert.deepEqual(toggleColumn(["name", "start"], "name"), ["start"]);
  assert.deepEqual(nextPage(undefined, "t1"), ["t1"]);
  assert.deepEqual(nextPage(["t1"], "t2"), ["t1", "t2"]);
  assert.deepEqual(previousPage(["t1", "t2"]), ["t1"]);
  assert.equal(previousPage(["t1"]), undefined);
  assert.deepEqual(
    [0, 0.5, 850, 1250, 12_500, 125_000, 7_260_000].map(formatDuration),
    ["0 ms", "<1 ms", "850 ms", "1.25 s", "12.5 s", "2 min 5 s", "2 h 1 min"],
  );
  assert.deepEqual([0, 37, 12_345].map(formatTokens), ["", "37", "12.3k"]);
  assert.equal(asTraceId(" AB".padEnd(33, "c")), "ab".padEnd(32, "c"));
  assert.equal(asTraceId("not a trace"), undefined);
});

Deno.test("ui trace filters: described as people read them", () => {
  assert.equal(
    describeFilters(NESTED),
    "span_type = model and (status = error or tokens > 100 or stream = true) and error exists" +
      " and app.score exists",
  );
  assert.equal(describeFilters(emptyFilters()), "");
  assert.equal(describeCondition(cond("a", "in", ["1", "2"])), "a is any of (1, 2)");
});

Deno.test("ui trace list: span types by family", () => {
  assert.deepEqual(
    ["model", "LLMCall", "tool", "agent", "prompt_hub", "vector_retriever", "whatever"].map(
      spanKind,
    ),
    ["model", "model", "tool", "agent", "prompt", "retrieval", "custom"],
  );
});
