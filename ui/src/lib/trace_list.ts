/**
 * The traces page's state and display rules: its URL parameters, time presets and ranges,
 * span list types, the table's columns, the page-token stack, and duration and token
 * formats. Pure logic: tests/unit/ui_trace_filters_test.ts.
 */
import type { ParamSpecs, UrlState } from "./url_state.ts";
import { contentPreview } from "./span_content.ts";
import { spanTokens, type TreeSpan } from "./trace_tree.ts";

/** Every state of the traces page, in its query string. */
export const TRACES_URL = {
  /** Time preset (see TIME_PRESETS), or `custom` with start and end. */
  time: { kind: "string", default: "1d" },
  start: { kind: "number" },
  end: { kind: "number" },
  /** root, all or llm. */
  type: { kind: "string", default: "root" },
  /** The filter tree, compact (lib/span_filters.ts). */
  filters: { kind: "string" },
  /** The filter builder is open. */
  builder: { kind: "boolean", default: false },
  /** Shown columns, in order. */
  cols: { kind: "list" },
  /** Page tokens of the pages before this one's, the last being this page's. */
  page: { kind: "list" },
  trace_id: { kind: "string" },
  span_id: { kind: "string" },
  /** Search in the trace tree. */
  q: { kind: "string" },
  /** Collapsed spans of the trace tree. */
  collapsed: { kind: "list" },
  /** How the span pane shows input and output: pretty (chat, markdown) or raw. */
  fmt: { kind: "string", default: "pretty" },
} as const satisfies ParamSpecs;

/** The traces page's state. */
export type TracesUrl = UrlState<typeof TRACES_URL>;

/** Writes a patch of the traces page's state to the URL. */
export type SetTracesUrl = (patch: Partial<TracesUrl>, options?: { replace?: boolean }) => void;

/** A time preset. */
export interface TimePreset {
  id: string;
  label: string;
  ms: number;
}

const MIN = 60_000;
/** The time presets, shortest first. */
export const TIME_PRESETS: TimePreset[] = [
  { id: "15m", label: "Last 15 minutes", ms: 15 * MIN },
  { id: "1h", label: "Last hour", ms: 60 * MIN },
  { id: "6h", label: "Last 6 hours", ms: 360 * MIN },
  { id: "1d", label: "Last day", ms: 1440 * MIN },
  { id: "3d", label: "Last 3 days", ms: 3 * 1440 * MIN },
  { id: "7d", label: "Last 7 days", ms: 7 * 1440 * MIN },
  { id: "30d", label: "Last 30 days", ms: 30 * 1440 * MIN },
];

/** The range (epoch ms) a preset, or a custom start and end, stands for at `now`. */
export function timeRange(
  time: string,
  start: number | undefined,
  end: number | undefined,
  now: number,
): { start: number; end: number } {
  if (time === "custom" && start !== undefined && end !== undefined && start <= end) {
    return { start, end };
  }
  const preset = TIME_PRESETS.find((p) => p.id === time) ?? TIME_PRESETS[3];
  return { start: now - preset.ms, end: now };
}

/** The span list types: URL value, wire value, label. */
export const SPAN_LIST_TYPES = [
  { id: "root", wire: "root_span", label: "Root spans" },
  { id: "all", wire: "all_span", label: "All spans" },
  { id: "llm", wire: "llm_span", label: "LLM spans" },
] as const;

/** The wire's span_list_type of a URL value (root when unknown). */
export function spanListType(id: string): "root_span" | "all_span" | "llm_span" {
  return (SPAN_LIST_TYPES.find((t) => t.id === id) ?? SPAN_LIST_TYPES[0]).wire;
}

/** A list span: a TreeSpan with the list's other fields. */
export interface ListSpan extends TreeSpan {
  trace_id: string;
  input?: string;
  output?: string;
  service_name?: string;
  logid?: string;
  method?: string;
  call_type?: string;
}

/** A column of the span table. */
export interface SpanColumn {
  id: string;
  label: string;
  /** The cell's text. */
  value: (s: ListSpan) => string;
  /** Monospaced and right-aligned (numbers), or clipped long text. */
  style?: "number" | "mono" | "text";
}

const tag = (name: string) => (s: ListSpan) => s.tags_string?.[name] ?? "";

