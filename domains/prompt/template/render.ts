/**
 * Rendering a prompt template into the messages sent to a model: variables substituted,
 * placeholder messages and multi_part variables expanded. Pure: the inputs are not modified.
 */
import { invalidParam } from "../../errors.ts";
import {
  type Budget,
  createBudget,
  DEFAULT_LIMITS,
  RenderLimitError,
  type RenderLimits,
  utf8Length,
} from "./_limits.ts";
import { expandMultiPart, expandPlaceholder, type Lookup, partHasContent } from "./expand.ts";
import {
  JinjaRenderError,
  JinjaSyntaxError,
  type JinjaValue,
  parseJinja,
  renderJinja,
  syntaxErrorParam,
} from "./jinja.ts";
import { renderNormal } from "./normal.ts";
import {
  type ContentPart,
  type Message,
  type PromptTemplate,
  ROLES,
  TEMPLATE_TYPES,
  type TemplateType,
  type VariableDef,
  type VariableVal,
} from "./types.ts";
import { parseTypedValue } from "./values.ts";

/** Options of renderMessages: limits (see RenderLimits) and conversation messages to append. */
export interface RenderOptions extends Partial<RenderLimits> {
  /**
   * Messages appended after the template's (the execute API's `messages`). As in the
   * reference, their system/user messages are rendered unless skip_render is true, and an
   * assistant message only when skip_render is explicitly false.
   */
  messages?: Message[];
}

interface Context extends Lookup {
  type: TemplateType;
  budget: Budget;
  jinjaVars?: Map<string, JinjaValue>;
}

/**
 * Renders a template with the caller's variable values. Template messages are rendered
 * unless skip_render is true (tool messages never are); placeholders always expand. As in the
 * reference, an unset text variable renders as empty and an unset placeholder or multi_part
 * variable stands for nothing. Throws `invalid param` naming the field for malformed values,
 * template errors and output over the limits.
 */
export function renderMessages(
  template: PromptTemplate,
  vals: VariableVal[] = [],
  options: RenderOptions = {},
): Message[] {
  if (!TEMPLATE_TYPES.includes(template.template_type)) {
    throw invalidParam(
      "prompt_template.template_type",
      `unknown template type ${JSON.stringify(template.template_type)}; expected normal or jinja2`,
    );
  }
  if (!Array.isArray(template.messages)) {
    throw invalidParam("prompt_template.messages", "must be a list");
  }
  if (!Array.isArray(vals)) throw invalidParam("variable_vals", "must be a list");
  const { messages: extra = [], ...limitOptions } = options;
  if (!Array.isArray(extra)) throw invalidParam("messages", "must be a list");
  const ctx: Context = {
    type: template.template_type,
    defs: new Map((template.variable_defs ?? []).map((d) => [d.key, d])),
    vals: new Map(vals.filter((v) => v && typeof v.key === "string").map((v) => [v.key, v])),
    budget: createBudget({ ...DEFAULT_LIMITS, ...definedOnly(limitOptions) }),
  };
  const out: Message[] = [];
  template.messages.forEach((m, i) => {
    out.push(...renderOne(m, `prompt_template.messages[${i}]`, m?.skip_render !== true, ctx));
  });
  extra.forEach((m, i) => {
    const render = m?.role === "assistant" ? m.skip_render === false : m?.skip_render !== true;
    out.push(...renderOne(m, `messages[${i}]`, render, ctx));
  });
  return out;
}

function renderOne(message: Message, field: string, render: boolean, ctx: Context): Message[] {
  if (typeof message !== "object" || message === null) throw invalidParam(field, "not a message");
  if (!ROLES.includes(message.role)) {
    throw invalidParam(`${field}.role`, `unknown role ${JSON.stringify(message.role)}`);
  }
  if (message.role === "placeholder") return expandPlaceholder(message, field, ctx);
  // Tool messages carry a tool's output, never a template.
  const substitute = render && message.role !== "tool";
  try {
    const copy: Message = { ...message };
    if (substitute && typeof message.content === "string" && message.content !== "") {
      copy.content = renderText(message.content, field, ctx);
    }
    if (message.parts != null) copy.parts = renderParts(message.parts, field, substitute, ctx);
    if (substitute) checkMessageSize(copy, field, ctx.budget.limits.maxMessageBytes);
    return [copy];
  } catch (e) {
    if (e instanceof RenderLimitError) throw invalidParam(field, e.message);
    throw e;
  }
}

