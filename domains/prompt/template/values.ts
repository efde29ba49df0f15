/**
 * Typed variable values. Clients send every value as text (booleans, numbers and JSON as
 * their JSON spelling); Jinja2 templates get them parsed so that `{% if flag %}` and
 * `{% for x in items %}` work on real values, as in the reference.
 */
import { invalidParam } from "../../errors.ts";
import type { JinjaValue } from "./jinja.ts";
import type { VariableType } from "./types.ts";

const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses one variable's text as its declared type, or throws `invalid param` naming it. */
export function parseTypedValue(key: string, type: VariableType, raw: string): JinjaValue {
  const fail = (what: string): never => {
    throw invalidParam("variable_vals", `value of "${key}" is not ${what}: ${preview(raw)}`);
  };
  const text = raw.trim();
  switch (type) {
    case "boolean": {
      const lower = text.toLowerCase();
      if (lower !== "true" && lower !== "false") fail("a boolean (true or false)");
      return { kind: "plain", value: lower === "true" };
    }
    case "integer":
      if (!INTEGER.test(text) || !Number.isSafeInteger(Number(text))) fail("an integer");
      return { kind: "plain", value: Number(text) };
    case "float":
      if (!FLOAT.test(text) || !Number.isFinite(Number(text))) fail("a number");
      return { kind: "float", value: Number(text) };
    case "object": {
      const v = parseJson(text);
      if (!isObject(v)) fail("a JSON object");
      return { kind: "plain", value: v };
    }
    case "array<string>":
    case "array<boolean>":
    case "array<integer>":
    case "array<float>":
    case "array<object>": {
      const element = type.slice(6, -1);
      const v = parseJson(text);
      if (!Array.isArray(v) || !v.every(ELEMENT_CHECKS[element])) {
        fail(`a JSON array of ${element} values`);
      }
      const items = v as unknown[];
      return element === "float"
        ? { kind: "floats", value: items as number[] }
        : { kind: "plain", value: items };
    }
    default:
      return { kind: "plain", value: raw };
  }
}

const ELEMENT_CHECKS: Record<string, (x: unknown) => boolean> = {
  string: (x) => typeof x === "string",
  boolean: (x) => typeof x === "boolean",
  integer: (x) => Number.isSafeInteger(x),
  float: (x) => typeof x === "number",
  object: isObject,
};

function isObject(x: unknown): boolean {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

// undefined marks "not JSON"; no JSON text parses to undefined.
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// Values can be long; an error quotes only their start.
function preview(raw: string): string {
  return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}...` : raw);
}
