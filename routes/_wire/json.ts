/**
 * JSON on the wire: int64 values (bigint in TypeScript) are written as strings, like Coze
 * Loop's `api.js_conv`; `/api` answers put fields beside `code`/`msg`, `/v1/loop` answers
 * wrap them in `data`.
 */
import type { Context } from "hono";

/** JSON.stringify with bigints as decimal strings. */
export function wireStringify(value: unknown): string {
  // Most answers hold no bigint: the plain call stays on V8's fast path and throws on the
  // first bigint, and only then does the replacer run.
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  }
}

/** A JSON response with bigints as strings. */
export function wireJson(c: Context, body: unknown, status = 200): Response {
  return c.body(wireStringify(body), status as 200, {
    "Content-Type": "application/json; charset=UTF-8",
  });
}

/** `/api` success: the response struct's fields at the top level with `code: 0`. */
export function apiOk(c: Context, body: Record<string, unknown> = {}): Response {
  return wireJson(c, { code: 0, msg: "", ...body });
}

/** `/v1/loop` success: `{code: 0, msg: "", data}`. */
export function loopOk(c: Context, data?: unknown): Response {
  return wireJson(c, data === undefined ? { code: 0, msg: "" } : { code: 0, msg: "", data });
}
