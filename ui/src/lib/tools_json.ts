/**
 * A prompt's tools as the editor shows them: a JSON array of `{type, function: {name,
 * description, parameters}}` whose parameters are a JSON schema object (the API stores it
 * as a string). Parsing reports problems with their place in the text, for the editor's lint
 * markers, and refuses what the server would refuse.
 */

/** A tool as stored in a prompt detail. */
export interface ToolDef {
  type?: "function" | "google_search";
  function?: { name: string; description?: string; parameters?: string };
}

/** A problem in the text: a message and the range it concerns. */
export interface JsonProblem {
  from: number;
  to: number;
  message: string;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** The editor text for `tools` (parameters shown as objects). */
export function toolsToText(tools: ToolDef[] | undefined): string {
  const shown = (tools ?? []).map((t) => ({
    type: t.type ?? "function",
    function: t.function && {
      name: t.function.name,
      ...(t.function.description ? { description: t.function.description } : {}),
      ...(t.function.parameters ? { parameters: parseOr(t.function.parameters) } : {}),
    },
  }));
  return JSON.stringify(shown, null, 2);
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The tools of an editor text, or the problems that keep it from being saved. */
export function textToTools(text: string): { tools?: ToolDef[]; problems: JsonProblem[] } {
  if (text.trim() === "") return { tools: [], problems: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const at = syntaxErrorOffset(String((err as Error).message), text);
    return {
      problems: [{ from: at, to: Math.min(at + 1, text.length), message: cleanMessage(err) }],
    };
  }
  if (!Array.isArray(value)) {
    return { problems: [{ from: 0, to: text.length, message: "tools are a JSON array" }] };
  }
  const starts = topLevelElements(text);
  const problems: JsonProblem[] = [];
  const tools: ToolDef[] = [];
  const names = new Set<string>();
  value.forEach((raw, i) => {
    const [from, to] = starts[i] ?? [0, text.length];
    const fail = (message: string) =>
      problems.push({ from, to, message: `tool ${i + 1}: ${message}` });
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail("not an object");
    const t = raw as Record<string, unknown>;
    const type = t.type ?? "function";
    if (type !== "function" && type !== "google_search") {
      return fail(`unknown type ${JSON.stringify(type)}`);
    }
    const f = t.function as Record<string, unknown> | undefined;
    if (type === "google_search" && f === undefined) return void tools.push({ type });
    if (typeof f !== "object" || f === null) return fail("needs a function: {name, ...}");
    const name = f.name;
    if (typeof name !== "string" || !NAME.test(name)) {
      return fail("function.name: letters, digits, _ and -, 1 to 64");
    }
    if (names.has(name)) return fail(`duplicate name "${name}"`);
    names.add(name);
    if (f.description !== undefined && typeof f.description !== "string") {
      return fail("function.description must be text");
    }
    const params = f.parameters;
    if (
      params !== undefined &&
      (typeof params !== "object" || params === null || Array.isArray(params))
    ) {
      return fail("function.parameters must be a JSON schema object");
    }
    const extra = Object.keys(f).filter((k) => !["name", "description", "parameters"].includes(k));
    if (extra.length) return fail(`unknown field function.${extra[0]}`);
    tools.push({
      type,
      function: {
        name,
        ...(f.description ? { description: f.description as string } : {}),
        ...(params ? { parameters: JSON.stringify(params) } : {}),
      },
    });
  });
  return problems.length ? { problems } : { tools, problems };
}

function cleanMessage(err: unknown): string {
  return String((err as Error).message).replace(/^JSON\.parse: /, "");
}

// V8 says "... at position N"; others say "line L column C".
function syntaxErrorOffset(message: string, text: string): number {
  const pos = /position (\d+)/.exec(message);
  if (pos) return Math.min(Number(pos[1]), text.length);
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) {
    const lines = text.split("\n").slice(0, Number(lc[1]) - 1);
    return Math.min(lines.reduce((n, l) => n + l.length + 1, 0) + Number(lc[2]) - 1, text.length);
  }
  return Math.max(0, text.length - 1);
}

/** The [from, to) ranges of a JSON array's elements in `text` (valid JSON assumed). */
export function topLevelElements(text: string): [number, number][] {
  const out: [number, number][] = [];
  let depth = 0;
  let start = -1;
  let end = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
      end = i + 1;
      continue;
    }
    if (/\s/.test(ch)) continue;
    if (depth === 1 && (ch === "," || ch === "]")) {
      if (start >= 0) out.push([start, end]);
      start = -1;
      if (ch === "]") depth--;
      continue;
    }
    if (depth === 1 && start < 0) start = i;
    if (ch === '"') inString = true;
    else if (ch === "[" || ch === "{") depth++;
    else if (ch === "]" || ch === "}") depth--;
    end = i + 1;
  }
  return out;
}
