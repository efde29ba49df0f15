/**
 * Attribute keys Coze Loop reads from OTel spans (`cozeloop.*`, GenAI semantic conventions,
 * OpenInference), how each becomes a field or a well-known tag, and where the remaining
 * attributes go (a typed tag map chosen by the value's OTLP type).
 */
import type { OtlpAnyValue, OtlpAttributes, OtlpEvent, OtlpSpan } from "./types.ts";
import { StatusCode } from "./types.ts";
import { plainValue, safeNumber, toBase64 } from "./_values.ts";
import { IO_KEYS, IO_PREFIXES } from "./_io.ts";
import { memoByKey } from "./_key_memo.ts";

/** Keys naming the span type, first present wins; values are mapped by SPAN_TYPES. */
export const SPAN_TYPE_KEYS = [
  "cozeloop.span_type",
  "gen_ai.request.type", // Traceloop
  "gen_ai.operation.name",
  "openinference.span.kind",
];

/** Operation names and OpenInference kinds with a Coze Loop span type; others pass as they are. */
export const SPAN_TYPES: Record<string, string> = {
  chat: "model",
  generate_content: "model",
  text_completion: "model",
  execute_tool: "tool",
  LLM: "model",
  TOOL: "tool",
  RETRIEVER: "retriever",
  AGENT: "agent",
};

/** Well-known string tags and their source keys, first present wins. */
export const STRING_TAGS: Record<string, string[]> = {
  thread_id: ["session.id"],
  user_id: ["user.id"],
  message_id: ["messaging.message.id"],
  model_provider: ["gen_ai.system", "gen_ai.provider.name"],
  model_name: ["gen_ai.request.model", "gen_ai.response.model", "llm.model_name"],
  prompt_key: ["cozeloop.prompt_key"],
  prompt_version: ["cozeloop.prompt_version"],
  prompt_provider: ["cozeloop.prompt_provider"],
};

/** Well-known integer tags. `start_time_first_resp` is an absolute time in µs. */
export const LONG_TAGS: Record<string, string[]> = {
  input_tokens: [
    "gen_ai.usage.input_tokens",
    "gen_ai.usage.prompt_tokens",
    "llm.token_count.prompt",
  ],
  output_tokens: [
    "gen_ai.usage.output_tokens",
    "gen_ai.usage.completion_tokens",
    "llm.token_count.completion",
  ],
  start_time_first_resp: ["cozeloop.time_to_first_token"],
};

/** Well-known boolean tags. */
export const BOOL_TAGS: Record<string, string[]> = {
  stream: ["cozeloop.stream", "llm.is_streaming"],
};

/** Request parameters merged into the `call_options` tag, by their name there. */
export const CALL_OPTIONS: Record<string, string> = {
  temperature: "gen_ai.request.temperature",
  top_p: "gen_ai.request.top_p",
  top_k: "gen_ai.request.top_k",
  max_tokens: "gen_ai.request.max_tokens",
  frequency_penalty: "gen_ai.request.frequency_penalty",
  presence_penalty: "gen_ai.request.presence_penalty",
  stop: "gen_ai.request.stop_sequences",
};

/** Keys read into span fields. */
export const FIELD_KEYS = {
  workspace: "cozeloop.workspace_id",
  logId: "cozeloop.logid",
  statusCode: "cozeloop.status_code",
  runtime: "cozeloop.system_tag_runtime",
  service: "service.name",
};

const CONSUMED = new Set<string>([
  ...SPAN_TYPE_KEYS,
  ...[STRING_TAGS, LONG_TAGS, BOOL_TAGS].flatMap((t) => Object.values(t).flat()),
  ...Object.values(CALL_OPTIONS),
  ...Object.values(FIELD_KEYS),
  ...IO_KEYS,
]);
/** Error details are folded into the `error` tag (the reference's `error` and `exception`). */
const CONSUMED_PREFIXES = [...IO_PREFIXES, "error", "exception"];
const CONSUMED_DOTTED = CONSUMED_PREFIXES.map((p) => p + ".");

/** Whether an attribute is read into a field or well-known tag (so not copied as a tag). */
export const isConsumed: (key: string) => boolean = memoByKey((key) =>
  CONSUMED.has(key) || CONSUMED_PREFIXES.includes(key) ||
  CONSUMED_DOTTED.some((dotted) => key.startsWith(dotted))
);

