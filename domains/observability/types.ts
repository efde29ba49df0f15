/**
 * Spans: the shape SDKs send (`InputSpan`, the IDL's span.InputSpan) and the shape stored in
 * ClickHouse (`SpanRow`, columns of `observability_spans`, modelled on the reference's table).
 */

/** A span as the SDKs send it to `/v1/loop/traces/ingest` (fields may be missing or wrong). */
export interface InputSpan {
  started_at_micros?: number | string;
  log_id?: string;
  logid?: string;
  span_id?: string;
  parent_id?: string;
  trace_id?: string;
  /** Older clients send `duration` (µs); newer ones `duration_micros`. */
  duration?: number | string;
  duration_micros?: number | string;
  service_name?: string;
  psm?: string;
  call_type?: string;
  workspace_id?: string;
  span_name?: string;
  span_type?: string;
  method?: string;
  status_code?: number;
  input?: string;
  output?: string;
  object_storage?: string;
  latency_first_resp?: number | string;
  system_tags_string?: Record<string, string>;
  system_tags_long?: Record<string, number | string>;
  system_tags_double?: Record<string, number>;
  tags_string?: Record<string, string>;
  tags_long?: Record<string, number | string>;
  tags_double?: Record<string, number>;
  tags_bool?: Record<string, boolean>;
  tags_bytes?: Record<string, string>;
}

/** A stored span: one row of `observability_spans`. Times in µs since the epoch. */
export interface SpanRow {
  space_id: string;
  trace_id: string;
  span_id: string;
  parent_id: string;
  start_time: number;
  duration: number;
  span_type: string;
  span_name: string;
  method: string | null;
  psm: string | null;
  logid: string | null;
  call_type: string | null;
  status_code: number;
  input: string;
  output: string;
  object_storage: string | null;
  tags_string: Record<string, string>;
  /** Int64 values beyond 2^53 travel as decimal strings. */
  tags_long: Record<string, number | string>;
  tags_float: Record<string, number>;
  tags_bool: Record<string, number>;
  tags_byte: Record<string, string>;
  system_tags_string: Record<string, string>;
  system_tags_long: Record<string, number | string>;
  system_tags_float: Record<string, number>;
  /** When our server accepted the span (µs): ingestion lag and retention bookkeeping. */
  ingest_time: number;
}
