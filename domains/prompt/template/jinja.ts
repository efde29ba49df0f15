/**
 * Jinja2 on @huggingface/jinja, an interpreter that only reaches values through Maps (no JS
 * property or prototype access) and has no loader (`include`, `import`, `extends` and `from`
 * are syntax errors). What it lacks we add here: source lines for syntax errors, and bounds on
 * work and memory, because its `range()` builds any list it is asked for and its loops run to
 * completion.
 */
import { Environment, Interpreter, parse, tokenize } from "@huggingface/jinja";
import { type AppError, invalidParam } from "../../errors.ts";
import { type Budget, RenderLimitError } from "./_limits.ts";

/** A parsed template. */
export type JinjaProgram = ReturnType<typeof parse>;
type AstNode = Parameters<Interpreter["evaluate"]>[0];
type RuntimeValue = ReturnType<Interpreter["evaluate"]>;

/** A template that does not parse; `line` is 1-based within the template text. */
export class JinjaSyntaxError extends Error {
  override name = "JinjaSyntaxError";
  constructor(readonly reason: string, readonly line: number | undefined) {
    super(line === undefined ? reason : `at line ${line}: ${reason}`);
  }
}

/** A template that parsed but failed while rendering (bad operation, raise_exception, ...). */
export class JinjaRenderError extends Error {
  override name = "JinjaRenderError";
}

/** `invalid param` for a Jinja2 syntax error, naming the field and the line. */
export function syntaxErrorParam(field: string, e: JinjaSyntaxError): AppError {
  const where = e.line === undefined ? "" : ` at line ${e.line}`;
  return invalidParam(field, `jinja2 syntax error${where}: ${e.reason}`);
}

/** Parses a template, or throws JinjaSyntaxError naming the line where the parser stopped. */
export function parseJinja(source: string): JinjaProgram {
  try {
    return parseRaw(source);
  } catch (e) {
    const reason = describe(e);
    throw new JinjaSyntaxError(reason, locate(source, reason));
  }
}

// Python Jinja2's defaults (no trim_blocks/lstrip_blocks), as in the reference's gonja; the
// library's Template class would turn both on, as Hugging Face chat templates expect.
function parseRaw(source: string): JinjaProgram {
  return parse(tokenize(source, {}));
}

function describe(e: unknown): string {
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    return "template is nested too deeply";
  }
  // The parser reads past its last token when a tag or block is left open.
  if (e instanceof TypeError && /undefined/.test(e.message)) {
    return "unexpected end of template (a tag or block is not closed)";
  }
  return e instanceof Error ? e.message : String(e);
}

// The engine's tokens carry no positions, so the line is found by parsing growing prefixes:
// the first prefix that fails with the same reason ends on the offending line (for an
// unclosed block, the line that opens it). Binary search when a linear scan would be costly;
// the engine parses only a few MB/s, so past LOCATE_MAX_CHARS the line is not reported.
const LOCATE_MAX_CHARS = 64 * 1024;