/** The value as a string, when it is one. */
export function asString(v: OtlpAnyValue | undefined): string | undefined {
  return v?.type === "string" ? v.value : undefined;
}

/** The value as an integer: ints, truncated doubles and numeric strings. */
export function asLong(v: OtlpAnyValue | undefined): bigint | undefined {
  if (v?.type === "int") return v.value;
  if (v?.type === "double" && Number.isFinite(v.value)) return BigInt(Math.trunc(v.value));
  if (v?.type === "string" && /^-?\d+$/.test(v.value.trim())) return BigInt(v.value.trim());
  return undefined;
}

/** The value as a float: doubles, ints and numeric strings. */
export function asDouble(v: OtlpAnyValue | undefined): number | undefined {
  if (v?.type === "double") return v.value;
  if (v?.type === "int") return Number(v.value);
  if (v?.type !== "string" || v.value.trim() === "") return undefined;
  const n = Number(v.value);
  return Number.isNaN(n) ? undefined : n;
}

/** The value as a boolean: bools and the strings "true"/"false". */
export function asBool(v: OtlpAnyValue | undefined): boolean | undefined {
  if (v?.type === "bool") return v.value;
  if (v?.type === "string" && (v.value === "true" || v.value === "false")) {
    return v.value === "true";
  }
  return undefined;
}

/** The first of `keys` whose value converts, with `convert`. */
export function firstOf<T>(
  attrs: OtlpAttributes,
  keys: string[],
  convert: (v: OtlpAnyValue | undefined) => T | undefined,
): T | undefined {
  for (const key of keys) {
    const value = convert(attrs.get(key));
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Typed tag maps of one span (InputSpan's). */
export interface TagMaps {
  string: Record<string, string>;
  long: Record<string, number | string>;
  double: Record<string, number>;
  bool: Record<string, boolean>;
  bytes: Record<string, string>;
}

/** Sets an own property even for `__proto__`, which plain assignment would not. */
export function setTag<T>(map: Record<string, T>, key: string, value: T): void {
  // Only `__proto__` has a setter on a plain object; every other key assigns an own property.
  if (key !== "__proto__") map[key] = value;
  else {
    Object.defineProperty(map, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
}

/** Stores a value in the map of its OTLP type; arrays and kvlists as JSON strings. */
export function putTyped(tags: TagMaps, key: string, v: OtlpAnyValue): void {
  switch (v.type) {
    case "string":
      return setTag(tags.string, key, v.value);
    case "int":
      return setTag(tags.long, key, safeNumber(v.value));
    case "double": // NaN and ±Infinity have no JSON number form
      return Number.isFinite(v.value)
        ? setTag(tags.double, key, v.value)
        : setTag(tags.string, key, String(v.value));
    case "bool":
      return setTag(tags.bool, key, v.value);
    case "bytes":
      return setTag(tags.bytes, key, toBase64(v.value));
    case "array":
    case "kvlist":
      return setTag(tags.string, key, JSON.stringify(plainValue(v)));
  }
}

function describeException(attrs: OtlpAttributes, prefix: string): string | undefined {
  const type = asString(attrs.get(`${prefix}.type`));
  const message = asString(attrs.get(`${prefix}.message`));
  if (type && message) return `${type}: ${message}`;
  return message || type || undefined;
}

/**
 * The `error` tag: the ERROR status message, else the first `exception` event, else the
 * span's own `exception.*` / `error.*` / `error` attributes; "error" for a bare ERROR status.
 */
export function errorText(span: OtlpSpan): string | undefined {
  const failed = span.status.code === StatusCode.ERROR;
  if (failed && span.status.message !== "") return span.status.message;
  const exception: OtlpEvent | undefined = span.events.find((e) => e.name === "exception");
  if (exception) return describeException(exception.attributes, "exception") ?? "exception";
  const a = span.attributes;
  const fromAttrs = describeException(a, "exception") ?? asString(a.get("error.message")) ??
    errorFlag(a.get("error")) ?? asString(a.get("error.type"));
  return fromAttrs || (failed ? "error" : undefined);
}

/** `error` as a message, or a flag some instrumentations set (`error=true`; false is no error). */
function errorFlag(v: OtlpAnyValue | undefined): string | undefined {
  if (v === undefined || v.type === "empty" || (v.type === "bool" && !v.value)) return undefined;
  if (v.type === "bool") return "error";
  const plain = plainValue(v);
  return typeof plain === "string" ? plain || undefined : JSON.stringify(plain);
}
