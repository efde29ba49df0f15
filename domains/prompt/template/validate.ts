/**
 * Commit-time checks of a prompt template, so that a stored version renders: the template
 * type, variable declarations, every placeholder and multi_part reference, and Jinja2 syntax.
 */
import { invalidParam } from "../../errors.ts";
import { DEFAULT_LIMITS, utf8Length } from "./_limits.ts";
import { JinjaSyntaxError, parseJinja, syntaxErrorParam } from "./jinja.ts";
import {
  type Message,
  PART_TYPES,
  type PromptTemplate,
  ROLES,
  TEMPLATE_TYPES,
  VARIABLE_TYPES,
  type VariableDef,
} from "./types.ts";

// Letters, digits and underscore, not starting with a digit: a name both template
// languages can reference.
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Throws `invalid param` naming the first problem found in the template, if any. */
export function validateTemplate(template: PromptTemplate): void {
  if (!TEMPLATE_TYPES.includes(template?.template_type)) {
    throw invalidParam(
      "prompt_template.template_type",
      `unknown template type ${JSON.stringify(template?.template_type)}; expected normal or jinja2`,
    );
  }
  const defs = validateDefs(template.variable_defs ?? []);
  if (!Array.isArray(template.messages)) {
    throw invalidParam("prompt_template.messages", "must be a list");
  }
  template.messages.forEach((m, i) => {
    validateMessage(m, `prompt_template.messages[${i}]`, template, defs);
  });
}

function validateDefs(defs: VariableDef[]): Map<string, VariableDef> {
  if (!Array.isArray(defs)) throw invalidParam("prompt_template.variable_defs", "must be a list");
  const byKey = new Map<string, VariableDef>();
  defs.forEach((d, i) => {
    const field = `prompt_template.variable_defs[${i}]`;
    const key: unknown = d?.key;
    if (typeof key !== "string" || !KEY.test(key)) {
      throw invalidParam(
        `${field}.key`,
        `invalid variable key ${
          JSON.stringify(key)
        }: use letters, digits and underscore, not starting with a digit`,
      );
    }
    if (byKey.has(key)) throw invalidParam(`${field}.key`, `duplicate variable key "${key}"`);
    if (!VARIABLE_TYPES.includes(d.type)) {
      throw invalidParam(
        `${field}.type`,
        `unknown variable type ${JSON.stringify(d.type)}; expected one of ${
          VARIABLE_TYPES.join(", ")
        }`,
      );
    }
    byKey.set(key, d);
  });
  return byKey;
}

function validateMessage(
  m: Message,
  field: string,
  template: PromptTemplate,
  defs: Map<string, VariableDef>,
): void {
  if (typeof m !== "object" || m === null) throw invalidParam(field, "not a message");
  if (!ROLES.includes(m.role)) {
    throw invalidParam(`${field}.role`, `unknown role ${JSON.stringify(m.role)}`);
  }
  if (m.role === "placeholder") {
    requireVariable(m.content, "placeholder", field, defs);
    return;
  }
  const rendered = m.skip_render !== true && m.role !== "tool";
  const jinja = rendered && template.template_type === "jinja2";
  if (typeof m.content === "string") checkText(m.content, field, rendered, jinja);
  if (m.parts == null) return;
  if (!Array.isArray(m.parts)) throw invalidParam(`${field}.parts`, "must be a list");
  m.parts.forEach((p, j) => {
    const partField = `${field}.parts[${j}]`;
    if (!PART_TYPES.includes(p?.type)) {
      throw invalidParam(`${partField}.type`, `unknown part type ${JSON.stringify(p?.type)}`);
    }
    if (p.type === "multi_part_variable") requireVariable(p.text, "multi_part", partField, defs);
    else if (p.type === "text" && typeof p.text === "string") {
      checkText(p.text, partField, rendered, jinja);
    }
  });
}

// A placeholder message or multi_part_variable part must name a declared variable of its kind.
function requireVariable(
  name: unknown,
  type: "placeholder" | "multi_part",
  field: string,
  defs: Map<string, VariableDef>,
): void {
  const key = typeof name === "string" ? name.trim() : "";
  const what = type === "placeholder" ? "placeholder message" : "multi_part_variable part";
  if (key === "") throw invalidParam(field, `${what} names no variable`);
  const def = defs.get(key);
  if (!def) throw invalidParam(field, `${what} names undeclared variable "${key}"`);
  if (def.type !== type) {
    throw invalidParam(field, `${what} names variable "${key}" of type "${def.type}", not ${type}`);
  }
}

// A text over the rendered-size limit could never render; the engine would also spend
// seconds parsing a multi-megabyte Jinja2 text.
function checkText(text: string, field: string, rendered: boolean, jinja: boolean): void {
  const max = DEFAULT_LIMITS.maxMessageBytes;
  if (rendered && utf8Length(text) > max) {
    throw invalidParam(field, `template text exceeds ${max} bytes`);
  }
  if (!jinja) return;
  try {
    parseJinja(text);
  } catch (e) {
    if (e instanceof JinjaSyntaxError) throw syntaxErrorParam(field, e);
    throw e;
  }
}
