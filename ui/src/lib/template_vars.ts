/**
 * Prompt templates as the editor sees them: the `{{var}}` tags of a normal template and the
 * `{{ expr }}`, `{% tag %}` and `{# comment #}` spans of a Jinja2 one (for highlighting), the
 * variables a template uses (in order of first use), and the variable declarations kept in
 * step with them. The server's rules: a key is letters, digits and `_`, not starting with a
 * digit; a placeholder message's content names a variable of type `placeholder`.
 */

/** A template language. */
export type TemplateType = "normal" | "jinja2";

/** A highlighted span of a template text. */
export interface TemplateToken {
  from: number;
  to: number;
  /** `var`: a normal template's tag; `expr`, `tag`, `comment`: Jinja2's. */
  kind: "var" | "expr" | "tag" | "comment";
}

/** A variable declaration (the IDL's VariableDef). */
export interface VariableDef {
  key: string;
  desc?: string;
  type?: string;
  type_tags?: string[];
}

/** A template message, as far as variables are concerned. */
export interface TemplateMessage {
  role: string;
  content?: string;
  parts?: { type: string; text?: string }[];
  skip_render?: boolean;
}

const NORMAL_TAG = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const JINJA_SPAN = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/g;
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether `key` is a valid variable key. */
export function isVariableKey(key: string): boolean {
  return KEY.test(key);
}

/** The spans to highlight in `text`. */
export function templateTokens(text: string, type: TemplateType): TemplateToken[] {
  if (type === "normal") {
    return [...text.matchAll(NORMAL_TAG)].map((m) => ({
      from: m.index,
      to: m.index + m[0].length,
      kind: "var",
    }));
  }
  return [...text.matchAll(JINJA_SPAN)].map((m) => ({
    from: m.index,
    to: m.index + m[0].length,
    kind: m[0][1] === "{" ? "expr" : m[0][1] === "%" ? "tag" : "comment",
  }));
}

// Words of Jinja2 expressions that are not variables.
const JINJA_WORDS = new Set([
  "and",
  "or",
  "not",
  "in",
  "is",
  "if",
  "else",
  "elif",
  "endif",
  "for",
  "endfor",
  "set",
  "endset",
  "true",
  "false",
  "none",
  "True",
  "False",
  "None",
  "loop",
  "recursive",
  "with",
  "without",
  "context",
  "macro",
  "endmacro",
  "call",
  "endcall",
  "filter",
  "endfilter",
  "raw",
  "endraw",
  "range",
  "namespace",
]);

/** The variables a Jinja2 text reads, in order of first use (loop and `set` names excluded). */
export function jinjaVariables(text: string): string[] {
  const seen: string[] = [];
  const local = new Set<string>();
  for (const m of text.matchAll(JINJA_SPAN)) {
    const span = m[0];
    if (span[1] === "#") continue;
    const body = span.slice(2, -2).replace(/^[-+]|[-+]$/g, "").trim();
    const words = body.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, " ");
    if (span[1] === "%") {
      const loop = /^for\s+([\w\s,()]+?)\s+in\s/.exec(words);
      if (loop) loop[1].split(/[\s,()]+/).filter(Boolean).forEach((n) => local.add(n));
      const set = /^set\s+([\w\s,]+?)\s*=/.exec(words);
      if (set) set[1].split(/[\s,]+/).filter(Boolean).forEach((n) => local.add(n));
    }
    // An identifier read as a variable: not after `.` (an attribute) or `|` (a filter), not a
    // keyword argument (`name=`), not a function's own name being called after `is`.
    for (const w of words.matchAll(/(^|[^\w.|])\s*([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*=[^=])/g)) {
      const name = w[2];
      const before = words.slice(0, w.index + w[0].length - name.length).trimEnd();
      if (before.endsWith("|") || before.endsWith(".") || /\bis$/.test(before)) continue;
      if (JINJA_WORDS.has(name) || local.has(name) || seen.includes(name)) continue;
      seen.push(name);
    }
  }
  return seen;
}

/** The variables a normal text reads, in order of first use. */
export function normalVariables(text: string): string[] {
  return [...new Set([...text.matchAll(NORMAL_TAG)].map((m) => m[1]))];
}

/**
 * The variables of a template's messages, in order of first use, with the type a message
 * implies (`placeholder` for a placeholder message's, `multi_part` for a part's).
 */
export function templateVariables(
  messages: TemplateMessage[],
  type: TemplateType,
): { key: string; implied?: "placeholder" | "multi_part" }[] {
  const out = new Map<string, "placeholder" | "multi_part" | undefined>();
  const add = (key: string, implied?: "placeholder" | "multi_part") => {
    if (!isVariableKey(key)) return;
    if (!out.has(key) || implied) out.set(key, implied ?? out.get(key));
  };
  const read = type === "jinja2" ? jinjaVariables : normalVariables;
  for (const m of messages) {
    if (m.role === "placeholder") {
      add((m.content ?? "").trim(), "placeholder");
      continue;
    }
    if (m.skip_render || m.role === "tool") continue;
    if (m.content) read(m.content).forEach((k) => add(k));
    for (const p of m.parts ?? []) {
      if (p.type === "multi_part_variable") add((p.text ?? "").trim(), "multi_part");
      else if (p.type === "text" && p.text) read(p.text).forEach((k) => add(k));
    }
  }
  return [...out].map(([key, implied]) => implied ? { key, implied } : { key });
}

/**
 * Declarations in step with the template: one per variable it uses, in order of use, keeping
 * what was declared (type, description) and typing new ones `string` unless the message
 * implies a type. Declared variables the template no longer uses are dropped.
 */
export function syncVariableDefs(
  defs: VariableDef[],
  messages: TemplateMessage[],
  type: TemplateType,
): VariableDef[] {
  const byKey = new Map(defs.map((d) => [d.key, d]));
  return templateVariables(messages, type).map(({ key, implied }) => {
    const old = byKey.get(key);
    if (implied) return { ...old, key, type: implied };
    if (old && old.type !== "placeholder" && old.type !== "multi_part") return old;
    return { ...old, key, type: "string" };
  });
}

/** Whether two lists of declarations are the same. */
export function sameDefs(a: VariableDef[], b: VariableDef[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The variable types the server accepts. */
export const VARIABLE_TYPES = [
  "string",
  "boolean",
  "integer",
  "float",
  "object",
  "array<string>",
  "array<boolean>",
  "array<integer>",
  "array<float>",
  "array<object>",
  "placeholder",
  "multi_part",
] as const;
