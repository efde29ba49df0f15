/**
 * The V8 heap the server's code holds before it does anything: main.ts and everything it
 * imports, after two full collections. This is what every major collection marks at least.
 * Usage: deno task bench startup-heap
 */
await import("../../main.ts");
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --v8-flags=--expose-gc");
gc();
gc();
const { heapUsed, heapTotal } = Deno.memoryUsage();
console.log(
  `V8 heap after importing main.ts: ${(heapUsed / 1048576).toFixed(1)} MiB used, ` +
    `${(heapTotal / 1048576).toFixed(1)} MiB committed`,
);
