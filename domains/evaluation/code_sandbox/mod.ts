/**
 * The code evaluator sandbox: a pool of runners per language, each a Web Worker with no
 * permission hosting a heap-limited engine thread (Pyodide for Python, QuickJS for JS), see
 * _worker_outer.ts and _worker_inner.ts. Bounds:
 * - time: the engine's own deadline where it has one (QuickJS), and a wall-clock limit the
 *   pool enforces by terminating the runner (a loop in Python, anything stuck);
 * - memory: the engine's WebAssembly memory is capped (allocation fails inside the code),
 *   the engine thread's V8 heap is capped (it stops instead of aborting the process);
 * - output: stdout and stderr are cut at a size.
 * A runner that was terminated or can no longer be trusted is replaced; idle runners are kept
 * warm. Runners start on first use.
 */
import type { Logger } from "../../../infra/log.ts";
import type { CodeLanguage, RunAnswer, RunnerInit, RunnerStatus, RunTask } from "./_protocol.ts";
import { type SandboxPaths, sandboxPaths } from "./paths.ts";

export type { CodeLanguage } from "./_protocol.ts";

/** The outcome of running user code once. */
export interface CodeRunResult {
  score?: number;
  reason?: string;
  /** Why there is no score: an exception, a bad return value, a limit, a busy sandbox. */
  error?: string;
  limit?: "time" | "memory";
  stdout: string;
  stderr: string;
  /** Wall-clock time of the run, waiting for a runner included. */
  latencyMs: number;
}

/** The sandbox. */
export interface CodeSandbox {
  /** Runs `exec_evaluation(turn)`; never throws for what the code does. */
  run(language: CodeLanguage, code: string, turn: unknown): Promise<CodeRunResult>;
  /** Checks syntax and that exec_evaluation is defined: the problem, or undefined. */
  check(language: CodeLanguage, code: string): Promise<string | undefined>;
  /** Runners alive and busy per language, and how many were replaced. */
  stats(): {
    alive: Record<CodeLanguage, number>;
    busy: number;
    replaced: number;
    abandoned: Record<CodeLanguage, number>;
  };
  /** Ends every runner. */
  stop(): Promise<void>;
}

/** Limits and pool sizes. */
export interface CodeSandboxOptions {
  /** Wall-clock limit of one run (default 5 s). */
  timeoutMs?: number;
  /** Engine memory of a runner (default 256 MB). */
  memoryMb?: number;
  /** V8 heap of a runner's engine thread (default 64 MB). */
  heapMb?: number;
  /** stdout and stderr kept per run (default 16,384 characters each). */
  maxOutputChars?: number;
  /** Runners per language at most (default 2). */
  maxRunners?: number;
  /** Idle runners kept warm per language once used (default 1). */
  warm?: number;
  /** Runs allowed to wait for a runner (default 256). */
  maxWaiting?: number;
  /** Runners that ignored their deadline tolerated per language (default 4). */
  maxAbandoned?: number;
  /** How long a runner may take to load its engine (default 120 s). */
  startTimeoutMs?: number;
  logger?: Logger;
  /** Where the worker modules and engines are (tests). */
  paths?: SandboxPaths;
}

interface Runner {
  language: CodeLanguage;
  worker: Worker;
  ready: Promise<void>;
  busy: boolean;
  dead: boolean;
  pending?: { id: number; resolve(a: RunAnswer): void; timer: ReturnType<typeof setTimeout> };
}

interface Waiter {
  language: CodeLanguage;
  resolve(r: Runner): void;
  reject(err: Error): void;
}

const LANGUAGES: CodeLanguage[] = ["Python", "JS"];
// How long a runner's outer worker may take to end its engine thread before it is ended.
const KILL_WAIT_MS = 2_000;
// How long past its deadline a run may take to stop by itself.
const GRACE_MS = 2_000;

