/** Small helpers for throughput and latency figures. */

/** The q-quantile (0..1) of `values` (sorted copy). */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** Runs `op` from `concurrency` loops for `durationMs`; returns completed ops per second. */
export async function throughput(
  op: () => Promise<unknown>,
  options: { concurrency: number; durationMs: number },
): Promise<{ ops: number; perSecond: number }> {
  let ops = 0;
  const start = performance.now();
  const end = start + options.durationMs;
  await Promise.all(Array.from({ length: options.concurrency }, async () => {
    while (performance.now() < end) {
      await op();
      ops++;
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  return { ops, perSecond: ops / seconds };
}

/** Formats a number with thousands separators and no decimals. */
export function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
