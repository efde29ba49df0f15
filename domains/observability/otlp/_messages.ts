/**
 * GenAI messages to Coze Loop's model input/output JSON (`{messages, tools}` and
 * `{choices:[{message}]}`), from the three shapes instrumentations use: flattened attributes
 * (`gen_ai.prompt.0.role`, OpenInference `llm.input_messages.0.message.content`), one JSON
 * attribute (`gen_ai.input.messages`, parts-based), and per-message events.
 */
import type { OtlpAnyValue, OtlpAttributes } from "./types.ts";
import { plainValue } from "./_values.ts";
import { memoByKey } from "./_key_memo.ts";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A JSON string parsed when it holds an object or array; any other value as it is. */
export function parseJsonish(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const text = value.trim();
  if (!text.startsWith("{") && !text.startsWith("[")) return value;
  try {
    return JSON.parse(text);
  } catch {
    return value;
  }
}

/** Attributes under each of some prefixes (`prefix.*` keys), found in one pass. */
export type PrefixIndex = Map<string, [string, OtlpAnyValue][]>;

const NO_PREFIXES: readonly number[] = [];
/** Per prefix list: which of its prefixes (their positions) a key is under, as `prefix.*`. */
const prefixesOfKey = new WeakMap<readonly string[], (key: string) => readonly number[]>();

function prefixesOf(prefixes: readonly string[]): (key: string) => readonly number[] {
  let of = prefixesOfKey.get(prefixes);
  if (of === undefined) {
    of = memoByKey((key) => {
      const under: number[] = [];
      for (let i = 0; i < prefixes.length; i++) {
        const p = prefixes[i];
        if (key.length > p.length + 1 && key.charCodeAt(p.length) === 46 && key.startsWith(p)) {
          under.push(i);
        }
      }
      return under.length === 0 ? NO_PREFIXES : under;
    });
    prefixesOfKey.set(prefixes, of);
  }
  return of;
}

/**
 * Indexes `attrs` by `prefixes`: unflatten then reads only the keys under a prefix. Each
 * distinct key is matched against the prefixes once per process (spans repeat their keys).
 */
export function indexPrefixes(attrs: OtlpAttributes, prefixes: readonly string[]): PrefixIndex {
  const index: PrefixIndex = new Map();
  for (const p of prefixes) index.set(p, []);
  const under = prefixesOf(prefixes);
  for (const entry of attrs) {
    const positions = under(entry[0]);
    for (let i = 0; i < positions.length; i++) index.get(prefixes[positions[i]])!.push(entry);
  }
  return index;
}

/**
 * The value under `prefix`: the attribute itself (a JSON string is parsed), or the structure
 * rebuilt from `prefix.<path>` keys where numeric segments are array indexes. A shorter key
 * wins over deeper ones under it. Undefined when there is neither. With an `index` that has
 * the prefix, only its keys are read.
 */
export function unflatten(attrs: OtlpAttributes, prefix: string, index?: PrefixIndex): unknown {
  const own = attrs.get(prefix);
  if (own !== undefined) return parseJsonish(plainValue(own));
  const under = index?.get(prefix);
  if (under !== undefined && under.length === 0) return undefined;
  const root: Tree = new Map();
  let found = false;
  const dotted = prefix === "" ? "" : prefix + ".";
  for (const [key, value] of under ?? attrs) {
    if (!key.startsWith(dotted)) continue;
    const parts = (prefix === "" ? key : key.slice(dotted.length)).split(".");
    if (parts.length > MAX_KEY_DEPTH) continue; // deeper keys are dropped: they bound recursion
    insert(root, parts, value);
    found = true;
  }
  return found ? toPlain(root) : undefined;
}

/** Event attributes as one nested object (`message.role` -> `{message: {role}}`). */
export function eventObject(attrs: OtlpAttributes): Json {
  const value = unflatten(attrs, "");
  return isObject(value) ? value : {};
}

type Tree = Map<string, Tree | { leaf: unknown }>;

/** Key segments rebuilt into structure. */
const MAX_KEY_DEPTH = 16;

function insert(tree: Tree, parts: string[], value: Parameters<typeof plainValue>[0]): void {
  let node = tree;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i];
    const next = node.get(part);
    if (next !== undefined && !(next instanceof Map)) return; // a shorter key already holds it
    if (next === undefined) node.set(part, node = new Map());
    else node = next;
  }
  // Leaves stay as sent: a message `content` that happens to look like JSON is still text.
  node.set(parts[parts.length - 1], { leaf: plainValue(value) });
}

