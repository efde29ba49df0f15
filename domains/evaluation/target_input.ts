/**
 * An item's input fields as a prompt run's variables and messages: a field whose key names a
 * variable fills it (text for typed variables, parts for multi_part ones, a JSON list of
 * messages for placeholders); `builtin_prompt_user_query` becomes a last user message and
 * history messages come before it. Appended messages are never rendered as templates: a
 * dataset's text cannot inject variables.
 */
import { invalidParam } from "../errors.ts";
import type { PromptDetail } from "../prompt/detail.ts";
import type { ContentPart, Message, VariableVal } from "../prompt/template/mod.ts";
import { USER_QUERY_KEY } from "./target_content.ts";
import type { Content } from "./types.ts";

/** A conversation message in the evaluation API (role 1 system, 2 user, 3 assistant, 4 tool). */
export interface EvalMessage {
  role?: number | string;
  content?: Content | string;
}

/** What a prompt run receives from an item. */
export interface PromptInput {
  variableVals: VariableVal[];
  messages: Message[];
}

const ROLES: Record<string, Message["role"]> = {
  "1": "system",
  "2": "user",
  "3": "assistant",
  "4": "tool",
  system: "system",
  user: "user",
  assistant: "assistant",
  tool: "tool",
};
const MAX_PARTS = 100;

/** Maps input fields (and history) onto the variables of `detail`. Throws `invalid param`. */
export function promptInput(
  detail: PromptDetail,
  fields: Record<string, Content>,
  history: EvalMessage[] = [],
): PromptInput {
  const defs = new Map((detail.prompt_template?.variable_defs ?? []).map((d) => [d.key, d]));
  const variableVals: VariableVal[] = [];
  for (const [key, content] of Object.entries(fields)) {
    if (key === USER_QUERY_KEY || !content || typeof content !== "object") continue;
    const def = defs.get(key);
    // Fields the prompt does not declare are not its variables (the template ignores them).
    if (!def) continue;
    if (def.type === "multi_part") {
      variableVals.push({ key, multi_part_values: partsOf(content, `input_fields.${key}`) });
    } else if (def.type === "placeholder") {
      variableVals.push({ key, placeholder_messages: placeholderOf(content, key) });
    } else variableVals.push({ key, value: textOf(content) });
  }
  const messages = history.map((m, i) => messageOf(m, `history_messages[${i}]`));
  const query = fields[USER_QUERY_KEY];
  if (query && typeof query === "object" && hasContent(query)) {
    messages.push(messageOf({ role: "user", content: query }, `input_fields.${USER_QUERY_KEY}`));
  }
  return { variableVals, messages };
}

/** The text of a content: its text, or the text parts of a multi-part content joined. */
export function textOf(c: Content): string {
  if (typeof c.text === "string" && c.content_type !== "MultiPart") return c.text;
  if (Array.isArray(c.multi_part)) {
    return c.multi_part.map((p) => (p && typeof p === "object" ? textOf(p) : "")).join("");
  }
  return typeof c.text === "string" ? c.text : "";
}

function hasContent(c: Content): boolean {
  return textOf(c) !== "" || (Array.isArray(c.multi_part) && c.multi_part.length > 0) ||
    c.image !== undefined;
}

function partsOf(c: Content, field: string): ContentPart[] {
  const out: ContentPart[] = [];
  const walk = (x: Content, depth: number) => {
    if (!x || typeof x !== "object") return;
    if (out.length >= MAX_PARTS) throw invalidParam(field, `more than ${MAX_PARTS} parts`);
    const type = x.content_type ?? "Text";
    if (type === "MultiPart" && Array.isArray(x.multi_part)) {
      if (depth > 2) throw invalidParam(field, "multi-part content nested too deep");
      for (const p of x.multi_part) walk(p, depth + 1);
    } else if (type === "Image" && x.image) {
      out.push({
        type: "image_url",
        image_url: {
          ...(x.image.url ? { url: x.image.url } : {}),
          ...(x.image.uri ? { uri: x.image.uri } : {}),
        },
      });
    } else if (typeof x.text === "string" && x.text !== "") {
      out.push({ type: "text", text: x.text });
    }
  };
  walk(c, 0);
  return out;
}

function messageOf(m: EvalMessage, field: string): Message {
  if (!m || typeof m !== "object") throw invalidParam(field, "not a message");
  const role = ROLES[String(m.role ?? "")];
  if (!role) throw invalidParam(`${field}.role`, `unknown role ${JSON.stringify(m.role)}`);
  const c = typeof m.content === "string"
    ? { content_type: "Text", text: m.content }
    : m.content ?? {};
  const multimodal = c.content_type === "Image" ||
    (c.content_type === "MultiPart" &&
      (c.multi_part ?? []).some((p) => p?.content_type === "Image"));
  return multimodal
    ? { role, parts: partsOf(c, `${field}.content`), skip_render: true }
    : { role, content: textOf(c), skip_render: true };
}

// A placeholder's value is a JSON list of messages: [{"role": "user", "content": "hi"}] or
// the evaluation API's own shape [{"role": 2, "content": {"content_type": "Text", ...}}].
function placeholderOf(c: Content, key: string): Message[] {
  const field = `input_fields.${key}`;
  const text = textOf(c).trim();
  if (text === "") return [];
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    throw invalidParam(field, "a placeholder variable takes a JSON list of messages");
  }
  if (!Array.isArray(list)) {
    throw invalidParam(field, "a placeholder variable takes a JSON list of messages");
  }
  if (list.length > 500) throw invalidParam(field, "more than 500 messages");
  return list.map((m, i) => messageOf(m as EvalMessage, `${field}[${i}]`));
}
