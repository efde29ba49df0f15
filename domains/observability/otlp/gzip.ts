/** Content-Encoding handling for OTLP/HTTP bodies, with a cap against decompression bombs. */
import { OtlpDecodeError } from "./types.ts";

/** Default cap on a decompressed body: far above real batches, far below a memory problem. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

const FORMATS: Record<string, CompressionFormat> = {
  gzip: "gzip",
  "x-gzip": "gzip",
  deflate: "deflate",
};

/**
 * Decompresses `bytes` per a Content-Encoding header (gzip, and deflate for good measure);
 * returns them unchanged for no or `identity` encoding. Stops reading and throws
 * OtlpDecodeError ("too_large") as soon as the output passes `maxBytes`, so a bomb never
 * inflates in memory; corrupt input is "malformed", other encodings "unsupported_encoding".
 */
export async function maybeGunzip(
  bytes: Uint8Array,
  contentEncoding: string | null | undefined,
  opts: { maxBytes?: number } = {},
): Promise<Uint8Array> {
  const encoding = (contentEncoding ?? "").trim().toLowerCase();
  if (encoding === "" || encoding === "identity") return bytes;
  const format = FORMATS[encoding];
  if (format === undefined) {
    throw new OtlpDecodeError(`Unsupported Content-Encoding "${contentEncoding}"`, {
      kind: "unsupported_encoding",
    });
  }
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  const input = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream();
  const reader = input.pipeThrough(new DecompressionStream(format)).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      total += r.value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw new OtlpDecodeError(
          `Decompressed body is larger than the limit of ${maxBytes} bytes`,
          { kind: "too_large" },
        );
      }
      chunks.push(r.value);
    }
  } catch (e) {
    if (e instanceof OtlpDecodeError) throw e;
    const reason = e instanceof Error ? e.message : String(e);
    throw new OtlpDecodeError(`Cannot decompress ${encoding} body: ${reason}`, { cause: e });
  }
  return concat(chunks, total);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