/** Whether `k` is an array index: one or more ASCII digits. */
function isIndex(k: string): boolean {
  if (k.length === 0) return false;
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function toPlain(tree: Tree): unknown {
  let numeric = tree.size > 0;
  for (const k of tree.keys()) {
    if (!isIndex(k)) {
      numeric = false;
      break;
    }
  }
  if (numeric) {
    const items = [...tree].sort((a, b) => Number(a[0]) - Number(b[0]));
    return items.map(([, v]) => v instanceof Map ? toPlain(v) : v.leaf);
  }
  const out: Json = {};
  for (const [k, v] of tree) {
    const value = v instanceof Map ? toPlain(v) : v.leaf;
    if (k === "__proto__") {
      Object.defineProperty(out, k, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else out[k] = value;
  }
  return out;
}

const asText = (v: unknown): string | undefined =>
  v === undefined || v === null ? undefined : typeof v === "string" ? v : JSON.stringify(v);

/**
 * One source message to Coze Loop messages: `content` or `parts`, reasoning, tool calls and
 * tool results. A message carrying several tool results becomes one message per result,
 * as chat APIs want one tool message per call.
 */
export function toModelMessages(source: unknown, defaultRole?: string): Json[] {
  if (!isObject(source)) return [];
  const msg = isObject(source.message) ? source.message : source;
  const out: Json = { role: msg.role ?? defaultRole };
  if (typeof msg.content === "string") out.content = msg.content;
  if (typeof msg.reasoning_content === "string") out.reasoning_content = msg.reasoning_content;
  if (typeof msg.tool_call_id === "string") out.tool_call_id = msg.tool_call_id;
  const rawParts = [msg.contents, msg.content, msg.parts].find((p) => Array.isArray(p));
  const { parts, toolCalls, results } = convertParts((rawParts ?? []) as unknown[], out);
  const calls = [...toolCalls, ...convertToolCalls(parseJsonish(msg.tool_calls))];
  if (parts.length > 0) out.parts = parts;
  if (calls.length > 0) out.tool_calls = calls;
  if (results.length > 1) return results.map((r) => ({ role: out.role, ...r }));
  if (results.length === 1) Object.assign(out, results[0]);
  return [out];
}

function convertParts(raw: unknown[], msg: Json) {
  const parts: Json[] = [], toolCalls: Json[] = [], results: Json[] = [];
  for (const item of raw) {
    if (!isObject(item)) continue;
    const p = isObject(item.message_content) ? item.message_content : item;
    const text = p.text ?? p.content;
    switch (p.type) {
      case "text":
        parts.push({ type: "text", text });
        break;
      case "image":
      case "image_url": {
        const url = isObject(p.image_url) ? p.image_url.url : p.image_url ?? p.url;
        parts.push({ type: "image_url", image_url: { url } });
        break;
      }
      case "reasoning":
        msg.reasoning_content = text;
        break;
      case "tool_call":
        toolCalls.push(toolCall(p.id, p.name, p.arguments));
        break;
      case "tool_call_response":
        results.push({ content: asText(p.response ?? p.result), tool_call_id: p.id });
        break;
    }
  }
  return { parts, toolCalls, results };
}

function toolCall(id: unknown, name: unknown, args: unknown): Json {
  return { type: "function", id, function: { name, arguments: asText(args) } };
}

function convertToolCalls(raw: unknown): Json[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isObject).map((item) => {
    const call = isObject(item.tool_call) ? item.tool_call : item;
    const fn = isObject(call.function) ? call.function : call;
    return toolCall(call.id, fn.name, fn.arguments);
  });
}

/** One output message (or a `{message, finish_reason, index}` choice) as a choice. */
export function toChoices(source: unknown): Json[] {
  if (!isObject(source)) return [];
  const extra: Json = {};
  if (source.index !== undefined) extra.index = source.index;
  if (source.finish_reason !== undefined) extra.finish_reason = source.finish_reason;
  return toModelMessages(parseJsonish(source.message) ?? source, "assistant")
    .map((message) => ({ ...extra, message }));
}

/**
 * Tool definitions: `gen_ai.request.functions.N.*` (parameters as a JSON string),
 * `gen_ai.tool.definitions` (a JSON array, with or without a `function` wrapper) or
 * OpenInference `llm.tools.N.tool.json_schema`. Undefined when there are none.
 */
export function modelTools(attrs: OtlpAttributes, index?: PrefixIndex): Json[] | undefined {
  const functions = unflatten(attrs, "gen_ai.request.functions", index);
  const definitions = unflatten(attrs, "gen_ai.tool.definitions", index);
  const openInference = unflatten(attrs, "llm.tools", index);
  const raw = [functions, definitions, openInference].find((t) => Array.isArray(t)) as
    | unknown[]
    | undefined;
  if (raw === undefined) return undefined;
  const tools = raw.filter(isObject).map((item) => {
    const schema = isObject(item.tool) ? parseJsonish(item.tool.json_schema) : item;
    const body = isObject(schema) ? schema : {};
    const fn = isObject(body.function) ? body.function : body;
    const parameters = parseJsonish(fn.parameters ?? "{}");
    return {
      type: "function",
      function: { name: fn.name ?? "", description: fn.description ?? "", parameters },
    };
  });
  return tools.length > 0 ? tools : undefined;
}
