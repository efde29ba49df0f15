/**
 * otlpToRows: OTLP spans mapped straight to stored rows apply the ingestion's normalization
 * in the same pass, so a row is a fixed point of normalizeSpan (nothing left to repair), at
 * the limits too: tag counts and key lengths, long values, huge integers, start time range.
 */
import assert from "node:assert/strict";
import {
  decodeOtlpJson,
  type ExportTraceServiceRequestShape,
  type OtlpAnyValue,
  type OtlpSpan,
  otlpToRows,
  rowToInputSpan,
} from "../../domains/observability/otlp/mod.ts";
import { MAX_TAG_TEXT, MAX_TAGS, normalizeSpan } from "../../domains/observability/normalize.ts";

const NOW = 1_750_000_000_000_000;
const S = (value: string): OtlpAnyValue => ({ type: "string", value });

function request(spans: OtlpSpan[]): ExportTraceServiceRequestShape {
  const resource = new Map<string, OtlpAnyValue>([
    ["service.name", S("svc")],
    ["a.flag", { type: "bool", value: true }],
  ]);
  const scope = { name: "lib", version: "1", attributes: new Map() };
  return {
    resourceSpans: [{
      resource: { attributes: resource },
      scopeSpans: [{ scope, spans, schemaUrl: "" }],
      schemaUrl: "",
    }],
  };
}

const base: OtlpSpan = {
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  spanId: "00f067aa0ba902b7",
  parentSpanId: "",
  traceState: "",
  name: "  op  ",
  kind: 1,
  startTimeUnixNano: BigInt(NOW - 60_000_000) * 1000n,
  endTimeUnixNano: BigInt(NOW - 60_000_000) * 1000n + 5_000n,
  attributes: new Map(),
  events: [],
  links: [],
  status: { code: 0, message: "" },
};

function assertFixedPoints(req: ExportTraceServiceRequestShape) {
  const { rows } = otlpToRows(req, "7001", NOW);
  for (const row of rows) {
    const n = normalizeSpan(rowToInputSpan(row), NOW);
    assert.ok("row" in n);
    assert.deepEqual(n.repairs, []);
    assert.deepEqual(n.row, row);
  }
  return rows;
}

Deno.test("rows: the fixture's rows need no normalization", () => {
  const rows = assertFixedPoints(
    decodeOtlpJson(Deno.readTextFileSync(new URL("../fixtures/otlp_trace.json", import.meta.url))),
  );
  assert.equal(rows.length, 3);
  assert.ok(rows.every((r) => r.ingest_time === NOW && r.method === null));
});

Deno.test("rows: limits are applied while mapping", () => {
  const many = new Map<string, OtlpAnyValue>();
  many.set("7", S("an integer-like key comes first"));
  for (let i = 0; i < 300; i++) many.set(`k${i}`, S(`v${i}`));
  many.set("", S("empty key"));
  many.set("x".repeat(300), S("long key"));
  const odd = new Map<string, OtlpAnyValue>([
    ["big", { type: "double", value: 1e300 }],
    ["gen_ai.usage.input_tokens", S("99999999999999999999999")],
    ["huge", S("y".repeat(MAX_TAG_TEXT + 10))],
    ["flag", { type: "bool", value: false }],
    ["gen_ai.operation.name", S("  ")],
    ["service.name", S("  span-svc  ")],
    ["cozeloop.logid", S("  ")],
    ["cozeloop.workspace_id", S(" 7002 ")],
  ]);
  const [a, b, c] = assertFixedPoints(request([
    { ...base, attributes: many },
    { ...base, attributes: odd },
    { ...base, parentSpanId: base.spanId },
  ]));
  assert.equal(Object.keys(a.tags_string).length, MAX_TAGS);
  assert.equal(a.tags_string["7"], "an integer-like key comes first");
  assert.equal(a.span_name, "op");
  assert.deepEqual(a.system_tags_string["a.flag"], "true");
  assert.equal(b.tags_long.big, undefined, "beyond Int64: left out");
  assert.equal(b.tags_long.input_tokens, undefined);
  assert.equal(b.tags_string.huge.length, MAX_TAG_TEXT);
  assert.deepEqual(b.tags_bool, { flag: 0 });
  assert.deepEqual([b.span_type, b.psm, b.logid, b.space_id], ["custom", "span-svc", null, "7002"]);
  assert.equal(c.parent_id, "0", "its own parent: a root");
});

Deno.test("rows: start times before 2000 or over a day ahead are dropped with a reason", () => {
  const at = (us: number) => ({
    ...base,
    startTimeUnixNano: BigInt(us) * 1000n,
    endTimeUnixNano: BigInt(us) * 1000n + 1n,
  });
  const r = otlpToRows(request([at(600_000_000_000_000), at(NOW + 2 * 86_400_000_000)]), "7", NOW);
  assert.equal(r.rows.length, 0);
  assert.equal(r.dropped, 2);
  assert.match(r.reasons[0], /start time .* is before 2000 or over a day ahead/);
});
