/**
 * ExportTraceServiceResponse bodies, in the format the request came in (OTLP/HTTP requires it).
 * The message is two scalar fields deep (`partial_success { rejected_spans, error_message }`),
 * so it is written here rather than through protobufjs's generated classes, which would keep
 * the whole generated OTLP root (~2.4 MB of V8 heap) loaded for every OTLP answer;
 * `tests/unit/otlp_test.ts` decodes these bodies with those classes.
 */

/** What to report back: spans refused and/or a warning for the client's logs. */
export interface OtlpResponseOptions {
  rejectedSpans?: number;
  errorMessage?: string;
}

/** The protobuf body: empty when everything was accepted (an all-default message). */
export function encodeOtlpResponse(opts: OtlpResponseOptions, format: "protobuf"): Uint8Array;
/** The OTLP/JSON body: `{}` when everything was accepted. */
export function encodeOtlpResponse(opts: OtlpResponseOptions, format: "json"): string;
/** Either body; `partialSuccess` is set only when spans were rejected or there is a message. */
export function encodeOtlpResponse(
  opts: OtlpResponseOptions,
  format: "protobuf" | "json",
): Uint8Array | string;
export function encodeOtlpResponse(
  opts: OtlpResponseOptions,
  format: "protobuf" | "json",
): Uint8Array | string {
  const rejected = Math.max(0, Math.trunc(opts.rejectedSpans ?? 0));
  const errorMessage = opts.errorMessage ?? "";
  // The spec: a fully accepted request MAY leave partial_success unset; a partial one MUST set
  // it, and a zero count with a message is how a server passes on a warning.
  if (format === "json") {
    const partialSuccess: Record<string, string> = {};
    // int64 as a decimal string: the protobuf JSON mapping that OTLP/JSON follows.
    if (rejected > 0) partialSuccess.rejectedSpans = String(rejected);
    if (errorMessage !== "") partialSuccess.errorMessage = errorMessage;
    return JSON.stringify(Object.keys(partialSuccess).length > 0 ? { partialSuccess } : {});
  }
  if (rejected === 0 && errorMessage === "") return new Uint8Array(0);
  const inner: number[] = [];
  if (rejected > 0) {
    inner.push(0x08); // field 1 (rejected_spans), varint
    varint(inner, rejected);
  }
  if (errorMessage !== "") {
    const text = new TextEncoder().encode(errorMessage);
    inner.push(0x12); // field 2 (error_message), length-delimited
    varint(inner, text.length);
    for (const b of text) inner.push(b);
  }
  const out: number[] = [0x0a]; // field 1 (partial_success), length-delimited
  varint(out, inner.length);
  return Uint8Array.from([...out, ...inner]);
}

/** A non-negative integer (below 2^53) as a protobuf varint. */
function varint(out: number[], n: number): void {
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}
