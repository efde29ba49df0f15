/**
 * Derived tags of a span: the well-known ones (model, tokens, prompt, stream, call options,
 * first-response latency), the non-message events, and the system tags (resource attributes
 * and the `runtime` description Coze Loop records for OTel spans).
 */
import type { OtlpAttributes, OtlpScope, OtlpSpan } from "./types.ts";
import { plainValue, safeNumber } from "./_values.ts";
import { MESSAGE_EVENTS } from "./_io.ts";
import {
  asBool,
  asDouble,
  asLong,
  asString,
  BOOL_TAGS,
  CALL_OPTIONS,
  FIELD_KEYS,
  firstOf,
  LONG_TAGS,
  putTyped,
  setTag,
  STRING_TAGS,
  type TagMaps,
} from "./_fields.ts";

const STRING_TAG_LIST = Object.entries(STRING_TAGS);
const LONG_TAG_LIST = Object.entries(LONG_TAGS);
const BOOL_TAG_LIST = Object.entries(BOOL_TAGS);
const CALL_OPTION_LIST = Object.entries(CALL_OPTIONS);

/** Sets the well-known tags of `span` in `tags`, overriding generic ones of the same name. */
export function knownTags(span: OtlpSpan, startMicros: number, tags: TagMaps): void {
  const a = span.attributes;
  for (const [tag, keys] of STRING_TAG_LIST) {
    const value = firstOf(a, keys, asString);
    if (value !== undefined) setTag(tags.string, tag, value);
  }
  const longs: Record<string, bigint> = {};
  for (const [tag, keys] of LONG_TAG_LIST) {
    const value = firstOf(a, keys, asLong);
    if (value === undefined) continue;
    longs[tag] = value;
    setTag(tags.long, tag, safeNumber(value));
  }
  const input = longs.input_tokens ?? 0n, output = longs.output_tokens ?? 0n;
  if (input > 0n || output > 0n) setTag(tags.long, "tokens", safeNumber(input + output));
  if (longs.start_time_first_resp !== undefined) {
    const latency = longs.start_time_first_resp - BigInt(startMicros);
    setTag(tags.long, "latency_first_resp", safeNumber(latency));
  }
  for (const [tag, keys] of BOOL_TAG_LIST) {
    const value = firstOf(a, keys, asBool);
    if (value !== undefined) setTag(tags.bool, tag, value);
  }
  const options = callOptions(a);
  if (options !== undefined) setTag(tags.string, "call_options", options);
  const events = otherEvents(span);
  if (events !== undefined) setTag(tags.string, "events", events);
}

/** The GenAI request parameters as Coze Loop's `call_options` JSON (ModelCallOption). */
function callOptions(attrs: OtlpAttributes): string | undefined {
  const options: Record<string, unknown> = {};
  for (const [name, key] of CALL_OPTION_LIST) {
    const v = attrs.get(key);
    if (v === undefined) continue;
    const value = name === "stop"
      ? (v.type === "array" ? v.value.map((x) => String(plainValue(x))) : asString(v)?.split(","))
      : name === "top_k" || name === "max_tokens"
      ? (asLong(v) === undefined ? undefined : safeNumber(asLong(v)!))
      : asDouble(v);
    if (value !== undefined) options[name] = value;
  }
  return Object.keys(options).length > 0 ? JSON.stringify(options) : undefined;
}

/** Events other than GenAI messages (exceptions included, for their stack traces), as JSON. */
function otherEvents(span: OtlpSpan): string | undefined {
  const events = span.events.filter((e) => !MESSAGE_EVENTS.has(e.name)).map((e) => ({
    name: e.name,
    time_unix_nano: e.timeUnixNano.toString(),
    attributes: Object.fromEntries([...e.attributes].map(([k, v]) => [k, plainValue(v)])),
  }));
  return events.length > 0 ? JSON.stringify(events) : undefined;
}

/** System tag maps: resource attributes (but service.name, a field) and `runtime`. */
export function systemTags(span: OtlpSpan, resource: OtlpAttributes, scope: OtlpScope) {
  const tags: TagMaps = { string: {}, long: {}, double: {}, bool: {}, bytes: {} };
  for (const [key, value] of resource) {
    if (key !== FIELD_KEYS.service) putTyped(tags, key, value);
  }
  // System tags have no bool or bytes maps: those values travel as strings.
  for (const [key, value] of Object.entries(tags.bool)) setTag(tags.string, key, String(value));
  for (const [key, value] of Object.entries(tags.bytes)) setTag(tags.string, key, value);
  setTag(tags.string, "runtime", runtime(span, resource, scope));
  return { string: tags.string, long: tags.long, double: tags.double };
}

/**
 * Coze Loop's `runtime` system tag: the span's `cozeloop.system_tag_runtime` when set, else
 * a description of the OTel SDK (language, version) and the instrumentation scope.
 */
function runtime(span: OtlpSpan, resource: OtlpAttributes, scope: OtlpScope): string {
  const explicit = asString(span.attributes.get(FIELD_KEYS.runtime));
  if (explicit) return explicit;
  const text = (key: string) => {
    const v = resource.get(key);
    return v === undefined ? undefined : String(plainValue(v));
  };
  return JSON.stringify({
    language: text("telemetry.sdk.language") ?? "",
    library: "opentelemetry",
    scene: scope.name || undefined,
    scene_version: scope.version || undefined,
    library_version: text("telemetry.sdk.version"),
  });
}
