/**
 * CRC-32C of kafkajs's record batches in WebAssembly (hash-wasm) instead of kafkajs's
 * byte-at-a-time JavaScript loop, which cost 8-12 µs of the event loop per 3 KB span row
 * produced (0.8-1.2 s per 100,000 OTLP spans in a V8 profile); the WebAssembly CRC is about
 * four times faster.
 *
 * kafkajs's record batch encoder takes the function from its module `recordBatch/crc32C`
 * when it is loaded, so this module must be imported before `kafkajs` (kafka.ts imports it
 * first): it loads that module and replaces its exports with a function that delegates to
 * the WebAssembly CRC once `useWasmCrc32c()` has loaded it, and to kafkajs's own until then.
 * The broker checks every batch's CRC, so a wrong one fails every produce of the suite.
 */
import "kafkajs/src/protocol/recordBatch/crc32C/index.js";
import Module from "node:module";
import { createCRC32, type IHasher } from "hash-wasm";

/** CRC-32C's (Castagnoli's) reversed polynomial, as hash-wasm takes it. */
const CASTAGNOLI = 0x82f63b78;

type Crc = (bytes: Uint8Array) => number;

const cache = (Module as unknown as { _cache?: Record<string, { exports: unknown }> })._cache;
const entry = Object.entries(cache ?? {})
  .find(([path]) => path.replaceAll("\\", "/").endsWith("/recordBatch/crc32C/index.js"))?.[1];
const original = entry?.exports as Crc | undefined;

let hasher: IHasher | undefined;
let calls = 0;
let loading: Promise<void> | undefined;

function wasmCrc(bytes: Uint8Array): number {
  const h = hasher!;
  h.init();
  h.update(bytes);
  const d = h.digest("binary");
  return ((d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]) >>> 0;
}

/** What kafkajs's encoder now calls. */
export function kafkaCrc32c(bytes: Uint8Array): number {
  calls++;
  return hasher ? wasmCrc(bytes) : original!(bytes);
}

if (entry && typeof original === "function") entry.exports = kafkaCrc32c;

/**
 * Loads the WebAssembly CRC (once); kafkajs's encoder uses it from then on. False when
 * kafkajs's module was not found to patch (another kafkajs layout): its own CRC stays.
 */
export async function useWasmCrc32c(): Promise<boolean> {
  if (entry?.exports !== kafkaCrc32c) return false;
  loading ??= createCRC32(CASTAGNOLI).then((h) => {
    hasher = h;
  });
  await loading;
  return true;
}

/** Which CRC kafkajs's record batches get: "wasm", "kafkajs" (not yet loaded) or "unpatched". */
export function kafkaCrcImplementation(): "wasm" | "kafkajs" | "unpatched" {
  if (entry?.exports !== kafkaCrc32c) return "unpatched";
  return hasher ? "wasm" : "kafkajs";
}

/** How many CRCs kafkajs asked of kafkaCrc32c in this process (it is the one in use). */
export function kafkaCrcCalls(): number {
  return calls;
}
