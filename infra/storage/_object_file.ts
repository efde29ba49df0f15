/**
 * One object as one file: a fixed 4 KiB header holding the metadata as JSON (key, size,
 * etag, content type, time), then the bytes. Keeping the metadata in the same file as the
 * bytes means one rename commits both: a reader sees the old object or the new one, never
 * new bytes with old metadata. Files are written to a temp path, fsynced, then renamed.
 */
import { createHash } from "node:crypto";
import type { UploadBody } from "./mod.ts";

/** Bytes before an object's first byte. */
export const HEADER_BYTES = 4096;

const FORMAT = "coze-loop-object/1";

/** The metadata of a stored object. */
export interface ObjectMeta {
  key: string;
  size: number;
  /** MD5 of the bytes in quotes, like S3's ETag of a single-part upload. */
  etag: string;
  contentType?: string;
  /** Epoch ms of the upload. */
  lastModified: number;
}

/** Writes `body` to `tmp`, then renames it to `path`; `tmp` is removed on any failure. */
export async function writeObjectFile(
  tmp: string,
  path: string,
  body: UploadBody,
  meta: { key: string; contentType?: string },
): Promise<ObjectMeta> {
  const file = await Deno.open(tmp, { write: true, createNew: true });
  let open = true;
  try {
    const md5 = createHash("md5");
    let size = 0;
    const put = async (chunk: Uint8Array) => {
      md5.update(chunk);
      size += chunk.byteLength;
      await writeAll(file, chunk);
    };
    await file.seek(HEADER_BYTES, Deno.SeekMode.Start);
    if (body instanceof ReadableStream) await pump(body, put);
    else await put(typeof body === "string" ? new TextEncoder().encode(body) : body);
    const stored: ObjectMeta = {
      ...meta,
      size,
      etag: `"${md5.digest("hex")}"`,
      lastModified: Date.now(),
    };
    await file.seek(0, Deno.SeekMode.Start);
    await writeAll(file, encodeHeader(stored));
    await file.syncData();
    file.close();
    open = false;
    await Deno.rename(tmp, path);
    return stored;
  } catch (err) {
    if (open) file.close();
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

/** Opens the object file at `path` positioned at its first byte; NotFound when absent. */
export async function openObjectFile(
  path: string,
  key: string,
): Promise<{ file: Deno.FsFile; meta: ObjectMeta }> {
  const file = await Deno.open(path, { read: true });
  try {
    const header = new Uint8Array(HEADER_BYTES);
    let at = 0;
    while (at < HEADER_BYTES) {
      const n = await file.read(header.subarray(at));
      if (n === null) throw corrupt(path, "it is shorter than its header");
      at += n;
    }
    const meta = decodeHeader(header, path);
    if (meta.key !== key) throw corrupt(path, `it holds key ${JSON.stringify(meta.key)}`);
    const { size } = await file.stat();
    if (size !== HEADER_BYTES + meta.size) {
      throw corrupt(path, `it has ${size - HEADER_BYTES} bytes, its header says ${meta.size}`);
    }
    return { file, meta };
  } catch (err) {
    file.close();
    throw err;
  }
}

/** The header of `meta`: JSON padded with spaces to HEADER_BYTES, ending in a newline. */
function encodeHeader(meta: ObjectMeta): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify({ format: FORMAT, ...meta }));
  if (json.length >= HEADER_BYTES) {
    throw new RangeError(`The metadata of "${meta.key}" does not fit in ${HEADER_BYTES} bytes`);
  }
  const header = new Uint8Array(HEADER_BYTES).fill(0x20);
  header.set(json);
  header[HEADER_BYTES - 1] = 0x0a;
  return header;
}

function decodeHeader(header: Uint8Array, path: string): ObjectMeta {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(new TextDecoder().decode(header));
  } catch {
    throw corrupt(path, "its header is not JSON");
  }
  if (
    m?.format !== FORMAT || typeof m.key !== "string" || !Number.isSafeInteger(m.size) ||
    typeof m.etag !== "string" || typeof m.lastModified !== "number" ||
    (m.contentType !== undefined && typeof m.contentType !== "string")
  ) throw corrupt(path, `its header is not a ${FORMAT} header`);
  return m as unknown as ObjectMeta;
}

function corrupt(path: string, why: string): Error {
  return new Error(`Object file ${path} is damaged: ${why}`);
}

async function pump(
  body: ReadableStream<Uint8Array>,
  put: (chunk: Uint8Array) => Promise<void>,
): Promise<void> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (!(value instanceof Uint8Array)) throw new TypeError("Upload streams must yield bytes");
      await put(value);
    }
  } catch (err) {
    // Our side failed (disk, a bad chunk): tell the source to stop. A failed source ignores it.
    await reader.cancel(err).catch(() => {});
    throw err;
  } finally {
    reader.releaseLock();
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += await file.write(bytes.subarray(at));
}
