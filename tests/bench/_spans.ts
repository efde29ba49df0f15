/** The spans the ingestion benchmarks send: batches of 100 model spans of ~2.1 KB. */
import { hexId } from "../e2e/_traces.ts";

/** Spans per request. */
export const BATCH = 100;
const text = (n: number) => "lorem ipsum dolor sit amet, consectetur adipiscing elit ".repeat(n);

/** One request's spans (one trace) in workspace `space`, starting at `startUs`. */
export function batch(space: string, startUs: number): Record<string, unknown>[] {
  const traceId = hexId(16);
  return Array.from({ length: BATCH }, (_, i) => ({
    started_at_micros: startUs + i,
    duration_micros: 1_500_000,
    trace_id: traceId,
    span_id: hexId(8),
    parent_id: "0",
    workspace_id: space,
    span_name: "chat",
    span_type: "model",
    method: "POST",
    status_code: i % 10 === 0 ? 500 : 0,
    input: text(14),
    output: text(14),
    tags_string: { model_name: "gpt-4o", model_provider: "openai", user_id: `u${i % 50}` },
    tags_long: { input_tokens: 120, output_tokens: 240, tokens: 360 },
    tags_bool: { stream: true },
    system_tags_string: { runtime: '{"language":"ts","library":"cozeloop"}' },
  }));
}
