/**
 * A span's `input` and `output` strings. Priority: the explicit `cozeloop.input/output`, then
 * GenAI message events, then message attributes (semconv `gen_ai.input/output.messages`, the
 * older `gen_ai.prompt/completion`, OpenInference `llm.*_messages`), then plain text
 * attributes (OpenInference `input.value`, tool call arguments/results, Spring AI's).
 * Coze Loop lets events and message attributes win over every plain key, `cozeloop.*`
 * included; we keep the explicit `cozeloop.*` first, since an SDK sets it on purpose.
 */
import type { OtlpAttributes, OtlpSpan } from "./types.ts";
import { plainValue } from "./_values.ts";
import {
  eventObject,
  indexPrefixes,
  modelTools,
  type PrefixIndex,
  toChoices,
  toModelMessages,
  unflatten,
} from "./_messages.ts";

/** Input message events (semconv before 1.37) and the role each implies. */
const INPUT_EVENTS: Record<string, string> = {
  "gen_ai.system.message": "system",
  "gen_ai.user.message": "user",
  "gen_ai.assistant.message": "assistant",
  "gen_ai.tool.message": "tool",
};
const CHOICE_EVENT = "gen_ai.choice";
/** Spring AI puts the whole prompt/completion text in one event attribute. */
const SPRING_EVENTS = { prompt: "gen_ai.content.prompt", completion: "gen_ai.content.completion" };

/** Events consumed as input/output, hence not repeated in the `events` tag. */
export const MESSAGE_EVENTS: ReadonlySet<string> = new Set([
  ...Object.keys(INPUT_EVENTS),
  CHOICE_EVENT,
  SPRING_EVENTS.prompt,
  SPRING_EVENTS.completion,
]);

/** Attribute keys read as input/output, hence not repeated as tags. */
export const IO_KEYS: readonly string[] = [
  "cozeloop.input",
  "cozeloop.output",
  "input.value",
  "output.value",
  "gen_ai.input",
  "gen_ai.output",
  "gen_ai.tool.call.arguments",
  "gen_ai.tool.call.result",
  "spring.ai.tool.call.arguments",
  "spring.ai.tool.call.result",
];

/** Attribute prefixes (the key itself or `prefix.*`) read as input/output. */
export const IO_PREFIXES: readonly string[] = [
  "gen_ai.input.messages",
  "gen_ai.output.messages",
  "gen_ai.prompt",
  "gen_ai.completion",
  "llm.input_messages",
  "llm.output_messages",
  "gen_ai.request.functions",
  "gen_ai.tool.definitions",
  "llm.tools",
];

const INPUT_KEYS = [
  "input.value",
  "spring.ai.tool.call.arguments",
  "gen_ai.input",
  "gen_ai.tool.call.arguments",
];
const OUTPUT_KEYS = [
  "output.value",
  "spring.ai.tool.call.result",
  "gen_ai.output",
  "gen_ai.tool.call.result",
];

/** The attributes under each prefix of IO_PREFIXES, for spanInput and spanOutput. */
export function ioIndex(span: OtlpSpan): PrefixIndex {
  return indexPrefixes(span.attributes, IO_PREFIXES);
}

/** The span's input ("" when it has none). */
export function spanInput(span: OtlpSpan, index: PrefixIndex = ioIndex(span)): string {
  const a = span.attributes;
  return text(a, "cozeloop.input") ?? inputFromEvents(span, index) ??
    inputFromMessages(a, "gen_ai.input.messages", index) ??
    inputFromMessages(a, "gen_ai.prompt", index) ??
    inputFromMessages(a, "llm.input_messages", index) ?? firstText(a, INPUT_KEYS) ?? "";
}

/** The span's output ("" when it has none). */
export function spanOutput(span: OtlpSpan, index: PrefixIndex = ioIndex(span)): string {
  const a = span.attributes;
  return text(a, "cozeloop.output") ?? outputFromEvents(span) ??
    outputFromMessages(a, "gen_ai.output.messages", index) ??
    outputFromMessages(a, "gen_ai.completion", index) ??
    outputFromMessages(a, "llm.output_messages", index) ?? firstText(a, OUTPUT_KEYS) ?? "";
}

/** The attribute as text; an empty one counts as absent, so that lower sources still apply. */
function text(attrs: OtlpAttributes, key: string): string | undefined {
  const value = attrs.get(key);
  if (value === undefined || value.type === "empty") return undefined;
  const plain = plainValue(value);
  return (typeof plain === "string" ? plain : JSON.stringify(plain)) || undefined;
}

function firstText(attrs: OtlpAttributes, keys: string[]): string | undefined {
  for (const key of keys) {
    const value = text(attrs, key);
    if (value !== undefined) return value;
  }
  return undefined;
}

function modelInput(messages: unknown[], attrs: OtlpAttributes, index: PrefixIndex): string {
  const tools = modelTools(attrs, index);
  return JSON.stringify(tools ? { messages, tools } : { messages });
}

function inputFromEvents(span: OtlpSpan, index: PrefixIndex): string | undefined {
  if (span.events.length === 0) return undefined;
  const messages = span.events.filter((e) => e.name in INPUT_EVENTS)
    .flatMap((e) => toModelMessages(eventObject(e.attributes), INPUT_EVENTS[e.name]));
  if (messages.length > 0) return modelInput(messages, span.attributes, index);
  const spring = span.events.find((e) => e.name === SPRING_EVENTS.prompt);
  return spring ? text(spring.attributes, "gen_ai.prompt") : undefined;
}

function outputFromEvents(span: OtlpSpan): string | undefined {
  if (span.events.length === 0) return undefined;
  const choices = span.events.filter((e) => e.name === CHOICE_EVENT)
    .flatMap((e) => toChoices(eventObject(e.attributes)));
  if (choices.length > 0) return JSON.stringify({ choices });
  const spring = span.events.find((e) => e.name === SPRING_EVENTS.completion);
  return spring ? text(spring.attributes, "gen_ai.completion") : undefined;
}

function inputFromMessages(
  attrs: OtlpAttributes,
  prefix: string,
  index: PrefixIndex,
): string | undefined {
  const raw = unflatten(attrs, prefix, index);
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) return typeof raw === "string" ? raw : JSON.stringify(raw);
  return modelInput(raw.flatMap((m) => toModelMessages(m)), attrs, index);
}

function outputFromMessages(
  attrs: OtlpAttributes,
  prefix: string,
  index: PrefixIndex,
): string | undefined {
  const raw = unflatten(attrs, prefix, index);
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) return typeof raw === "string" ? raw : JSON.stringify(raw);
  return JSON.stringify({ choices: raw.flatMap(toChoices) });
}
