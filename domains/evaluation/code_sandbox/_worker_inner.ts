/**
 * The inner half of a sandbox runner: a heap-limited engine thread (node:worker_threads, see
 * _worker_outer.ts) with no permission but reading its engine's files, which it gives up
 * for good once the engine is loaded. It caps the engine's WebAssembly memory, loads the
 * engine of its language and runs one task at a time.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { RunAnswer, RunnerInit, RunTask } from "./_protocol.ts";
import type { Engine } from "./_engine_types.ts";

const init = workerData as RunnerInit;
const port = parentPort!;

// The engines print their own diagnostics (an emscripten abort, say) on the console: they
// are not the server's to log, and the run's answer already says what failed.
for (const name of ["log", "info", "warn", "error", "debug"] as const) console[name] = () => {};

// Emscripten grows its heap through Memory.prototype.grow: refusing past the cap makes the
// engine's malloc fail (Python raises MemoryError, QuickJS "out of memory") instead of the
// process running out of memory. Engines get one Memory each; the cap applies to each.
const grow = WebAssembly.Memory.prototype.grow;
WebAssembly.Memory.prototype.grow = function (this: WebAssembly.Memory, pages: number) {
  if (this.buffer.byteLength + pages * 65536 > init.memoryBytes) {
    throw new RangeError("sandbox memory limit reached");
  }
  return grow.call(this, pages);
};

async function load(): Promise<Engine> {
  if (init.language === "Python") {
    const { startPython } = await import("./_engine_python.ts");
    return await startPython(init);
  }
  const { startJs } = await import("./_engine_js.ts");
  return await startJs(init);
}

const started = performance.now();
let engine: Engine;
try {
  engine = await load();
  // The engine's files are loaded: from here on the runner may read nothing at all.
  for (const name of ["read", "write", "net", "env", "run", "ffi", "sys", "import"] as const) {
    Deno.permissions.revokeSync({ name });
  }
  port.postMessage({ ready: true, loadMs: Math.round(performance.now() - started) });
} catch (err) {
  port.postMessage({ failed: `cannot load the ${init.language} engine: ${String(err)}` });
  throw err;
}

port.on("message", (task: RunTask) => {
  let answer: RunAnswer;
  try {
    answer = { ...engine.run(task), id: task.id };
  } catch (err) {
    answer = { id: task.id, error: String(err), stdout: "", stderr: "", recycle: true };
  }
  port.postMessage(answer);
});