/** Creates the sandbox (no runner starts until the first run). */
export function createCodeSandbox(options: CodeSandboxOptions = {}): CodeSandbox {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const memoryBytes = (options.memoryMb ?? 256) * 1024 * 1024;
  const heapMb = options.heapMb ?? 64;
  const maxOutputChars = options.maxOutputChars ?? 16_384;
  const maxRunners = Math.max(1, options.maxRunners ?? 2);
  const warm = Math.max(0, options.warm ?? 1);
  const maxWaiting = options.maxWaiting ?? 256;
  const startTimeoutMs = options.startTimeoutMs ?? 120_000;
  const runners: Runner[] = [];
  const waiting: Waiter[] = [];
  let paths: Promise<SandboxPaths> | undefined;
  let nextId = 1;
  let replaced = 0;
  const abandoned: Record<CodeLanguage, number> = { Python: 0, JS: 0 };
  const maxAbandoned = options.maxAbandoned ?? 4;
  let stopped = false;

  const spawn = (language: CodeLanguage): Runner => {
    paths ??= options.paths ? Promise.resolve(options.paths) : sandboxPaths();
    const runner = { language, busy: false, dead: false } as Runner;
    runners.push(runner);
    runner.ready = paths.then((p) => start(runner, p));
    runner.ready.catch((err) => {
      options.logger?.error("code sandbox runner failed to start", {
        language,
        error: (err as Error).message,
      });
      kill(runner);
    });
    return runner;
  };

  const start = (runner: Runner, p: SandboxPaths): Promise<void> => {
    const engineDir = runner.language === "Python" ? p.pyodideDir : p.quickjsDir;
    // The unstable `permissions` option: without --unstable-worker-options this throws, so
    // user code never runs with the server's permissions.
    runner.worker = new Worker(new URL("./_worker_outer.ts", import.meta.url).href, {
      type: "module",
      name: `evaluator-sandbox-${runner.language}`,
      deno: {
        permissions: {
          read: [p.dir, engineDir],
          write: false,
          net: false,
          env: false,
          run: false,
          ffi: false,
          sys: false,
          import: false,
        },
      },
    } as WorkerOptions);
    const init: RunnerInit & { heapMb: number } = {
      language: runner.language,
      memoryBytes,
      maxOutputChars,
      heapMb,
      ...(runner.language === "Python" ? { pyodideDir: p.pyodideDir } : {}),
    };
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the ${runner.language} engine did not load in time`)),
        startTimeoutMs,
      );
      runner.worker.onmessage = (e: MessageEvent<RunnerStatus | RunAnswer>) => {
        const m = e.data;
        if ("ready" in m) {
          clearTimeout(timer);
          resolve();
        } else if ("failed" in m) {
          clearTimeout(timer);
          reject(new Error(m.failed));
          settle(runner, { error: `the sandbox failed: ${m.failed}`, recycle: true });
        } else if (runner.pending?.id === m.id) settle(runner, m);
      };
      runner.worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        clearTimeout(timer);
        reject(new Error(e.message));
        settle(runner, { error: `the sandbox failed: ${e.message}`, recycle: true });
      };
      runner.worker.postMessage({ init });
    });
  };

  const settle = (runner: Runner, a: Partial<RunAnswer>) => {
    const p = runner.pending;
    if (!p) return;
    runner.pending = undefined;
    clearTimeout(p.timer);
    p.resolve({ id: p.id, stdout: "", stderr: "", ...a });
  };

  const kill = (runner: Runner) => {
    if (runner.dead) return;
    runner.dead = true;
    end(runner.worker);
    runners.splice(runners.indexOf(runner), 1);
    replaced++;
    settle(runner, { error: "the sandbox runner stopped", recycle: true });
    pump(runner.language);
    refill(runner.language);
  };

  // The engine thread first (it may be spinning), then the outer worker.
  const end = (worker: Worker | undefined) => {
    if (!worker) return;
    const timer = setTimeout(() => worker.terminate(), KILL_WAIT_MS);
    worker.onmessage = (e: MessageEvent) => {
      if ((e.data as { killed?: boolean }).killed) {
        clearTimeout(timer);
        worker.terminate();
      }
    };
    worker.onerror = (e: ErrorEvent) => e.preventDefault();
    worker.postMessage({ kill: true });
  };

  // Keeps `warm` idle runners of a language that has been used.
  const refill = (language: CodeLanguage) => {
    if (stopped) return;
    const alive = runners.filter((r) => r.language === language);
    const idle = alive.filter((r) => !r.busy).length;
    if (idle < warm && alive.length < maxRunners) spawn(language);
  };

  const pump = (language: CodeLanguage) => {
    for (let i = 0; i < waiting.length; i++) {
      const w = waiting[i];
      if (w.language !== language) continue;
      const idle = runners.find((r) => r.language === language && !r.busy && !r.dead);
      const runner = idle ??
        (runners.filter((r) => r.language === language).length < maxRunners
          ? spawn(language)
          : undefined);
      if (!runner) return;
      runner.busy = true;
      waiting.splice(i--, 1);
      w.resolve(runner);
    }
  };

  const acquire = (language: CodeLanguage): Promise<Runner> => {
    if (stopped) return Promise.reject(new Error("the sandbox is stopped"));
    if (abandoned[language] > maxAbandoned) {
      return Promise.reject(
        new Error(
          `the ${language} sandbox is disabled: runaway code did not stop; restart the server`,
        ),
      );
    }
    if (waiting.length >= maxWaiting) {
      return Promise.reject(new Error("the sandbox is busy: too many runs waiting"));
    }
    return new Promise((resolve, reject) => {
      waiting.push({ language, resolve, reject });
      pump(language);
    });
  };

  const release = (runner: Runner) => {
    runner.busy = false;
    if (!runner.dead) pump(runner.language);
  };

  // A runner that ignored its deadline (code stuck inside one native call, or catching the
  // interrupt over and over). Deno 2.9 cannot stop a busy Worker thread (terminate() leaves
  // it running, denoland/deno#35657), so its thread may keep a core busy until the call
  // returns: past `maxAbandoned` such runners the language refuses runs.
  const abandon = (runner: Runner) => {
    abandoned[runner.language]++;
    options.logger?.error("code sandbox runner ignored its deadline and was abandoned", {
      language: runner.language,
      abandoned: abandoned[runner.language],
    });
    kill(runner);
  };

  const execute = async (language: CodeLanguage, task: Omit<RunTask, "id" | "timeoutMs">) => {
    const runner = await acquire(language);
    try {
      await runner.ready;
      if (runner.dead) return { error: "the sandbox runner stopped", stdout: "", stderr: "" };
      const id = nextId++;
      const answer = await new Promise<RunAnswer>((resolve) => {
        // Engines stop their code at the deadline; the wall clock is the backstop.
        const timer = setTimeout(() => {
          settle(runner, {
            error: `the evaluator exceeded its time limit of ${timeoutMs} ms`,
            limit: "time",
          });
          abandon(runner);
        }, timeoutMs + GRACE_MS);
        runner.pending = { id, resolve, timer };
        runner.worker.postMessage({ ...task, id, timeoutMs } satisfies RunTask);
      });
      if (answer.recycle) kill(runner);
      return answer;
    } catch (err) {
      return { error: `the sandbox failed: ${(err as Error).message}`, stdout: "", stderr: "" };
    } finally {
      release(runner);
    }
  };

  return {
    async run(language, code, turn) {
      const started = performance.now();
      let a: Partial<RunAnswer>;
      try {
        a = await execute(language, { op: "run", code, turn: JSON.stringify(turn ?? {}) });
      } catch (err) {
        a = { error: (err as Error).message };
      }
      return {
        ...(a.score !== undefined && !a.error ? { score: a.score, reason: a.reason ?? "" } : {}),
        ...(a.error ? { error: a.error } : {}),
        ...(a.limit ? { limit: a.limit } : {}),
        stdout: a.stdout ?? "",
        stderr: a.stderr ?? "",
        latencyMs: Math.round(performance.now() - started),
      };
    },
    async check(language, code) {
      const a = await execute(language, { op: "check", code });
      return a.error;
    },
    stats() {
      const alive = Object.fromEntries(
        LANGUAGES.map((l) => [l, runners.filter((r) => r.language === l).length]),
      ) as Record<CodeLanguage, number>;
      return {
        alive,
        busy: runners.filter((r) => r.busy).length,
        replaced,
        abandoned: { ...abandoned },
      };
    },
    async stop() {
      stopped = true;
      for (const w of waiting.splice(0)) w.reject(new Error("the sandbox is stopped"));
      for (const r of [...runners]) kill(r);
      await Promise.resolve();
    },
  };
}
