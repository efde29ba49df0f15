/**
 * The JavaScript engine: QuickJS-ng compiled to WebAssembly (quickjs-emscripten). User code
 * never runs on V8: it gets a fresh QuickJS runtime per task with a hard allocation limit,
 * a stack limit and an interrupt deadline, and sees only the ECMAScript built-ins and a
 * `console` that writes to the run's bounded output. There is no host object to reach.
 */
import variant from "@jitl/quickjs-ng-wasmfile-release-sync";
import {
  newQuickJSWASMModuleFromVariant,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSSyncVariant,
  type QuickJSWASMModule,
  shouldInterruptAfterDeadline,
} from "quickjs-emscripten-core";
import type { RunAnswer, RunnerInit, RunTask } from "./_protocol.ts";
import { type Engine, Output } from "./_engine_types.ts";

const STACK_BYTES = 512 * 1024;
// The harness: calls exec_evaluation (or execEvaluation) with the parsed turn and answers
// JSON text; an async exec_evaluation settles while pending jobs run.
const HARNESS = `(function (turnText) {
  const fn = typeof exec_evaluation === "function" ? exec_evaluation
    : typeof execEvaluation === "function" ? execEvaluation : undefined;
  if (!fn) throw new Error("the code must define a function exec_evaluation(turn)");
  return fn(JSON.parse(turnText));
})`;
const NORMALIZE = `(function (r) {
  if (r === null || typeof r !== "object") return JSON.stringify({ bad: String(r) });
  return JSON.stringify({ score: r.score, reason: r.reason, err_msg: r.err_msg });
})`;
const DECLARES =
  /(^|[\s;}])(async\s+)?function\s*\*?\s*(exec_evaluation|execEvaluation)\s*\(|(^|[\s;}])(const|let|var)\s+(exec_evaluation|execEvaluation)\s*=/m;

/** Loads QuickJS. */
export async function startJs(init: RunnerInit): Promise<Engine> {
  // The package's CommonJS typings describe a module namespace; its default is the variant.
  const quickjs: QuickJSWASMModule = await newQuickJSWASMModuleFromVariant(
    variant as unknown as QuickJSSyncVariant,
  );
  return { run: (task) => runTask(quickjs, init, task) };
}

function runTask(
  quickjs: QuickJSWASMModule,
  init: RunnerInit,
  task: RunTask,
): Omit<RunAnswer, "id"> {
  const stdout = new Output(init.maxOutputChars);
  const stderr = new Output(init.maxOutputChars);
  const runtime = quickjs.newRuntime();
  runtime.setMemoryLimit(init.memoryBytes);
  runtime.setMaxStackSize(STACK_BYTES);
  const deadline = Date.now() + task.timeoutMs;
  runtime.setInterruptHandler(shouldInterruptAfterDeadline(deadline));
  const ctx = runtime.newContext();
  const done = (r: Partial<RunAnswer>): Omit<RunAnswer, "id"> => ({
    ...r,
    stdout: stdout.done(),
    stderr: stderr.done(),
  });
  let answer: Omit<RunAnswer, "id">;
  try {
    answer = evaluate(ctx, runtime, task, deadline, stdout, stderr, done);
  } catch (err) {
    answer = done(hostFailure(err));
  }
  try {
    ctx.dispose();
    runtime.dispose();
  } catch {
    // QuickJS asserts on objects left alive after some failures (a stack overflow, say): the
    // answer stands, and the engine is replaced.
    answer.recycle = true;
  }
  return answer;
}

function evaluate(
  ctx: QuickJSContext,
  runtime: QuickJSRuntime,
  task: RunTask,
  deadline: number,
  stdout: Output,
  stderr: Output,
  done: (r: Partial<RunAnswer>) => Omit<RunAnswer, "id">,
): Omit<RunAnswer, "id"> {
  {
    installConsole(ctx, stdout, stderr);
    if (task.op === "check") {
      const compiled = ctx.evalCode(task.code, "evaluator.js", { compileOnly: true });
      if (compiled.error) return done({ error: describe(ctx, compiled.error) });
      compiled.value.dispose();
      return done(
        DECLARES.test(task.code) ? {} : {
          error: "the code must define a function exec_evaluation(turn)",
        },
      );
    }
    const evaluated = ctx.evalCode(task.code, "evaluator.js");
    if (evaluated.error) return done(failure(ctx, evaluated.error, deadline));
    evaluated.value.dispose();
    const harness = ctx.unwrapResult(ctx.evalCode(HARNESS, "harness.js"));
    const turn = ctx.newString(task.turn ?? "{}");
    const called = ctx.callFunction(harness, ctx.undefined, turn);
    turn.dispose();
    harness.dispose();
    if (called.error) return done(failure(ctx, called.error, deadline));
    let value: QuickJSHandle = called.value;
    if (ctx.typeof(value) === "object" && isPromise(ctx, value)) {
      runtime.executePendingJobs();
      const state = ctx.getPromiseState(value);
      value.dispose();
      if (state.type === "pending") {
        return done({ error: "exec_evaluation's promise never settled" });
      }
      if (state.type === "rejected") return done(failure(ctx, state.error, deadline));
      value = state.value;
    }
    const normalize = ctx.unwrapResult(ctx.evalCode(NORMALIZE, "normalize.js"));
    const text = ctx.unwrapResult(ctx.callFunction(normalize, ctx.undefined, value));
    normalize.dispose();
    value.dispose();
    const json = ctx.getString(text);
    text.dispose();
    return done(interpret(JSON.parse(json)));
  }
}

