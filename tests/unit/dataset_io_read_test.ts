/** Import file reading: encodings, CSV quoting, JSON Lines, byte offsets that resume exactly. */
import assert from "node:assert/strict";
import {
  bomLength,
  countRecords,
  detectEncoding,
  peek,
  skipBytes,
} from "../../domains/data/io_bytes.ts";
import {
  csvRecords,
  type FileRecord,
  jsonlRecords,
  MalformedFile,
  type ReadStart,
} from "../../domains/data/io_read.ts";

const enc = new TextEncoder();

function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

async function read(
  bytes: Uint8Array,
  o: { csv: boolean; chunk?: number; start?: Partial<ReadStart> },
): Promise<{ records: FileRecord[]; start: ReadStart }> {
  const start: ReadStart = { offset: 0, row: 0, encoding: "utf-8", ...o.start };
  const body = skipBytes(chunked(bytes, o.chunk ?? 7), start.offset);
  const records: FileRecord[] = [];
  const gen = o.csv ? csvRecords(body, start) : jsonlRecords(body, start);
  for await (const r of gen) records.push(r);
  return { records, start };
}

const values = (rs: FileRecord[]) => rs.map((r) => r.values && Object.fromEntries(r.values));

Deno.test("csv: header, quoted newlines and quotes, CRLF, blank lines, loose quotes", async () => {
  const text = 'q,a\r\n"line 1\r\nline 2","say ""hi"""\r\n\r\nplain,a"b\n"x,y",\n';
  const { records, start } = await read(enc.encode(text), { csv: true });
  assert.deepEqual(start.header, ["q", "a"]);
  assert.deepEqual(values(records), [
    { q: "line 1\r\nline 2", a: 'say "hi"' },
    { q: "plain", a: 'a"b' },
    { q: "x,y", a: "" },
  ]);
  assert.deepEqual(records.map((r) => r.row), [0, 1, 2]);
  assert.equal(records.at(-1)!.next, enc.encode(text).length);
});

Deno.test("csv: offsets are the same whatever the chunks, and resume exactly", async () => {
  const rows = Array.from({ length: 50 }, (_, i) => `"r${i}\n中文",${i}`);
  const bytes = enc.encode(["a,b", ...rows].join("\n"));
  const whole = await read(bytes, { csv: true, chunk: bytes.length });
  for (const size of [1, 3, 64]) {
    const r = await read(bytes, { csv: true, chunk: size });
    assert.deepEqual(r.records.map((x) => x.next), whole.records.map((x) => x.next));
  }
  const cut = whole.records[19];
  const rest = await read(bytes, {
    csv: true,
    start: { offset: cut.next, row: cut.row + 1, header: ["a", "b"] },
  });
  assert.deepEqual(values(rest.records), values(whole.records.slice(20)));
  assert.equal(rest.records[0].row, 20);
});

Deno.test("csv: a row with more columns than the header is that row's error", async () => {
  const { records } = await read(enc.encode("a,b\n1,2,3\n4\n"), { csv: true });
  assert.match(records[0].error!, /3 columns, the header has 2/);
  assert.deepEqual(values(records)[1], { a: "4" });
});

Deno.test("csv: an unclosed quote or an empty file is malformed", async () => {
  await assert.rejects(read(enc.encode('a,b\n1,"open\n2,3\n'), { csv: true }), MalformedFile);
  await assert.rejects(read(new Uint8Array(), { csv: true }), MalformedFile);
});

Deno.test("encodings: BOM skipped, GBK/GB18030 detected, invalid text is a row error", async () => {
  const gbk = new Uint8Array([
    ...enc.encode("q,a\n"),
    0xd6,
    0xd0,
    0xce,
    0xc4,
    ...enc.encode(",1\n"),
  ]);
  assert.equal(detectEncoding(gbk), "gb18030");
  assert.equal(detectEncoding(enc.encode("héllo")), "utf-8");
  // A character cut at the prefix's end is still UTF-8.
  assert.equal(detectEncoding(enc.encode("中文").subarray(0, 4)), "utf-8");
  const r = await read(gbk, { csv: true, start: { encoding: "gb18030" } });
  assert.deepEqual(values(r.records), [{ q: "中文", a: "1" }]);
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode("q\nx\n")]);
  const p = await peek(chunked(bom, 2), 4);
  assert.equal(bomLength(p.prefix), 3);
  const skipped = await read(bom, { csv: true, start: { offset: 3 } });
  assert.deepEqual(skipped.start.header, ["q"]);
  const bad = await read(new Uint8Array([...enc.encode("q\n"), 0xff, 0x0a]), { csv: true });
  assert.match(bad.records[0].error!, /not valid utf-8/);
});

Deno.test("jsonl: nested values stay JSON, bad lines are row errors, offsets resume", async () => {
  const lines = [
    '{"q":"a","n":1,"o":{"x":[1,2]},"z":null}',
    "",
    "not json",
    "[1]",
    '{"q":"b"}',
  ];
  const bytes = enc.encode(lines.join("\r\n"));
  const { records } = await read(bytes, { csv: false, chunk: 5 });
  assert.deepEqual(values(records)[0], { q: "a", n: "1", o: '{"x":[1,2]}' });
  assert.match(records[1].error!, /not JSON/);
  assert.match(records[2].error!, /not a JSON object/);
  assert.deepEqual(records.map((r) => r.row), [0, 1, 2, 3]);
  const rest = await read(bytes, {
    csv: false,
    start: { offset: records[1].next, row: 2 },
  });
  assert.deepEqual(values(rest.records), [undefined, { q: "b" }]);
  await assert.rejects(read(enc.encode("oops\n{}\n"), { csv: false }), MalformedFile);
});

Deno.test("record counts for the progress total", async () => {
  const csv = enc.encode('a,b\n"x\ny",1\n\n2,3\n');
  assert.equal(await countRecords(chunked(csv, 3), { quotes: true }), 3);
  assert.equal(
    await countRecords(chunked(enc.encode('{"a":1}\n\n{"a":2}'), 2), { quotes: false }),
    2,
  );
});
