/**
 * The nesting bound of every JSON document the domains store (prompt details, playground
 * state, and what later domains keep in JSON columns). MariaDB refuses documents nested past
 * 31 levels (MySQL past 100, SQLite's json functions past 1,000), so a document that passes
 * is accepted by every database we run on.
 */
import { invalidParam } from "./errors.ts";

/** How deeply a stored JSON document may nest (`{}` is 1, `{"a":{}}` is 2). */
export const MAX_STORED_JSON_DEPTH = 30;

/** Throws `invalid param` naming `field` when `value` nests deeper than MAX_STORED_JSON_DEPTH. */
export function checkStoredDepth(value: unknown, field: string): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (depth > MAX_STORED_JSON_DEPTH) {
      throw invalidParam(field, `JSON nested deeper than ${MAX_STORED_JSON_DEPTH} levels`);
    }
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
    }
  }
}