// The host's own RangeError when QuickJS's recursion exhausts the WebAssembly stack.
function hostFailure(err: unknown): Partial<RunAnswer> {
  const text = String((err as Error)?.message ?? err);
  if (/call stack|stack overflow/i.test(text)) {
    return { error: "RangeError: stack overflow (recursion too deep)", recycle: true };
  }
  return { error: text, recycle: true };
}

function installConsole(ctx: QuickJSContext, stdout: Output, stderr: Output): void {
  const console = ctx.newObject();
  const writer = (out: Output) => (...args: QuickJSHandle[]) => {
    out.push(
      args.map((a) => ctx.typeof(a) === "string" ? ctx.getString(a) : show(ctx, a)).join(" ") +
        "\n",
    );
  };
  for (
    const [name, out] of [["log", stdout], ["info", stdout], ["debug", stdout], ["warn", stderr], [
      "error",
      stderr,
    ]] as const
  ) {
    const fn = ctx.newFunction(name, writer(out));
    ctx.setProp(console, name, fn);
    fn.dispose();
  }
  ctx.setProp(ctx.global, "console", console);
  console.dispose();
}

function show(ctx: QuickJSContext, h: QuickJSHandle): string {
  try {
    const json = ctx.getProp(ctx.global, "JSON");
    const stringify = ctx.getProp(json, "stringify");
    const r = ctx.callFunction(stringify, json, h);
    json.dispose();
    stringify.dispose();
    if (r.error) {
      r.error.dispose();
      return String(ctx.dump(h));
    }
    const s = ctx.typeof(r.value) === "string" ? ctx.getString(r.value) : String(ctx.dump(r.value));
    r.value.dispose();
    return s;
  } catch {
    return "[value]";
  }
}

function isPromise(ctx: QuickJSContext, h: QuickJSHandle): boolean {
  const then = ctx.getProp(h, "then");
  const yes = ctx.typeof(then) === "function";
  then.dispose();
  return yes;
}

function describe(ctx: QuickJSContext, err: QuickJSHandle): string {
  const e = ctx.dump(err) as { name?: string; message?: string; stack?: string } | string;
  err.dispose();
  if (typeof e !== "object" || e === null) return String(e);
  const line = /evaluator\.js:(\d+)/.exec(e.stack ?? "")?.[1];
  return `${e.name ?? "Error"}: ${e.message ?? ""}${line ? ` (line ${line})` : ""}`;
}

function failure(ctx: QuickJSContext, err: QuickJSHandle, deadline: number) {
  const text = describe(ctx, err);
  if (/stack overflow|call stack/i.test(text)) {
    return { error: "RangeError: stack overflow (recursion too deep)", recycle: true };
  }
  if (/out of memory/i.test(text)) {
    return { error: `${text}: the evaluator exceeded its memory limit`, limit: "memory" as const };
  }
  if (/interrupted/i.test(text) && Date.now() >= deadline) {
    return { error: "the evaluator exceeded its time limit", limit: "time" as const };
  }
  return { error: text };
}

function interpret(r: { score?: unknown; reason?: unknown; err_msg?: unknown; bad?: string }) {
  if (r.bad !== undefined) {
    return { error: `exec_evaluation must return {score, reason}, got ${r.bad.slice(0, 200)}` };
  }
  if (r.err_msg && r.score === undefined) {
    return { error: `exec_evaluation reported an error: ${String(r.err_msg)}` };
  }
  const score = typeof r.score === "string" && r.score.trim() !== "" ? Number(r.score) : r.score;
  if (typeof score !== "number" || !Number.isFinite(score)) {
    return { error: "exec_evaluation must return a numeric score, e.g. {score: 1, reason: '...'}" };
  }
  return { score, reason: r.reason === undefined || r.reason === null ? "" : String(r.reason) };
}
