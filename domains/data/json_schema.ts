/**
 * JSON schemas of text fields: compiled once (ajv, draft-07, formats from ajv-formats) and
 * cached by their text. Schemas come from users, so `pattern` and `patternProperties` run on
 * RE2 (re2js, linear time) instead of the backtracking RegExp engine: a pattern like `(a+)+$`
 * cannot stall the server. Unknown keywords are ignored (the official frontend adds its own),
 * remote `$ref`s never load, and a schema's size and nesting are bounded before compiling.
 *
 * A text value is checked as the reference does: when the schema's one type is `string`, the
 * content is the string itself; otherwise the content must be JSON (booleans in any case).
 */
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { RE2JS } from "re2js";
import { SchemaKey } from "./types.ts";

/** Longest text schema, in characters. */
export const MAX_TEXT_SCHEMA_CHARS = 64 * 1024;
/** Deepest text schema, and deepest JSON value checked against one. */
export const MAX_SCHEMA_DEPTH = 30;
const CACHE_MAX = 1_000;

// ajv's `code.regExp` option: an engine with `test`, and `code` naming it in generated code.
const re2 = Object.assign((pattern: string, flags?: string) => {
  const p = RE2JS.compile(pattern, flags?.includes("i") ? RE2JS.CASE_INSENSITIVE : 0);
  return { test: (s: string) => p.matcher(s).find() };
}, { code: "re2" });

const ajv = new Ajv({
  strict: false,
  allErrors: false,
  logger: false,
  // deno-lint-ignore no-explicit-any
  code: { regExp: re2 as any },
});
// The package's CommonJS default export arrives either as the function or wrapped in `default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (a: Ajv) => void;
addFormats(ajv);

/** A compiled schema: its declared types and the validator. */
export interface CompiledSchema {
  types: string[];
  validate: ValidateFunction;
}

const cache = new Map<string, CompiledSchema>();

const BUILTIN: Record<SchemaKey, string> = {
  [SchemaKey.String]: '{"type":"string"}',
  [SchemaKey.Integer]: '{"type":"integer"}',
  [SchemaKey.Float]: '{"type":"number"}',
  [SchemaKey.Bool]: '{"type":"boolean"}',
  [SchemaKey.Message]: JSON.stringify({
    type: "object",
    properties: {
      role: { type: "string", enum: ["developer", "system", "user", "assistant", "tool"] },
      content: {
        oneOf: [{ type: "string" }, { type: "array", items: { type: "object" } }],
      },
      name: { type: "string" },
    },
    required: ["role"],
  }),
};

/** The schema text of a built-in schema key. */
export function builtinSchema(key: SchemaKey): string {
  return BUILTIN[key];
}

/** Compiles (or finds) a schema; throws an Error whose message says what is wrong. */
export function compileSchema(text: string): CompiledSchema {
  const hit = cache.get(text);
  if (hit) return hit;
  if (text.length > MAX_TEXT_SCHEMA_CHARS) {
    throw new Error(`longer than ${MAX_TEXT_SCHEMA_CHARS} characters`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error("not valid JSON");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new Error("not a JSON object");
  }
  if (depthOf(raw) > MAX_SCHEMA_DEPTH) throw new Error(`nested deeper than ${MAX_SCHEMA_DEPTH}`);
  // Ids would register each schema in the one validator instance (a second schema with the same
  // id is refused, and registrations pile up); a meta-schema other than draft-07 is not loaded.
  unregistered(raw);
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(raw);
  } catch (err) {
    throw new Error(`not a valid JSON schema: ${(err as Error).message}`);
  } finally {
    ajv.removeSchema(raw);
  }
  const compiled = { types: typesOf(raw), validate };
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(text, compiled);
  return compiled;
}

/** The `type` list of a schema (empty when it declares none). */
export function typesOf(schema: unknown): string[] {
  const t = (schema as { type?: unknown })?.type;
  if (typeof t === "string") return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === "string");
  return [];
}

/** Checks text content against a schema; returns why it does not match, or undefined. */
export function checkContent(schema: CompiledSchema, content: string): string | undefined {
  const single = schema.types.length === 1 ? schema.types[0] : "";
  let value: unknown;
  if (single === "string") {
    value = content;
  } else {
    const text = single === "boolean" ? content.toLowerCase() : content;
    try {
      value = JSON.parse(text);
    } catch {
      return "content is not valid JSON";
    }
    if (depthOf(value) > MAX_SCHEMA_DEPTH) {
      return `content nested deeper than ${MAX_SCHEMA_DEPTH} levels`;
    }
  }
  let ok: boolean;
  try {
    ok = schema.validate(value) as boolean;
  } catch (err) {
    return `content cannot be checked: ${(err as Error).message}`;
  }
  if (ok) return undefined;
  const e = schema.validate.errors?.[0];
  return e ? `${e.instancePath || "value"} ${e.message ?? "is invalid"}` : "does not match";
}

// Removes `$id` and `$schema` keywords (string-valued: a property named so is an object).
function unregistered(schema: unknown): void {
  const stack = [schema];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v !== "object" || v === null) continue;
    if (!Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      for (const k of ["$id", "$schema"]) if (typeof o[k] === "string") delete o[k];
    }
    stack.push(...(Array.isArray(v) ? v : Object.values(v)));
  }
}

/** How deeply a JSON value nests (`{}` is 1). */
export function depthOf(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (d > max) max = d;
    if (max > MAX_SCHEMA_DEPTH) return max;
    for (const c of Array.isArray(v) ? v : Object.values(v)) stack.push([c, d + 1]);
  }
  return max;
}
