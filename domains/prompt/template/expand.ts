/**
 * Expansion of placeholder messages and multi_part_variable parts into the caller's values.
 * Values are untrusted JSON, so their shape is checked here; they are inserted as given and
 * never rendered as templates (as in the reference), so a value cannot inject a template.
 */
import { invalidParam } from "../../errors.ts";
import {
  type ContentPart,
  type Message,
  PART_TYPES,
  RENDERED_ROLES,
  type VariableDef,
  type VariableVal,
} from "./types.ts";

const VALUE_PART_TYPES: readonly string[] = PART_TYPES.filter((t) => t !== "multi_part_variable");

/** What expansion needs: declared variables and the caller's values, by key. */
export interface Lookup {
  defs: ReadonlyMap<string, VariableDef>;
  vals: ReadonlyMap<string, VariableVal>;
}

/** The messages a placeholder message stands for; `field` names the placeholder message. */
export function expandPlaceholder(message: Message, field: string, lookup: Lookup): Message[] {
  const key = typeof message.content === "string" ? message.content.trim() : "";
  if (key === "") throw invalidParam(field, "placeholder message names no variable");
  const val = lookup.vals.get(key);
  // Unset: the placeholder stands for no message (the reference skips it).
  if (val?.placeholder_messages == null) return [];
  const list: unknown = val.placeholder_messages;
  const bad = (reason: string) =>
    invalidParam("variable_vals", `placeholder ${JSON.stringify(key)}: ${reason}`);
  if (!Array.isArray(list)) throw bad("placeholder_messages must be a list of messages");
  return list.map((m: unknown, i) => {
    if (!isRecord(m)) throw bad(`message ${i} is not an object`);
    if (!RENDERED_ROLES.includes(m.role as never)) {
      throw bad(
        `message ${i} has role ${JSON.stringify(m.role)}; expected system, user, assistant or tool`,
      );
    }
    if (m.content !== undefined && m.content !== null && typeof m.content !== "string") {
      throw bad(`message ${i} content must be a string`);
    }
    const copy = { ...m } as unknown as Message;
    if (m.parts != null) copy.parts = checkValueParts(m.parts, (r) => bad(`message ${i} ${r}`));
    return copy;
  });
}

/** The parts a multi_part_variable part stands for; `field` names the part. */
export function expandMultiPart(part: ContentPart, field: string, lookup: Lookup): ContentPart[] {
  const key = typeof part.text === "string" ? part.text.trim() : "";
  if (key === "") throw invalidParam(field, "multi_part_variable part names no variable");
  const def = lookup.defs.get(key);
  if (!def) {
    throw invalidParam(
      field,
      `multi_part_variable names undeclared variable ${JSON.stringify(key)}`,
    );
  }
  if (def.type !== "multi_part") {
    throw invalidParam(
      field,
      `variable ${JSON.stringify(key)} has type ${JSON.stringify(def.type)}, not multi_part`,
    );
  }
  const values = lookup.vals.get(key)?.multi_part_values;
  if (values == null) return []; // unset: no part, as in the reference
  return checkValueParts(
    values,
    (reason) => invalidParam("variable_vals", `multi_part ${JSON.stringify(key)}: ${reason}`),
  );
}

// Parts inside values: concrete media only, never another variable reference.
function checkValueParts(parts: unknown, bad: (reason: string) => Error): ContentPart[] {
  if (!Array.isArray(parts)) throw bad("parts must be a list");
  return parts.map((p: unknown, j) => {
    if (!isRecord(p)) throw bad(`part ${j} is not an object`);
    if (!VALUE_PART_TYPES.includes(p.type as string)) {
      throw bad(
        `part ${j} has type ${JSON.stringify(p.type)}; expected ${VALUE_PART_TYPES.join(", ")}`,
      );
    }
    if (p.type === "text" && p.text != null && typeof p.text !== "string") {
      throw bad(`part ${j} text must be a string`);
    }
    for (const media of ["image_url", "video_url"]) {
      if (p.type === media && !isRecord(p[media])) throw bad(`part ${j} has no ${media} object`);
    }
    return { ...p } as unknown as ContentPart;
  });
}

/** True when a part carries something; empty parts are dropped like the reference does. */
export function partHasContent(p: ContentPart): boolean {
  return Boolean(p.text) || p.image_url != null || p.video_url != null || Boolean(p.base64_data);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
