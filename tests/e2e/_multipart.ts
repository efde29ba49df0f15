/**
 * Upload helpers for end-to-end tests: multipart bodies built by hand (field order, file
 * names and escaping under the test's control, any size streamed), SHA-256 of streams,
 * and the resident memory of a process.
 */
import { createHash } from "node:crypto";

/** One part of a multipart form. */
export type FormPart =
  | { name: string; value: string }
  | {
    name: string;
    filename: string;
    data: Uint8Array | AsyncIterable<Uint8Array>;
    /** The part's Content-Type (default application/octet-stream). */
    contentType?: string;
  };

const enc = new TextEncoder();

/**
 * A `multipart/form-data` body streamed from `parts`, in order. File names are quoted the way
 * Go's mime/multipart does (backslash and double quote escaped).
 */
export function multipartBody(
  parts: FormPart[],
): { body: ReadableStream<Uint8Array>; type: string } {
  const boundary = `----e2e${crypto.randomUUID().replaceAll("-", "")}`;
  async function* generate(): AsyncGenerator<Uint8Array> {
    for (const p of parts) {
      if ("value" in p) {
        yield enc.encode(
          `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`,
        );
        continue;
      }
      const quoted = p.filename.replaceAll("\\", "\\\\").replaceAll('"', '\\"');
      yield enc.encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${quoted}"` +
          `\r\nContent-Type: ${p.contentType ?? "application/octet-stream"}\r\n\r\n`,
      );
      if (p.data instanceof Uint8Array) yield p.data;
      else yield* p.data;
      yield enc.encode("\r\n");
    }
    yield enc.encode(`--${boundary}--\r\n`);
  }
  return {
    body: ReadableStream.from(generate()),
    type: `multipart/form-data; boundary=${boundary}`,
  };
}

/**
 * `size` deterministic pseudo-random bytes in 1 MiB chunks, hashed as they are produced;
 * with `bytesPerSecond`, produced no faster than that (like a client on a real network).
 */
export function generatedBytes(
  size: number,
  options: { seed?: number; bytesPerSecond?: number } = {},
): { chunks: AsyncIterable<Uint8Array>; sha256(): string } {
  const hash = createHash("sha256");
  const started = performance.now();
  async function* chunks(): AsyncGenerator<Uint8Array> {
    let x = (options.seed ?? 1) >>> 0 || 1;
    for (let sent = 0; sent < size;) {
      const chunk = new Uint8Array(Math.min(1024 * 1024, size - sent));
      const words = new Uint32Array(chunk.buffer, 0, chunk.length >>> 2);
      for (let i = 0; i < words.length; i++) {
        x ^= x << 13; // xorshift32: cheap bytes that compress badly
        x ^= x >>> 17;
        x ^= x << 5;
        words[i] = x;
      }
      hash.update(chunk);
      sent += chunk.length;
      if (options.bytesPerSecond) {
        const due = started + (sent / options.bytesPerSecond) * 1000;
        await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
      }
      yield chunk;
    }
  }
  let digest: string | undefined;
  return { chunks: chunks(), sha256: () => (digest ??= hash.digest("hex")) };
}

/** Hex SHA-256 of bytes or of a whole stream (read chunk by chunk). */
export async function sha256(data: Uint8Array | ReadableStream<Uint8Array>): Promise<string> {
  const hash = createHash("sha256");
  if (data instanceof Uint8Array) return hash.update(data).digest("hex");
  for await (const chunk of data) hash.update(chunk);
  return hash.digest("hex");
}

/** Resident set size of process `pid` in bytes (Linux `/proc/<pid>/status` VmRSS). */
export function rssBytes(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!m) throw new Error(`No VmRSS for process ${pid}`);
  return Number(m[1]) * 1024;
}

/** Samples the RSS of `pid` every `intervalMs` until stopped; returns the peak. */
export function sampleRss(pid: number, intervalMs = 50): { stop(): number } {
  let peak = rssBytes(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid));
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssBytes(pid));
    },
  };
}
