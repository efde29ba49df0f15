/**
 * A span's input or output read for display: chat messages (the SDKs' `{messages, tools}`
 * and `{choices: [{message}]}`, OpenAI's content parts, `gen_ai` parts as the server stores
 * them) with tool calls and image parts, else JSON, else text. Image and file references
 * that name an uploaded attachment (the SDKs replace inline data with its storage key)
 * resolve to the span's presigned URLs. Pure logic: tests/unit/ui_trace_content_test.ts.
 */

/** One part of a message. */
export type ChatPart =
  | { kind: "text"; text: string }
  | { kind: "image" | "file"; ref: string; url?: string; name?: string };

/** A tool call a message makes. */
export interface ToolCall {
  id?: string;
  name: string;
  arguments: string;
}

/** A chat message. */
export interface ChatMessage {
  role: string;
  name?: string;
  parts: ChatPart[];
  toolCalls: ToolCall[];
  toolCallId?: string;
  reasoning?: string;
  finishReason?: string;
}

/** A tool the model was offered. */
export interface ToolDef {
  name: string;
  description: string;
  parameters?: unknown;
}

/** A span field read for display. */
export type SpanContent =
  | { kind: "empty" }
  | { kind: "chat"; messages: ChatMessage[]; tools: ToolDef[]; params?: Record<string, unknown> }
  | { kind: "json"; value: unknown }
  | { kind: "text"; text: string };

/** An uploaded file a span names in `object_storage`. */
export interface SpanAttachment {
  field: string;
  name: string;
  type: string;
  key: string;
  /** Its presigned URL, when the server gave one. */
  url?: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const asText = (v: unknown) =>
  v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v);

