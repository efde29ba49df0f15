/**
 * Which variables a Jinja2 template reads, so that a missing value is reported by name
 * instead of silently rendering as empty. A variable the template guards (`x is defined`,
 * `x | default(...)`, `{% if x %}`) is optional: the author planned for its absence.
 */
import type { JinjaProgram } from "./jinja.ts";

/** Names a template reads, split into required and guarded, plus the names it binds itself. */
export interface JinjaUsage {
  /** Read somewhere without a guard. */
  required: Set<string>;
  /** Read under a guard at least once. */
  guarded: Set<string>;
  /** Bound by the template (loop variables, set targets, macros and their parameters). */
  bound: Set<string>;
}

type Node = { type: string; [field: string]: unknown };

/** Walks a parsed template and collects the names it reads and binds. */
export function scanUsage(program: JinjaProgram): JinjaUsage {
  const usage: JinjaUsage = { required: new Set(), guarded: new Set(), bound: new Set() };
  walk(program, false, usage);
  return usage;
}

/** The variables a template needs a value for: read without a guard and not bound locally. */
export function requiredNames(usage: JinjaUsage): string[] {
  return [...usage.required].filter((n) => !usage.guarded.has(n) && !usage.bound.has(n));
}

function isNode(x: unknown): x is Node {
  return typeof x === "object" && x !== null && typeof (x as Node).type === "string";
}

function walk(x: unknown, guarded: boolean, u: JinjaUsage): void {
  if (Array.isArray(x)) {
    for (const item of x) walk(item, guarded, u);
    return;
  }
  if (x instanceof Map) {
    // An object literal keeps its entries as a Map of key and value expressions.
    for (const [k, v] of x) {
      walk(k, false, u);
      walk(v, false, u);
    }
    return;
  }
  if (!isNode(x)) return;
  switch (x.type) {
    case "Identifier":
      (guarded ? u.guarded : u.required).add(x.value as string);
      return;
    case "MemberExpression":
      walk(x.object, guarded, u);
      if (x.computed) walk(x.property, false, u);
      return;
    case "TestExpression":
      walk(x.operand, true, u);
      return;
    case "FilterExpression":
      walk(x.operand, isDefaultFilter(x.filter), u);
      walkFilter(x.filter, u);
      return;
    case "FilterStatement":
      walkFilter(x.filter, u);
      walk(x.body, false, u);
      return;
    case "If":
      walk(x.test, isTruthinessTest(x.test), u);
      walk([x.body, x.alternate], false, u);
      return;
    case "Ternary":
      walk(x.condition, isTruthinessTest(x.condition), u);
      walk([x.trueExpr, x.falseExpr], false, u);
      return;
    case "For":
      bind(x.loopvar, u);
      walk([x.iterable, x.body, x.defaultBlock], false, u);
      return;
    case "Set":
      if (isNode(x.assignee) && x.assignee.type === "MemberExpression") walk(x.assignee, false, u);
      else bind(x.assignee, u);
      walk([x.value, x.body], false, u);
      return;
    case "Macro":
      bind(x.name, u);
      walkParameters(x.args, u);
      walk(x.body, false, u);
      return;
    case "CallStatement":
      walk(x.call, false, u);
      walkParameters(x.callerArgs, u);
      walk(x.body, false, u);
      return;
    case "KeywordArgumentExpression":
      walk(x.value, false, u);
      return;
    default:
      for (const [field, child] of Object.entries(x)) {
        // Operators are tokens, and `and`/`not`/`in` are identifier tokens: not variables.
        if (field !== "type" && field !== "operator") walk(child, false, u);
      }
  }
}

function walkFilter(filter: unknown, u: JinjaUsage): void {
  if (isNode(filter) && filter.type === "CallExpression") walk(filter.args, false, u);
}

function walkParameters(params: unknown, u: JinjaUsage): void {
  if (!Array.isArray(params)) return;
  for (const p of params) {
    if (isNode(p) && p.type === "KeywordArgumentExpression") {
      bind(p.key, u);
      walk(p.value, false, u);
    } else bind(p, u);
  }
}

function bind(target: unknown, u: JinjaUsage): void {
  if (!isNode(target)) return;
  if (target.type === "Identifier") u.bound.add(target.value as string);
  else if (target.type === "TupleLiteral" && Array.isArray(target.value)) {
    for (const t of target.value) bind(t, u);
  }
}

function isDefaultFilter(filter: unknown): boolean {
  if (!isNode(filter)) return false;
  const name = filter.type === "CallExpression" && isNode(filter.callee)
    ? filter.callee.value
    : filter.value;
  return name === "default" || name === "d";
}

// `{% if x %}`, `{% if not x.y %}`: a plain truthiness test, where undefined means false.
function isTruthinessTest(test: unknown): boolean {
  if (!isNode(test)) return false;
  if (test.type === "Identifier" || test.type === "MemberExpression") return true;
  if (test.type === "UnaryExpression") {
    const op = test.operator as { value?: string } | undefined;
    return op?.value === "not" && isTruthinessTest(test.argument);
  }
  return false;
}
