/**
 * OTLP bodies decoded off the event loop: a small pool of Deno Workers running decode_job.ts
 * (decompression, decoding, mapping, packing: the whole per-span cost of the OTLP path), so
 * that the event loop only receives bodies and queues finished messages. Each worker takes a
 * couple of bodies at a time (one decoding while the next is posted). Workers start on first
 * use. Should they fail to start (a sandbox without read access to their modules, say),
 * decoding falls back to the event loop with an error in the log, rather than failing every
 * export. Callers bound how many bodies are in flight (the route's gate).
 */
import type { Logger } from "../../../infra/log.ts";
import type { DecodeAnswer, DecodeTask } from "./_decode_worker.ts";
import { type OtlpJob, type OtlpJobResult, runOtlpJob } from "./decode_job.ts";
import { OtlpDecodeError } from "./types.ts";

/** The worker's module; its imports are all under this directory's parent (observability). */
export const OTLP_WORKER_URL: URL = new URL("./_decode_worker.ts", import.meta.url);
/** The directory a sandboxed server must be allowed to read for the workers. */
export const OTLP_WORKER_DIR: URL = new URL("../", import.meta.url);

/** Decodes OTLP bodies. */
export interface OtlpDecoder {
  /** Workers of the pool (0: decoding on the event loop). */
  readonly size: number;
  /** Runs `job`; the body's buffer is handed over (transferred) to the worker. */
  decode(job: OtlpJob): Promise<OtlpJobResult>;
  /** Ends the workers; jobs in progress fail. */
  stop(): Promise<void>;
}

/**
 * Default pool size: none on one or two cores, else one per core beyond two (the event loop's
 * and the embedded engine's), at most four. On two cores a worker only competes with the
 * event loop and the engine's threads for the same CPU, and its isolate collects garbage of
 * its own: the OTLP benchmark acknowledged 12,500 spans/s with one worker against 16,700-19,600
 * on the event loop, in alternated runs (BENCHMARKS.md).
 */
export function defaultOtlpWorkers(): number {
  const cores = navigator.hardwareConcurrency || 1;
  return cores <= 2 ? 0 : Math.min(4, cores - 2);
}

/** Bodies a worker holds at once: one being decoded, one waiting in its message queue. */
const PER_WORKER = 2;

interface Pending {
  job: OtlpJob;
  resolve(r: OtlpJobResult): void;
  reject(e: Error): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  jobs: Map<number, Pending>;
}

/** Decoding on the event loop (no workers). */
export const inProcessOtlpDecoder: OtlpDecoder = {
  size: 0,
  decode: runOtlpJob,
  stop: () => Promise.resolve(),
};

/** Creates the pool (no worker starts until the first body); `size` 0 decodes in process. */
export function createOtlpDecodePool(options: {
  size?: number;
  logger?: Logger;
  /** The worker's module (tests). */
  url?: URL;
} = {}): OtlpDecoder {
  const size = options.size ?? defaultOtlpWorkers();
  if (size <= 0) return inProcessOtlpDecoder;
  const url = options.url ?? OTLP_WORKER_URL;
  const slots: Slot[] = [];
  const waiting: Pending[] = [];
  let nextId = 1;
  let fallback = false;
  let stopped = false;
  let announced = false;

  const inProcess = (p: Pending) => runOtlpJob(p.job).then(p.resolve, p.reject);

  const pump = () => {
    while (waiting.length > 0) {
      if (fallback) {
        inProcess(waiting.shift()!);
        continue;
      }
      let best: Slot | undefined;
      for (const s of slots) {
        if (s.ready && s.jobs.size < PER_WORKER && (!best || s.jobs.size < best.jobs.size)) {
          best = s;
        }
      }
      if (!best) {
        const starting = slots.some((s) => !s.ready);
        if (!starting && slots.length < size) slots.push(spawn());
        return;
      }
      // An idle worker may start while others are busy: grow before doubling up.
      if (best.jobs.size > 0 && slots.length < size && !slots.some((s) => !s.ready)) {
        slots.push(spawn());
      }
      const p = waiting.shift()!;
      const id = nextId++;
      best.jobs.set(id, p);
      const body = p.job.body;
      best.worker.postMessage(
        { id, job: p.job } satisfies DecodeTask,
        body.byteOffset === 0 && body.byteLength === body.buffer.byteLength
          ? [body.buffer as ArrayBuffer]
          : [],
      );
    }
  };

  const fail = (reason: string) => {
    if (fallback || stopped) return;
    fallback = true;
    options.logger?.error(
      "OTLP decoding workers failed: decoding on the server's event loop instead",
      { error: reason },
    );
    for (const slot of slots.splice(0)) {
      slot.worker.terminate();
      // A body handed over to a worker is gone with it: those exports fail (and are retried
      // by their exporters); the ones still waiting decode here.
      for (const p of slot.jobs.values()) p.reject(new Error(`OTLP decoding worker failed`));
    }
    pump();
  };

  const spawn = (): Slot => {
    const worker = new Worker(url.href, { type: "module", name: "otlp-decoder" });
    const slot: Slot = { worker, ready: false, jobs: new Map() };
    worker.onmessage = (e: MessageEvent<DecodeAnswer | { ready: true }>) => {
      const m = e.data;
      if ("ready" in m) {
        slot.ready = true;
        if (!announced) {
          announced = true;
          options.logger?.info("OTLP decoding workers started", { workers: size });
        }
        pump();
        return;
      }
      const p = slot.jobs.get(m.id);
      if (!p) return;
      slot.jobs.delete(m.id);
      if ("result" in m) p.resolve(m.result);
      else if ("decodeError" in m) {
        p.reject(new OtlpDecodeError(m.decodeError.message, { kind: m.decodeError.kind }));
      } else p.reject(new Error(`OTLP decoding failed: ${m.failure}`));
      pump();
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      fail(e.message);
    };
    return slot;
  };

  return {
    size,
    decode(job) {
      if (stopped) return Promise.reject(new Error("The OTLP decoding pool is stopped"));
      return new Promise<OtlpJobResult>((resolve, reject) => {
        waiting.push({ job, resolve, reject });
        pump();
      });
    },
    stop() {
      stopped = true;
      for (const slot of slots.splice(0)) {
        slot.worker.terminate();
        for (const p of slot.jobs.values()) p.reject(new Error("The OTLP decoding pool stopped"));
      }
      for (const p of waiting.splice(0)) p.reject(new Error("The OTLP decoding pool stopped"));
      return Promise.resolve();
    },
  };
}
