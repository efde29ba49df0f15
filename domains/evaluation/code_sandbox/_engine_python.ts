/**
 * The Python engine: Pyodide (CPython compiled to WebAssembly) from its npm package on disk,
 * loaded without network (the standard library comes from the package's python_stdlib.zip).
 * `js` is an empty object and the bridge modules are removed (see _python_prelude.ts).
 */
import { loadPyodide, type PyodideAPI } from "pyodide";
import type { RunnerInit, RunTask } from "./_protocol.ts";
import { type Engine, Output } from "./_engine_types.ts";
import { PYTHON_PRELUDE } from "./_python_prelude.ts";

const REARM_MS = 50;

type PyFn = ((...args: unknown[]) => unknown) & { destroy?: () => void };

/** Loads Pyodide and the prelude. */
export async function startPython(init: RunnerInit): Promise<Engine> {
  let stdout = new Output(init.maxOutputChars);
  let stderr = new Output(init.maxOutputChars);
  const py: PyodideAPI = await loadPyodide({
    indexURL: init.pyodideDir,
    jsglobals: Object.create(null),
    env: { HOME: "/home/evaluator" },
    stdout: (s) => stdout.push(s + "\n"),
    stderr: (s) => stderr.push(s + "\n"),
    checkAPIVersion: true,
  });
  py.setStdout({ batched: (s: string) => stdout.push(s + "\n") });
  py.setStderr({ batched: (s: string) => stderr.push(s + "\n") });
  // CPython's emscripten port polls this "signal buffer" every few dozen ticks of its eval
  // loop; past the run's deadline it reads SIGINT, so that the run ends with KeyboardInterrupt,
  // and again every REARM_MS should the code catch it (the harness needs a moment to answer).
  let deadline = Infinity;
  let lastSignal = 0;
  const signals = Object.defineProperty({}, "0", {
    get: () => {
      const now = Date.now();
      if (now <= deadline || now - lastSignal < REARM_MS) return 0;
      lastSignal = now;
      return 2;
    },
    set: () => {},
  });
  py.setInterruptBuffer(signals as unknown as Int32Array);
  py.runPython(PYTHON_PRELUDE);
  const run = py.globals.get("_loop_run") as PyFn;
  const check = py.globals.get("_loop_check") as PyFn;
  py.runPython("del _loop_run, _loop_check");
  return {
    run(task: RunTask) {
      stdout = new Output(init.maxOutputChars);
      stderr = new Output(init.maxOutputChars);
      let text: string;
      deadline = Date.now() + task.timeoutMs;
      try {
        text = String(task.op === "check" ? check(task.code) : run(task.code, task.turn ?? "{}"));
      } catch (err) {
        // A fatal engine error (Pyodide cannot continue after one).
        const message = String((err as Error)?.message ?? err).split("\n")[0];
        deadline = Infinity;
        return {
          error: `the Python engine failed: ${message}`,
          stdout: stdout.done(),
          stderr: stderr.done(),
          recycle: true,
        };
      }
      deadline = Infinity;
      const r = JSON.parse(text) as {
        score?: number;
        reason?: string;
        error?: string;
        limit?: "memory";
      };
      return {
        ...r,
        stdout: stdout.done(),
        stderr: stderr.done(),
        // Memory once exhausted stays grown: start a fresh engine.
        ...(r.limit === "memory" ? { recycle: true } : {}),
      };
    },
  };
}
