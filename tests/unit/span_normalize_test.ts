import assert from "node:assert/strict";
import { MAX_TEXT_BYTES, normalizeSpan } from "../../domains/observability/normalize.ts";

const NOW = 1_750_000_000_000_000;
const base = {
  trace_id: "0af7651916cd43dd8448eb211c80319c",
  span_id: "b7ad6b7169203331",
  parent_id: "0",
  started_at_micros: NOW - 5_000_000,
  duration_micros: 1234,
  workspace_id: "7300000000000000001",
  span_name: "chat",
  span_type: "model",
  status_code: 0,
  input: "hi",
  output: "hello",
};

Deno.test("normalize: a valid span maps field by field", () => {
  const n = normalizeSpan({
    ...base,
    log_id: "log-1",
    service_name: "svc",
    tags_string: { model_name: "gpt-4o" },
    tags_long: { input_tokens: 10, big: "9223372036854775807" },
    tags_double: { temperature: 0.5 },
    tags_bool: { stream: true },
    system_tags_string: { runtime: "node" },
  }, NOW);
  assert.ok("row" in n);
  const r = n.row;
  assert.deepEqual(n.repairs, []);
  assert.equal(r.trace_id, base.trace_id);
  assert.equal(r.start_time, base.started_at_micros);
  assert.equal(r.duration, 1234);
  assert.equal(r.logid, "log-1");
  assert.equal(r.psm, "svc");
  assert.equal(r.space_id, base.workspace_id);
  assert.deepEqual(r.tags_long, { input_tokens: 10, big: "9223372036854775807" });
  assert.deepEqual(r.tags_bool, { stream: 1 });
  assert.deepEqual(r.tags_float, { temperature: 0.5 });
  assert.equal(r.ingest_time, NOW);
});

Deno.test("normalize: repairable spans are repaired, the rest dropped with a reason", () => {
  const older = normalizeSpan({ ...base, duration_micros: undefined, duration: "77" }, NOW);
  assert.ok("row" in older && older.row.duration === 77, "older clients' duration");
  const fixed = normalizeSpan({
    ...base,
    trace_id: base.trace_id.toUpperCase(),
    parent_id: "not-hex",
    input: { messages: [1] },
    output: "x".repeat(MAX_TEXT_BYTES + 10),
    tags_long: { n: 1.5, ok: 2 },
    tags_string: { obj: { a: 1 } as never },
    status_code: "boom" as never,
  }, NOW);
  assert.ok("row" in fixed);
  assert.equal(fixed.row.trace_id, base.trace_id, "ids lowercased");
  assert.equal(fixed.row.parent_id, "0");
  assert.equal(fixed.row.input, '{"messages":[1]}');
  assert.equal(fixed.row.output.length, MAX_TEXT_BYTES);
  assert.deepEqual(fixed.row.tags_long, { ok: 2 });
  assert.equal(fixed.row.tags_string.obj, '{"a":1}');
  assert.equal(fixed.row.status_code, 0);
  assert.ok(fixed.repairs.length >= 4);
  for (
    const [bad, reason] of [
      [null, /not an object/],
      [{ ...base, trace_id: "xyz" }, /trace_id/],
      [{ ...base, span_id: "" }, /span_id/],
      [{ ...base, started_at_micros: undefined }, /started_at_micros/],
      [{ ...base, started_at_micros: NOW / 1000 }, /started_at_micros/], // ms by mistake
      [{ ...base, started_at_micros: NOW + 10 * 86_400_000_000 }, /started_at_micros/],
    ] as const
  ) {
    const n = normalizeSpan(bad, NOW);
    assert.ok("dropped" in n, JSON.stringify(bad)?.slice(0, 80));
    assert.match(n.dropped, reason);
  }
});
