/** The ingestion topic's messages: JSON lines of whole rows, split below the message bound. */
import assert from "node:assert/strict";
import { MAX_MESSAGE_BYTES, packRows } from "../../domains/observability/span_lines.ts";
import type { SpanRow } from "../../domains/observability/types.ts";

const row = (i: number, input: string) => ({ span_id: `s${i}`, input }) as unknown as SpanRow;

Deno.test("packRows: every row once, as a line, in messages under the bound", () => {
  const rows = Array.from({ length: 700 }, (_, i) => row(i, (i % 7 ? "x" : 'é€\n"').repeat(i * 5)));
  const messages = packRows(rows);
  assert.ok(messages.length > 1, "rows of ~1.2 MB in all need several messages");
  const dec = new TextDecoder();
  const lines: string[] = [];
  for (const m of messages) {
    const text = dec.decode(m);
    assert.ok(text.endsWith("\n"), "a message ends with its last line's newline");
    // The bound is on UTF-16 length; a message passes it by at most its non-ASCII text.
    assert.ok(text.length <= MAX_MESSAGE_BYTES, `${text.length} characters`);
    lines.push(...text.slice(0, -1).split("\n"));
  }
  assert.deepEqual(lines.map((l) => JSON.parse(l)), rows);
  assert.deepEqual(packRows([]), []);
  assert.equal(dec.decode(packRows([row(1, "a")])[0]), '{"span_id":"s1","input":"a"}\n');
});