function locate(source: string, reason: string): number | undefined {
  if (source.length > LOCATE_MAX_CHARS) return undefined;
  const lines = source.split("\n");
  const failsAlike = (n: number): boolean => {
    try {
      parseRaw(lines.slice(0, n).join("\n"));
      return false;
    } catch (e) {
      return describe(e) === reason;
    }
  };
  if (lines.length * source.length <= 2_000_000) {
    for (let n = 1; n <= lines.length; n++) if (failsAlike(n)) return n;
    return undefined;
  }
  let lo = 1, hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (failsAlike(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** A variable's value for Jinja2: floats are kept apart so that `2.0` renders as `2.0`. */
export type JinjaValue =
  | { kind: "plain"; value: unknown }
  | { kind: "float"; value: number }
  | { kind: "floats"; value: number[] };

/** Renders a parsed template with the given variables inside the call's budget. */
export function renderJinja(
  program: JinjaProgram,
  vars: ReadonlyMap<string, JinjaValue>,
  budget: Budget,
): string {
  try {
    const globals = new Environment();
    for (const [name, value] of globalValues(budget)) globals.setVariable(name, value);
    const scope = new Environment(globals);
    // Inside the try: converting a deeply nested JSON value can overflow the stack.
    for (const [name, value] of vars) scope.setVariable(name, toRuntime(value));
    const result = new BoundedInterpreter(scope, budget).run(program);
    return String(result.value);
  } catch (e) {
    if (e instanceof RenderLimitError || e instanceof JinjaRenderError) throw e;
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw new RenderLimitError("template or value is nested too deeply");
    }
    if (e instanceof RangeError && /string length/i.test(e.message)) {
      throw new RenderLimitError("a string in the template grew beyond the engine's limit");
    }
    throw new JinjaRenderError(e instanceof Error ? e.message : String(e));
  }
}

/** Counts every evaluation against the budget and rejects oversized intermediate values. */
class BoundedInterpreter extends Interpreter {
  // The engine runs a loop's iterations without further evaluate() calls for an empty
  // body, so each loop's list is charged one step per item when it is evaluated.
  private readonly iterables = new WeakSet<object>();

  constructor(env: Environment, private readonly budget: Budget) {
    super(env);
  }

  override evaluate(node: AstNode, env: Environment): RuntimeValue {
    charge(this.budget, 1);
    if (node?.type === "For") this.iterables.add(loopSource(node));
    const value = super.evaluate(node, env);
    checkSize(value, this.budget);
    if (node && this.iterables.has(node)) charge(this.budget, itemCount(value.value));
    // A function's JS source would otherwise be printed by `{{ namespace }}` or `{{ range }}`.
    if (value.type === "FunctionValue" && !Object.hasOwn(value, "toString")) {
      Object.defineProperty(value, "toString", { value: () => "<function>" });
    }
    return value;
  }
}

function loopSource(node: AstNode): object {
  const iterable = (node as unknown as { iterable: { type: string; lhs?: object } }).iterable;
  return iterable.type === "SelectExpression" && iterable.lhs ? iterable.lhs : iterable;
}

function charge(b: Budget, steps: number): void {
  b.steps -= steps;
  if (b.steps < 0) {
    throw new RenderLimitError(`template does too much work (over ${b.limits.maxSteps} steps)`);
  }
  if (b.steps <= b.clockAt) {
    b.clockAt = b.steps - 1024;
    if (performance.now() > b.deadline) {
      throw new RenderLimitError(`rendering took longer than ${b.limits.maxMillis} ms`);
    }
  }
}

function itemCount(v: unknown): number {
  return Array.isArray(v) ? v.length : v instanceof Map ? v.size : 0;
}

// A string longer (in UTF-16 units) than the byte limit is certainly over it in UTF-8 too,
// so intermediate strings are cut off early; the exact byte check runs on the final text.
function checkSize(value: RuntimeValue, b: Budget): void {
  const v: unknown = value.value;
  if (typeof v === "string" && v.length > b.limits.maxMessageBytes) {
    throw new RenderLimitError(`rendered text exceeds ${b.limits.maxMessageBytes} bytes`);
  }
  if (itemCount(v) > b.limits.maxItems) {
    throw new RenderLimitError(`a list or mapping exceeds ${b.limits.maxItems} items`);
  }
}

// Converts a JS value with the engine's own converter (reached through Environment.set,
// which returns the converted value) into a runtime value.
function convert(value: unknown): RuntimeValue {
  return new Environment().set("v", value);
}

// The engine's converter makes every integral number an integer, so a float variable holding
// 2 would print "2"; evaluating a float literal node yields a real float value instead.
function toRuntime(v: JinjaValue): RuntimeValue {
  const lit = new Interpreter(new Environment());
  const float = (n: number) =>
    lit.evaluate({ type: "FloatLiteral", value: n } as unknown as AstNode, new Environment());
  if (v.kind === "float") return float(v.value);
  if (v.kind === "floats") {
    const node = {
      type: "ArrayLiteral",
      value: v.value.map((n) => ({ type: "FloatLiteral", value: n })),
    };
    return lit.evaluate(node as unknown as AstNode, new Environment());
  }
  return convert(v.value);
}

// The globals Python Jinja2 offers that make sense here. `range` is bounded; the library's
// strftime_now (clock access) is left out.
function globalValues(budget: Budget): [string, RuntimeValue][] {
  const max = budget.limits.maxRangeSize;
  const range = (...args: unknown[]): number[] => {
    if (args.length < 1 || args.length > 3 || !args.every((a) => Number.isSafeInteger(a))) {
      throw new Error("range() expects 1 to 3 integer arguments");
    }
    const [start, stop, step] = args.length === 1
      ? [0, args[0] as number, 1]
      : [args[0] as number, args[1] as number, (args[2] ?? 1) as number];
    if (step === 0) throw new Error("range() step must not be zero");
    const count = Math.max(0, Math.ceil((stop - start) / step));
    if (count > max) throw new RenderLimitError(`range() of ${count} items exceeds ${max}`);
    return Array.from({ length: count }, (_, i) => start + i * step);
  };
  const raise = (message: unknown): never => {
    throw new JinjaRenderError(`raise_exception: ${String(message)}`);
  };
  return [
    ["true", convert(true)],
    ["false", convert(false)],
    ["none", convert(null)],
    ["True", convert(true)],
    ["False", convert(false)],
    ["None", convert(null)],
    ["range", convert(range)],
    ["raise_exception", convert(raise)],
  ];
}
