/**
 * Records of an import file, streamed: CSV (a header row, quoted fields with newlines, loose
 * quotes accepted as the reference's reader does) through csv-parse, or JSON Lines (one
 * object per line; nested values kept as JSON text). Each record carries its data row index
 * and the byte offset just past it, which a checkpoint stores; a bad row yields an error for
 * that row, a malformed file throws `MalformedFile` (the job fails with its reason).
 */
import { parse } from "csv-parse/stream";
import type { Checkpoint } from "./io_types.ts";

/** Largest CSV record or JSON line (bytes): past it the file is malformed. */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;

/** One data row: its values by column name, or why it cannot be read. */
export interface FileRecord {
  row: number;
  /** Byte offset just past the record. */
  next: number;
  values?: Map<string, string>;
  error?: string;
}

/** A file that cannot be read as its format. */
export class MalformedFile extends Error {}

/** Where reading starts, and the encoding; `header` is set by the reader when it reads it. */
export interface ReadStart extends Checkpoint {
  encoding: "utf-8" | "gb18030";
}

/** CSV records from `body` (which starts at `start.offset` of the file). */
export async function* csvRecords(
  body: ReadableStream<Uint8Array>,
  start: ReadStart,
): AsyncGenerator<FileRecord> {
  const decoder = new TextDecoder(start.encoding, { fatal: true });
  const parser = parse({
    info: true,
    encoding: null,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    record_delimiter: ["\r\n", "\n"],
    max_record_size: MAX_RECORD_BYTES,
  });
  let row = start.row;
  const base = start.offset;
  const stream = body.pipeThrough(parser) as ReadableStream<
    { info: { bytes: number; lines: number }; record: Uint8Array[] }
  >;
  try {
    for await (const { info, record } of stream) {
      const next = base + info.bytes;
      if (!start.header) {
        start.header = header(record.map((f) => decodeText(decoder, f)));
        continue;
      }
      const cols = start.header;
      const index = row++;
      // Fewer columns: the missing ones are empty (spreadsheets drop trailing empty cells).
      if (record.length > cols.length) {
        yield {
          row: index,
          next,
          error: `${record.length} columns, the header has ${cols.length}`,
        };
        continue;
      }
      try {
        const values = new Map<string, string>();
        record.forEach((f, i) => {
          if (i < cols.length && !values.has(cols[i])) values.set(cols[i], decodeText(decoder, f));
        });
        yield { row: index, next, values };
      } catch (err) {
        yield { row: index, next, error: (err as Error).message };
      }
    }
  } catch (err) {
    if (err instanceof MalformedFile) throw err;
    const e = err as { code?: string; message?: string };
    if (e.code?.startsWith("CSV_")) {
      throw new MalformedFile(`not a readable CSV file after row ${row}: ${e.message}`);
    }
    throw err;
  }
  if (!start.header) throw new MalformedFile("the CSV file is empty: no header row");
}

function header(names: string[]): string[] {
  const cols = names.map((n) => n.trim());
  if (!cols.some((c) => c)) throw new MalformedFile("the CSV header row has no column name");
  return cols;
}

function decodeText(decoder: TextDecoder, bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new Error(`a value is not valid ${decoder.encoding} text`);
  }
}

/** JSON Lines records from `body` (which starts at `start.offset` of the file). */
export async function* jsonlRecords(
  body: ReadableStream<Uint8Array>,
  start: ReadStart,
): AsyncGenerator<FileRecord> {
  const decoder = new TextDecoder(start.encoding, { fatal: true });
  let row = start.row;
  let offset = start.offset;
  let parts: Uint8Array[] = [];
  let size = 0;
  let tooLong = false;
  const line = (next: number): FileRecord | undefined => {
    const bytes = parts.length === 1 ? parts[0] : concat(parts, size);
    parts = [];
    size = 0;
    const rec = lineRecord(decoder, bytes, tooLong, { row, next });
    tooLong = false;
    if (!rec) return undefined;
    if (rec.row === 0 && rec.error && !rec.values) {
      throw new MalformedFile(`not a JSON Lines file: line 1 is not a JSON object (${rec.error})`);
    }
    row++;
    return rec;
  };
  for await (const chunk of body) {
    let from = 0;
    while (from < chunk.length) {
      const nl = chunk.indexOf(0x0a, from);
      const end = nl < 0 ? chunk.length : nl;
      if (!tooLong) {
        if (size + end - from > MAX_RECORD_BYTES) {
          tooLong = true;
          parts = [];
          size = 0;
        } else if (end > from) {
          parts.push(chunk.subarray(from, end));
          size += end - from;
        }
      }
      offset += end - from;
      if (nl < 0) break;
      offset += 1;
      from = nl + 1;
      const rec = line(offset);
      if (rec) yield rec;
    }
  }
  const last = line(offset);
  if (last) yield last;
}

function lineRecord(
  decoder: TextDecoder,
  bytes: Uint8Array,
  tooLong: boolean,
  at: { row: number; next: number },
): FileRecord | undefined {
  if (tooLong) return { ...at, error: `the line is longer than ${MAX_RECORD_BYTES} bytes` };
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { ...at, error: `the line is not valid ${decoder.encoding} text` };
  }
  if (!text.trim()) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { ...at, error: `not JSON: ${(err as Error).message.slice(0, 200)}` };
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    return { ...at, error: "the line is not a JSON object" };
  }
  const values = new Map<string, string>();
  for (const [k, x] of Object.entries(v)) {
    if (x === null || x === undefined) continue;
    values.set(k, typeof x === "string" ? x : JSON.stringify(x));
  }
  return { ...at, values };
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