/** Every column the table offers. */
export const SPAN_COLUMNS: SpanColumn[] = [
  { id: "start", label: "Start time", value: (s) => formatStart(s.started_at) },
  { id: "name", label: "Span name", value: (s) => s.span_name },
  { id: "type", label: "Type", value: (s) => s.span_type },
  { id: "status", label: "Status", value: (s) => s.status ?? "" },
  { id: "duration", label: "Duration", value: (s) => formatDuration(s.duration), style: "number" },
  { id: "tokens", label: "Tokens", value: (s) => formatTokens(spanTokens(s)), style: "number" },
  { id: "model", label: "Model", value: tag("model_name") },
  { id: "input", label: "Input", value: (s) => contentPreview(s.input), style: "text" },
  { id: "output", label: "Output", value: (s) => contentPreview(s.output), style: "text" },
  { id: "trace_id", label: "Trace id", value: (s) => s.trace_id, style: "mono" },
  { id: "span_id", label: "Span id", value: (s) => s.span_id, style: "mono" },
  {
    id: "first_token",
    label: "First token",
    value: (s) => {
      const v = s.tags_long?.latency_first_resp;
      return v === undefined ? "" : formatDuration(Number(v) / 1000);
    },
    style: "number",
  },
  { id: "prompt", label: "Prompt", value: tag("prompt_key") },
  { id: "user", label: "User id", value: tag("user_id") },
  { id: "service", label: "Service", value: (s) => s.service_name ?? "" },
  { id: "logid", label: "Log id", value: (s) => s.logid ?? "", style: "mono" },
];

/** The columns shown when the URL names none. */
export const DEFAULT_COLUMNS = [
  "start",
  "name",
  "type",
  "status",
  "duration",
  "tokens",
  "model",
  "input",
];

/** The columns of a URL's `cols` (unknown ids dropped; the defaults when none is left). */
export function columnsOf(ids: readonly string[] | undefined): SpanColumn[] {
  const picked = (ids ?? []).map((id) => SPAN_COLUMNS.find((c) => c.id === id)).filter(
    (c): c is SpanColumn => c !== undefined,
  );
  return picked.length ? picked : columnsOf(DEFAULT_COLUMNS);
}

/** The `cols` value for a set of columns: undefined when it is the default. */
export function colsParam(ids: readonly string[]): string[] | undefined {
  const same = ids.length === DEFAULT_COLUMNS.length &&
    ids.every((id, i) => id === DEFAULT_COLUMNS[i]);
  return same || !ids.length ? undefined : [...ids];
}

/** The column ids with `id` shown or hidden, in the table's order. */
export function toggleColumn(ids: readonly string[], id: string): string[] {
  const on = new Set(ids);
  if (on.has(id)) on.delete(id);
  else on.add(id);
  return SPAN_COLUMNS.map((c) => c.id).filter((c) => on.has(c));
}

/** Page tokens after following `next` from the page `stack` shows. */
export const nextPage = (stack: readonly string[] | undefined, next: string) => [
  ...(stack ?? []),
  next,
];

/** Page tokens of the page before (undefined: the first page). */
export function previousPage(stack: readonly string[] | undefined): string[] | undefined {
  const s = (stack ?? []).slice(0, -1);
  return s.length ? s : undefined;
}

/** A duration in ms as people read it: 850 ms, 1.25 s, 2 min 5 s. */
export function formatDuration(ms: number | string): string {
  const n = Number(ms);
  if (!Number.isFinite(n) || n < 0) return "—";
  if (n < 1) return n === 0 ? "0 ms" : "<1 ms";
  if (n < 1000) return `${Math.round(n)} ms`;
  if (n < 60_000) return `${(n / 1000).toFixed(n < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(n / 60_000);
  if (m < 60) return `${m} min ${Math.round((n % 60_000) / 1000)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A token count, or "" when there is none. */
export function formatTokens(n: number): string {
  if (!n) return "";
  return n < 10_000 ? String(n) : `${(n / 1000).toFixed(1)}k`;
}

/** A span start (epoch ms) as local date and time with seconds. */
export function formatStart(ms: number | string): string {
  const n = Number(ms);
  if (!Number.isFinite(n) || n <= 0) return "—";
  const d = new Date(n);
  const p = (x: number) => String(x).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A trace id (16 to 64 hex digits; the SDKs write 32), lowercased; else undefined. */
export function asTraceId(text: string): string | undefined {
  const t = text.trim().toLowerCase();
  return /^[0-9a-f]{16,64}$/.test(t) ? t : undefined;
}

/** Span type families, each with its color and letter in the tree. */
export type SpanKind = "model" | "tool" | "agent" | "prompt" | "retrieval" | "custom";

const KINDS: [SpanKind, RegExp][] = [
  ["model", /^(model|llmcall|llm|chat|completion)$/i],
  ["tool", /^(tool|function|plugin|remote)$/i],
  ["agent", /^(agent|graph|workflow|chain)$/i],
  ["prompt", /^(prompt|prompt_hub|prompt_template|parser|transformer)$/i],
  ["retrieval", /^(retriever|vector_retriever|vector_store|embedding|memory|loader)$/i],
];

/** The family of a span type. */
export function spanKind(type: string): SpanKind {
  return KINDS.find(([, re]) => re.test(type))?.[0] ?? "custom";
}
