/**
 * argon2id off the event loop: a small pool of Deno Workers (`_password_worker.ts`), each
 * hashing one password at a time, so that a burst of registrations and logins does not hold
 * up every other request. Workers start on first use. Tasks beyond the workers wait in a
 * bounded queue; past it the pool answers "busy" at once. Should the workers fail to start
 * (a sandbox without read access to the worker's module, say), hashing falls back to this
 * thread with an error in the log, rather than failing every login.
 */
import type { Logger } from "../../infra/log.ts";
import { AppError, Codes } from "../errors.ts";
import type { HashAnswer, HashTask } from "./_password_worker.ts";
import { inProcessHasher, PASSWORD_PARAMS, type PasswordHasher } from "./passwords.ts";

/** The worker's module: the one file a sandboxed server must be allowed to read for it. */
export const PASSWORD_WORKER_URL: URL = new URL("./_password_worker.ts", import.meta.url);

/** A pool of hashing workers. */
export interface PasswordWorkerPool extends PasswordHasher {
  /** Largest number of workers. */
  readonly size: number;
  /** Workers started so far. */
  readonly started: number;
  /** Ends the workers; tasks in progress or waiting fail. */
  stop(): Promise<void>;
}

/**
 * Default pool size: up to two workers, leaving one core to the event loop (so one worker on
 * two cores: two would compete with the event loop for the CPU, see BENCHMARKS.md).
 */
export function defaultPasswordWorkers(): number {
  return Math.min(2, Math.max(1, (navigator.hardwareConcurrency || 1) - 1));
}

interface Job {
  task: Omit<HashTask, "id" | "params">;
  resolve(value: string | boolean): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job?: Job & { id: number };
}

/** Creates the pool (no worker starts until the first task). */
export function createPasswordWorkerPool(options: {
  size?: number;
  /** Tasks allowed to wait for a worker (default 256); more are refused as busy. */
  maxWaiting?: number;
  logger?: Logger;
  /** The worker's module (tests). */
  url?: URL;
} = {}): PasswordWorkerPool {
  const size = Math.max(1, options.size ?? defaultPasswordWorkers());
  const maxWaiting = options.maxWaiting ?? 256;
  const url = options.url ?? PASSWORD_WORKER_URL;
  const slots: Slot[] = [];
  const waiting: Job[] = [];
  let nextId = 1;
  let announced = false;
  let fallback = false;
  let stopped = false;

  const inProcess = (job: Job) => {
    const t = job.task;
    const run = t.op === "hash"
      ? inProcessHasher.hash(t.password)
      : inProcessHasher.verify(t.password, t.hash ?? "");
    run.then(job.resolve, job.reject);
  };

  const pump = () => {
    while (waiting.length > 0) {
      if (fallback) {
        inProcess(waiting.shift()!);
        continue;
      }
      const idle = slots.find((s) => s.ready && !s.job);
      if (!idle) {
        const starting = slots.some((s) => !s.ready);
        if (!starting && slots.length < size) slots.push(spawn());
        return;
      }
      const job = waiting.shift()!;
      const id = nextId++;
      idle.job = { ...job, id };
      idle.worker.postMessage({ ...job.task, id, params: PASSWORD_PARAMS } satisfies HashTask);
    }
  };

  const fail = (reason: string) => {
    if (fallback || stopped) return;
    fallback = true;
    options.logger?.error(
      "password hashing workers failed: hashing on the server's event loop instead",
      { error: reason },
    );
    for (const slot of slots.splice(0)) {
      slot.worker.terminate();
      if (slot.job) inProcess(slot.job);
    }
    pump();
  };

  const spawn = (): Slot => {
    const worker = new Worker(url.href, { type: "module", name: "password-hasher" });
    const slot: Slot = { worker, ready: false };
    worker.onmessage = (e: MessageEvent<HashAnswer | { ready: true }>) => {
      const m = e.data;
      if ("ready" in m) {
        slot.ready = true;
        if (!announced) {
          announced = true;
          options.logger?.info("password hashing workers started", { workers: size });
        }
      } else if (slot.job && slot.job.id === m.id) {
        const job = slot.job;
        slot.job = undefined;
        if ("error" in m) job.reject(new Error(`Cannot hash the password: ${m.error}`));
        else job.resolve(m.value);
      }
      pump();
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      fail(e.message);
    };
    return slot;
  };

  const submit = (task: Job["task"]): Promise<string | boolean> => {
    if (stopped) return Promise.reject(new Error("Cannot hash the password: the pool stopped"));
    if (waiting.length >= maxWaiting) {
      return Promise.reject(
        new AppError(Codes.tooManyRequests, "the server is busy, retry in a few seconds", {
          status: 503,
        }),
      );
    }
    return new Promise((resolve, reject) => {
      waiting.push({ task, resolve, reject });
      pump();
    });
  };

  return {
    size,
    get started() {
      return slots.length;
    },
    hash: async (password) => String(await submit({ op: "hash", password })),
    verify: async (password, hash) => (await submit({ op: "verify", password, hash })) === true,
    stop() {
      stopped = true;
      const gone = new Error("Cannot hash the password: the server is stopping");
      for (const slot of slots.splice(0)) {
        slot.worker.terminate();
        slot.job?.reject(gone);
      }
      for (const job of waiting.splice(0)) job.reject(gone);
      return Promise.resolve();
    },
  };
}
