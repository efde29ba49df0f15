/**
 * JSON request bodies as Coze Loop's Thrift binding reads them, in one place for every route
 * of both API families: a `null` member means the field is absent (the Python SDK sends
 * `null` for every unset optional field), and nesting is bounded before any other work.
 *
 * The depth bound (MAX_JSON_DEPTH) keeps every validator and walk over a body shallow, before
 * any other work; what a domain stores has its own, tighter bound (domains/json_depth.ts,
 * what every database accepts), and span filters theirs (routes/_wire/filters.ts).
 */
import type { Context } from "hono";
import { invalidParam } from "../../domains/errors.ts";
import type { AppEnv } from "../_env.ts";

/** How deeply a JSON request body may nest (objects and arrays). */
export const MAX_JSON_DEPTH = 64;

/** A body that is not acceptable JSON; `message` says why, for `invalid param: body: ...`. */
export class WireBodyError extends Error {}

/**
 * Parses a request body: JSON, nested at most MAX_JSON_DEPTH levels, with `null` object
 * members removed (array elements are kept: a null element is the caller's error to see).
 */
export function parseWireJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new WireBodyError(`Malformed JSON in request body (${(err as Error).message})`);
  }
  // A body with no `null` and no deep nesting needs no walk: most bodies, the large ones too.
  if (text.includes("null") || mayNestDeeply(text)) clean(value, 1);
  return value;
}

/** parseWireJson, with its failure as the `invalid param` wire error. */
export function parseWireJsonOrThrow(text: string): unknown {
  try {
    return parseWireJson(text);
  } catch (err) {
    if (err instanceof WireBodyError) throw invalidParam("body", err.message);
    throw err;
  }
}

// Cheap upper bound: a body with fewer brackets than the limit cannot nest past it.
function mayNestDeeply(text: string): boolean {
  let open = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 123 /* { */ || ch === 91 /* [ */) {
      if (++open > MAX_JSON_DEPTH) return true;
    }
  }
  return false;
}

function clean(value: unknown, depth: number): void {
  if (typeof value !== "object" || value === null) return;
  if (depth > MAX_JSON_DEPTH) {
    throw new WireBodyError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  if (Array.isArray(value)) {
    for (const item of value) clean(item, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const v = record[key];
    if (v === null) delete record[key];
    else if (typeof v === "object") clean(v, depth + 1);
  }
}

/**
 * Makes `c.req.json()` (what every validated JSON route reads) parse with parseWireJson. The
 * validator words any parse failure as "Malformed JSON", so the reason is kept on the
 * context for the error handler.
 */
export function useWireJson(c: Context<AppEnv>): void {
  const req = c.req;
  req.json = (() =>
    req.text().then((text) => {
      try {
        return parseWireJson(text);
      } catch (err) {
        if (err instanceof WireBodyError) c.set("bodyError", err.message);
        throw err;
      }
    })) as typeof req.json;
}