// multi_part_variable parts expand even in messages that are not rendered, so that no
// template-only part type ever reaches a model.
function renderParts(
  parts: ContentPart[],
  field: string,
  substitute: boolean,
  ctx: Context,
): ContentPart[] {
  if (!Array.isArray(parts)) throw invalidParam(`${field}.parts`, "must be a list");
  const out: ContentPart[] = [];
  parts.forEach((part, j) => {
    const partField = `${field}.parts[${j}]`;
    if (part?.type === "multi_part_variable") out.push(...expandMultiPart(part, partField, ctx));
    else if (substitute && part?.type === "text" && typeof part.text === "string") {
      out.push({ ...part, text: renderText(part.text, partField, ctx) });
    } else out.push({ ...part });
  });
  return substitute ? out.filter(partHasContent) : out;
}

function renderText(text: string, field: string, ctx: Context): string {
  return ctx.type === "jinja2" ? renderJinjaText(text, field, ctx) : renderNormal(
    text,
    (name) => normalValue(name, ctx),
    ctx.budget.limits.maxMessageBytes,
  );
}

// Only declared text-valued variables are substituted; anything else stays as written. An
// unset variable renders as empty, as in the reference and the SDKs' local prompt_format.
function normalValue(name: string, ctx: Context): string | null {
  const def = ctx.defs.get(name);
  if (!def || def.type === "placeholder" || def.type === "multi_part") return null;
  const val = ctx.vals.get(name);
  return hasValue(def, val) ? val!.value! : "";
}

function renderJinjaText(text: string, field: string, ctx: Context): string {
  // The engine parses a few MB/s: a text that could not fit the output is not parsed at all.
  const max = ctx.budget.limits.maxMessageBytes;
  if (text.length > max) throw new RenderLimitError(`template text exceeds ${max} bytes`);
  let program;
  try {
    program = parseJinja(text);
  } catch (e) {
    if (e instanceof JinjaSyntaxError) throw syntaxErrorParam(field, e);
    throw e;
  }
  try {
    return renderJinja(program, jinjaVars(ctx), ctx.budget);
  } catch (e) {
    if (e instanceof JinjaRenderError) {
      throw invalidParam(field, `jinja2 render error: ${e.message}`);
    }
    throw e;
  }
}

// Every declared, valued variable is parsed once per call, also those a message does not
// use: a malformed value is the caller's error wherever it is.
function jinjaVars(ctx: Context): Map<string, JinjaValue> {
  if (ctx.jinjaVars) return ctx.jinjaVars;
  const vars = new Map<string, JinjaValue>();
  for (const def of ctx.defs.values()) {
    if (def.type === "placeholder" || def.type === "multi_part") continue;
    const val = ctx.vals.get(def.key);
    if (hasValue(def, val)) vars.set(def.key, parseTypedValue(def.key, def.type, val!.value!));
  }
  return (ctx.jinjaVars = vars);
}

// A blank value of a typed variable counts as absent, as in the reference, which skips it.
function hasValue(def: VariableDef, val: VariableVal | undefined): boolean {
  if (typeof val?.value !== "string") return false;
  return def.type === "string" || val.value.trim() !== "";
}

function checkMessageSize(m: Message, field: string, max: number): void {
  let size = typeof m.content === "string" ? utf8Length(m.content) : 0;
  for (const p of m.parts ?? []) if (typeof p.text === "string") size += utf8Length(p.text);
  if (size > max) throw invalidParam(field, `rendered message exceeds ${max} bytes`);
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