/** A URL safe to show or link: http(s), or an inline image; else undefined. */
export function safeUrl(u: string | undefined): string | undefined {
  if (!u) return undefined;
  const t = u.trim();
  if (/^https?:\/\//i.test(t)) return t;
  if (/^data:image\/(png|jpeg|gif|webp|avif|bmp);base64,/i.test(t)) return t;
  return undefined;
}

/** The JSON value of a text holding an object or array, else undefined. */
export function parseJsonish(text: string): unknown {
  const t = text.trim();
  if (!(t.startsWith("{") && t.endsWith("}")) && !(t.startsWith("[") && t.endsWith("]"))) {
    return undefined;
  }
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

/** The text as indented JSON when it is JSON, else unchanged. */
export function prettyJson(text: string): string {
  const v = parseJsonish(text);
  return v === undefined ? text : JSON.stringify(v, null, 2);
}

/** Reads a span's input or output; `resolve` maps an attachment key to its URL. */
export function parseSpanContent(
  raw: string | undefined,
  resolve: (ref: string) => string | undefined = () => undefined,
): SpanContent {
  if (!raw || !raw.trim()) return { kind: "empty" };
  const value = parseJsonish(raw);
  if (value === undefined) return { kind: "text", text: raw };
  const ref = (r: string) => resolve(r) ?? safeUrl(r);
  const messages = toMessages(value, ref);
  if (!messages) return { kind: "json", value };
  const tools = isObject(value) && Array.isArray(value.tools) ? toolDefs(value.tools) : [];
  const params = isObject(value) ? restOf(value) : undefined;
  return { kind: "chat", messages, tools, ...(params ? { params } : {}) };
}

const isMessage = (m: unknown): m is Json => isObject(m) && typeof m.role === "string";

function toMessages(v: unknown, ref: Ref): ChatMessage[] | undefined {
  if (Array.isArray(v)) {
    return v.length && v.every(isMessage) ? v.map((m) => message(m, "", ref)) : undefined;
  }
  if (!isObject(v)) return undefined;
  if (Array.isArray(v.messages) && v.messages.every(isMessage)) {
    return v.messages.map((m) => message(m, "", ref));
  }
  if (Array.isArray(v.choices) && v.choices.length) {
    const choices = v.choices.filter(isObject);
    if (choices.length !== v.choices.length) return undefined;
    const msgs = choices.map((c) =>
      isObject(c.message) ? c.message : isObject(c.delta) ? c.delta : c
    );
    if (!msgs.every((m) => isObject(m) && ("content" in m || "parts" in m || "tool_calls" in m))) {
      return undefined;
    }
    return choices.map((c, i) => ({
      ...message(msgs[i], "assistant", ref),
      ...(c.finish_reason ? { finishReason: asText(c.finish_reason) } : {}),
    }));
  }
  if (isMessage(v.message)) {
    return [{
      ...message(v.message, "assistant", ref),
      ...(v.finish_reason ? { finishReason: asText(v.finish_reason) } : {}),
    }];
  }
  if (isMessage(v) && ("content" in v || "parts" in v || "tool_calls" in v)) {
    return [message(v, "", ref)];
  }
  return undefined;
}

type Ref = (r: string) => string | undefined;

function message(m: Json, defaultRole: string, ref: Ref): ChatMessage {
  const out: ChatMessage = {
    role: str(m.role) || defaultRole || "unknown",
    parts: [],
    toolCalls: [],
  };
  if (str(m.name)) out.name = m.name as string;
  if (str(m.tool_call_id)) out.toolCallId = m.tool_call_id as string;
  if (str(m.reasoning_content)) out.reasoning = m.reasoning_content as string;
  if (typeof m.content === "string") {
    if (m.content !== "") out.parts.push({ kind: "text", text: m.content });
  } else if (m.content !== undefined && m.content !== null && !Array.isArray(m.content)) {
    out.parts.push({ kind: "text", text: asText(m.content) });
  }
  for (const list of [m.content, m.parts]) {
    if (Array.isArray(list)) { for (const p of list) part(p, out, ref); }
  }
  const calls = Array.isArray(m.tool_calls) ? m.tool_calls : [];
  for (const c of calls) {
    if (!isObject(c)) continue;
    const fn = isObject(c.function) ? c.function : isObject(c.function_call) ? c.function_call : c;
    out.toolCalls.push({
      ...(str(c.id) ? { id: c.id as string } : {}),
      name: asText(fn.name),
      arguments: asText(fn.arguments),
    });
  }
  if (isObject(m.function_call)) {
    out.toolCalls.push({
      name: asText(m.function_call.name),
      arguments: asText(m.function_call.arguments),
    });
  }
  return out;
}

function part(p: unknown, out: ChatMessage, ref: Ref): void {
  if (typeof p === "string") {
    out.parts.push({ kind: "text", text: p });
    return;
  }
  if (!isObject(p)) return;
  const type = str(p.type) ?? "";
  if (type === "text" || type === "input_text" || type === "output_text") {
    out.parts.push({ kind: "text", text: asText(p.text ?? p.content) });
  } else if (type === "image_url" || type === "image" || type === "input_image") {
    const img = p.image_url ?? p.url ?? p.image;
    const r = isObject(img) ? asText(img.url) : asText(img);
    const name = isObject(img) ? str(img.name) : undefined;
    out.parts.push(media("image", r, name, ref));
  } else if (type === "file_url" || type === "file") {
    const f = p.file_url ?? p.url ?? p.file;
    const r = isObject(f) ? asText(f.url) : asText(f);
    out.parts.push(media("file", r, isObject(f) ? str(f.name) : str(p.name), ref));
  } else if (type === "tool_call") {
    out.toolCalls.push({
      ...(str(p.id) ? { id: p.id as string } : {}),
      name: asText(p.name),
      arguments: asText(p.arguments),
    });
  } else if (type === "tool_call_response") {
    if (str(p.id) && !out.toolCallId) out.toolCallId = p.id as string;
    out.parts.push({ kind: "text", text: asText(p.response ?? p.result) });
  } else if (type === "reasoning") {
    out.reasoning = asText(p.text ?? p.content);
  } else {
    out.parts.push({ kind: "text", text: JSON.stringify(p) });
  }
}

function media(kind: "image" | "file", r: string, name: string | undefined, ref: Ref): ChatPart {
  const url = r ? ref(r) : undefined;
  return { kind, ref: r, ...(url ? { url } : {}), ...(name ? { name } : {}) };
}

function toolDefs(list: unknown[]): ToolDef[] {
  return list.filter(isObject).map((t) => {
    const fn = isObject(t.function) ? t.function : t;
    let parameters = fn.parameters;
    if (typeof parameters === "string") parameters = parseJsonish(parameters) ?? parameters;
    return { name: asText(fn.name), description: asText(fn.description), parameters };
  });
}

function restOf(v: Json): Record<string, unknown> | undefined {
  const rest = Object.fromEntries(
    Object.entries(v).filter(([k]) => !["messages", "choices", "tools", "message"].includes(k)),
  );
  return Object.keys(rest).length ? rest : undefined;
}

/** The uploaded files of a span (`object_storage`), with their URLs (`attr_tos`). */
export function spanAttachments(
  objectStorage: string | undefined,
  urls: Record<string, string> | undefined,
): SpanAttachment[] {
  const o = objectStorage ? parseJsonish(objectStorage) : undefined;
  if (!isObject(o)) return [];
  // The Go SDK writes Go's key case (`Attachments`, `TosKey`): read keys case-insensitively.
  const get = (x: Json, k: string) =>
    x[k] ??
      Object.entries(x).find(([key]) => key.replace(/_/g, "").toLowerCase() === k.replace(/_/g, ""))
        ?.[1];
  const list = get(o, "attachments");
  if (!Array.isArray(list)) return [];
  return list.filter(isObject).map((a) => {
    const key = asText(get(a, "tos_key"));
    const url = safeUrl(urls?.[key]);
    return {
      field: asText(get(a, "field")),
      name: asText(get(a, "name")),
      type: asText(get(a, "type")),
      key,
      ...(url ? { url } : {}),
    };
  }).filter((a) => a.key);
}

/** A one-line preview of an input or output: for a chat, its last message's text. */
export function contentPreview(raw: string | undefined, max = 200): string {
  if (!raw) return "";
  let text = raw.slice(0, 50_000);
  if (raw.length <= 50_000) {
    const c = parseSpanContent(raw);
    const last = c.kind === "chat" ? c.messages.at(-1) : undefined;
    if (last) {
      text = [
        ...last.parts.map((p) => (p.kind === "text" ? p.text : `[${p.kind}]`)),
        ...last.toolCalls.map((t) => `${t.name}(${t.arguments})`),
      ].join(" ");
    }
  }
  return text.replace(/\s+/g, " ").trim().slice(0, max);
}
