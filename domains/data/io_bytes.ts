/**
 * Bytes of an uploaded file as a job reads them: from a byte offset (a resumed job skips
 * what it already read, without keeping it), with the text encoding decided once from a
 * prefix (a UTF-8 byte order mark is skipped; strict UTF-8, else GB18030, which covers GBK),
 * and a quick count of records for the progress total. Nothing holds the whole file.
 */

/** Bytes read to decide the encoding. */
export const DETECT_PREFIX_BYTES = 64 * 1024;

const BOM = [0xef, 0xbb, 0xbf];

/** The stream without its first `offset` bytes. */
export function skipBytes(
  body: ReadableStream<Uint8Array>,
  offset: number,
): ReadableStream<Uint8Array> {
  if (offset <= 0) return body;
  let left = offset;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, c) {
        if (left >= chunk.length) {
          left -= chunk.length;
          return;
        }
        c.enqueue(left > 0 ? chunk.subarray(left) : chunk);
        left = 0;
      },
    }),
  );
}

/** The first bytes of a stream, and a stream of all of them (the prefix re-played). */
export async function peek(
  body: ReadableStream<Uint8Array>,
  bytes = DETECT_PREFIX_BYTES,
): Promise<{ prefix: Uint8Array; body: ReadableStream<Uint8Array> }> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  let done = false;
  while (n < bytes) {
    const r = await reader.read();
    if (r.done) {
      done = true;
      break;
    }
    chunks.push(r.value);
    n += r.value.length;
  }
  const prefix = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    prefix.set(c, at);
    at += c.length;
  }
  const replay = new ReadableStream<Uint8Array>({
    start(c) {
      if (prefix.length) c.enqueue(prefix);
      if (done) c.close();
    },
    async pull(c) {
      const r = await reader.read();
      if (r.done) c.close();
      else c.enqueue(r.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { prefix, body: replay };
}

/** Length of a UTF-8 byte order mark at the start (3), or 0. */
export function bomLength(prefix: Uint8Array): number {
  return BOM.every((b, i) => prefix[i] === b) ? 3 : 0;
}

/** The encoding of a file from its first bytes: UTF-8 when they are strict UTF-8. */
export function detectEncoding(prefix: Uint8Array): "utf-8" | "gb18030" {
  try {
    // stream: a multi-byte character cut at the prefix's end is not an error.
    new TextDecoder("utf-8", { fatal: true }).decode(prefix, { stream: true });
    return "utf-8";
  } catch {
    return "gb18030";
  }
}

/**
 * Records in a stream, for the progress total: non-blank lines outside double quotes (CSV),
 * or non-blank lines (JSONL). An estimate where quotes are irregular; the end corrects it.
 */
export async function countRecords(
  body: ReadableStream<Uint8Array>,
  o: { quotes: boolean },
): Promise<number> {
  let records = 0;
  let quoted = false;
  let filled = false;
  for await (const chunk of body) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === 0x22 && o.quotes) {
        quoted = !quoted;
        filled = true;
      } else if (b === 0x0a && !quoted) {
        if (filled) records++;
        filled = false;
      } else if (b !== 0x0d && b !== 0x20 && b !== 0x09) {
        filled = true;
      }
    }
  }
  return filled ? records + 1 : records;
}
