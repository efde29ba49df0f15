/** File cells of dataset jobs: values to cells and back, and error groups of a job. */
import assert from "node:assert/strict";
import { cellToValue, valueToCell } from "../../domains/data/io_values.ts";
import { addJobError, addRangeError, addRowError } from "../../domains/data/io_errors.ts";
import type { FieldSchema } from "../../domains/data/types.ts";

const field = (contentType: number, name = "f"): FieldSchema => ({
  key: name,
  name,
  description: "",
  contentType: contentType as FieldSchema["contentType"],
  hidden: false,
  status: 1,
});

Deno.test("cells: text as it is, media as JSON lists or bare keys, multi-part parts", () => {
  assert.deepEqual(cellToValue(field(1), " a,b "), { key: "f", content: " a,b " });
  assert.deepEqual(cellToValue(field(2), "pics/a.png"), {
    key: "f",
    attachments: [{ uri: "pics/a.png" }],
  });
  assert.deepEqual(cellToValue(field(2), '[{"name":"a.png","uri":"pics/a.png"}]'), {
    key: "f",
    attachments: [{ name: "a.png", uri: "pics/a.png", provider: undefined }],
  });
  assert.deepEqual(cellToValue(field(2), "  "), { key: "f" });
  const mp = cellToValue(
    field(100),
    '[{"content_type":"Text","content":"hi"},{"content_type":2,"attachments":["k.png"]}]',
  );
  assert.deepEqual(mp.parts?.map((p) => p.contentType), [1, 2]);
  assert.deepEqual(mp.parts?.[1].attachments, [{ uri: "k.png" }]);
  assert.throws(() => cellToValue(field(100), "not json"), /not JSON/);
  assert.throws(() => cellToValue(field(100), '{"a":1}'), /not a JSON list/);
});

Deno.test("cells: what an export writes, an import reads back", () => {
  const img = { key: "f", attachments: [{ provider: 5, name: "a.png", uri: "p/a.png", url: "x" }] };
  const cell = valueToCell(field(2), img);
  assert.deepEqual(cell, [{ name: "a.png", uri: "p/a.png" }]);
  assert.deepEqual(cellToValue(field(2), JSON.stringify(cell)).attachments, [
    { name: "a.png", uri: "p/a.png", provider: undefined },
  ]);
  assert.equal(valueToCell(field(1), undefined), "");
  assert.deepEqual(valueToCell(field(100), undefined), []);
});

Deno.test("error groups: counts, ten details at most, ranges merged, job failures", () => {
  let g = addRowError([], { type: 1, message: "bad", row: 0 });
  for (let i = 1; i < 15; i++) g = addRowError(g, { type: 1, message: "bad", row: i });
  assert.equal(g[0].errorCount, 15);
  assert.equal(g[0].details.length, 10);
  assert.match(g[0].summary, /^15 row\(s\) not imported: bad/);
  let r = addRangeError([], { type: 4, message: "full", start: 5, end: 9 });
  r = addRangeError(r, { type: 4, message: "full", start: 10, end: 19 });
  assert.deepEqual(r[0].details, [{ message: "full", startIndex: 5, endIndex: 19 }]);
  assert.equal(r[0].errorCount, 15);
  const j = addJobError(g, { type: 5, message: "not a CSV file" });
  assert.equal(j.length, 2);
  assert.equal(j[1].summary, "not a CSV file");
  assert.equal(g.length, 1, "the input is left as it is");
});
