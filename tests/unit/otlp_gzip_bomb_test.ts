/**
 * Decompression bombs: the default cap is the body limit (20 MiB), and bombs refused at the
 * cap leave no dead output behind (memory outside V8's heap is freed at once, not at some
 * later garbage collection).
 */
import assert from "node:assert/strict";
import {
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  maybeGunzip,
  OtlpDecodeError,
} from "../../domains/observability/otlp/mod.ts";
import { MAX_BODY_BYTES } from "../../routes/app.ts";

async function gzipOf(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const tooLarge = (e: unknown) => e instanceof OtlpDecodeError && e.kind === "too_large";

Deno.test("gzip: the default cap is the body limit", async () => {
  assert.equal(DEFAULT_MAX_DECOMPRESSED_BYTES, MAX_BODY_BYTES);
  const atCap = await gzipOf(new Uint8Array(MAX_BODY_BYTES));
  assert.equal((await maybeGunzip(atCap, "gzip")).byteLength, MAX_BODY_BYTES);
  const past = await gzipOf(new Uint8Array(MAX_BODY_BYTES + 1));
  await assert.rejects(maybeGunzip(past, "gzip"), tooLarge);
});

Deno.test("gzip: refused bombs leave no dead output in memory", async () => {
  const bomb = await gzipOf(new Uint8Array(63 * 1024 * 1024)); // ~61 KiB on the wire
  const before = Deno.memoryUsage().external;
  for (let i = 0; i < 24; i++) await assert.rejects(maybeGunzip(bomb, "gzip"), tooLarge);
  const grown = (Deno.memoryUsage().external - before) / 2 ** 20;
  // Kept until a collection, 24 bombs' 20 MiB of output each would be about 480 MiB.
  assert.ok(grown < 64, `external memory grew by ${grown.toFixed(0)} MiB`);
});

Deno.test("gzip: a trailer that lies about the size is no way around the cap", async () => {
  const bomb = await gzipOf(new Uint8Array(16 * 1024 * 1024));
  const liar = bomb.slice();
  new DataView(liar.buffer, liar.byteLength - 4).setUint32(0, 1000, true); // claims 1,000 bytes
  await assert.rejects(maybeGunzip(liar, "gzip", { maxBytes: 1024 * 1024 }), tooLarge);
  const honest = await gzipOf(new TextEncoder().encode("hello"));
  const trailing = new Uint8Array([...honest, 0, 0, 0, 0]);
  await assert.rejects(maybeGunzip(trailing, "gzip"), (e: unknown) => {
    return e instanceof OtlpDecodeError && e.kind === "malformed";
  }, "trailing bytes are refused as before");
  assert.equal(new TextDecoder().decode(await maybeGunzip(honest, "gzip")), "hello");
});
