/**
 * Paces V8's major garbage collections by external memory (ArrayBuffer backing stores).
 *
 * Ingestion moves every span through several byte buffers: the request body, its
 * decompressed form, the queue's messages and the writer's batches. Those that outlive two
 * young-generation collections (a batch waiting for its insert, a body across awaits) are
 * freed only by a major collection, and V8 schedules those by its own heap's growth, which
 * is small here (~85 MB): external memory climbed from ~40 to ~230 MB between collections
 * while ingesting (measured every 250 ms), and glibc keeps what a peak made resident.
 *
 * The pacer looks at `Deno.memoryUsage().external` on a timer and asks for a major collection
 * once it has grown by `growthMiB` since the last one. It needs V8's `gc` function (the
 * launcher passes `--expose-gc`); without it, it does nothing. User code never runs on this
 * V8 (code evaluators run on QuickJS), so exposing it gives no one else a handle.
 */

/**
 * The default growth (MiB) between paced collections. With the ClickHouse engine in this
 * process (zero-setup mode) its memory shares the budget, so buffers are freed early: 48 MiB
 * kept peak RSS under 800 MB over 100,000 and 1,000,000 OTLP spans. With a ClickHouse server
 * the process holds JavaScript and buffers only, and 48 MiB meant a forced collection every
 * ~100 ms while producing to Kafka (whose client copies each batch several times): 256 MiB
 * took the OTLP path's event loop from 7.2-7.4 to 6.5 s per 100,000 spans and its
 * acknowledged rate by ~20%, for ~120 MB more peak (~550 MB; BENCHMARKS.md).
 */
export function defaultGrowthMiB(engineInProcess: boolean): number {
  return engineInProcess ? 48 : 256;
}

/** A running pacer. */
export interface GcPacer {
  /** Major collections it asked for. */
  readonly collections: number;
  stop(): Promise<void>;
}

/** What the pacer reads and calls; the defaults are the runtime's. */
export interface GcPacerOptions {
  /** Growth of external memory since the last collection that triggers the next (MiB); default: defaultGrowthMiB(true). */
  growthMiB?: number;
  intervalMs?: number;
  /** V8's gc function; default `globalThis.gc` when exposed. */
  gc?: (options: { type: "major" }) => unknown;
  /** External memory in bytes; default `Deno.memoryUsage().external`. */
  external?: () => number;
}

/** Starts pacing; a no-op pacer when `gc` is not available or `growthMiB` is 0. */
export function startGcPacer(options: GcPacerOptions = {}): GcPacer {
  const gc = options.gc ?? (globalThis as { gc?: GcPacerOptions["gc"] }).gc;
  const growth = (options.growthMiB ?? defaultGrowthMiB(true)) * 1024 * 1024;
  if (typeof gc !== "function" || growth <= 0) {
    return { collections: 0, stop: () => Promise.resolve() };
  }
  const external = options.external ?? (() => Deno.memoryUsage().external);
  let base = external();
  let collections = 0;
  // Synchronous: Deno never runs the task of V8's `execution: "async"` collections (its
  // promise stays pending). A collection frees the buffers its sweep found dead, which the
  // runtime may report only at the next one: the base is what is left right after.
  const tick = () => {
    const now = external();
    if (now < base) base = now;
    if (now - base < growth) return;
    collections++;
    try {
      gc({ type: "major" });
    } catch {
      // A refused collection changes nothing; the next tick looks again.
    }
    base = external();
  };
  const timer = setInterval(tick, options.intervalMs ?? 100);
  Deno.unrefTimer(timer);
  return {
    get collections() {
      return collections;
    },
    stop() {
      clearInterval(timer);
      return Promise.resolve();
    },
  };
}
