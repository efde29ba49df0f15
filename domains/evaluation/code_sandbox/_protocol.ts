/**
 * Messages between the sandbox pool (main thread) and a runner (a permissionless Web Worker
 * hosting a heap-limited engine thread). Types only: nothing here runs in a worker.
 */

/** The languages user code may be written in (the wire's LanguageType). */
export type CodeLanguage = "Python" | "JS";

/** How a runner starts: its engine and the bounds it enforces by itself. */
export interface RunnerInit {
  language: CodeLanguage;
  /** Largest memory of the engine's heap (wasm linear memory / QuickJS allocations). */
  memoryBytes: number;
  /** Largest stdout (and, separately, stderr) kept per run, in characters. */
  maxOutputChars: number;
  /** The Pyodide package directory (Python only). */
  pyodideDir?: string;
}

/** One task for a runner: run `exec_evaluation(turn)`, or only check the code. */
export interface RunTask {
  id: number;
  op: "run" | "check";
  code: string;
  /** The turn as JSON text (run only). */
  turn?: string;
  /** The engine's own deadline (ms from now); the pool's wall-clock limit backs it up. */
  timeoutMs: number;
}

/** A runner's answer to a task. */
export interface RunAnswer {
  id: number;
  /** Set when exec_evaluation returned a usable result. */
  score?: number;
  reason?: string;
  /** What went wrong: a syntax error, an exception, a bad return value, a limit. */
  error?: string;
  /** Which limit stopped the code, when one did. */
  limit?: "time" | "memory";
  stdout: string;
  stderr: string;
  /** The engine can no longer be trusted (fatal error, memory exhausted): replace it. */
  recycle?: boolean;
}

/** What a runner reports once its engine is loaded, or that it could not load. */
export type RunnerStatus = { ready: true; loadMs: number } | { failed: string };
