/** ExportTraceServiceResponse bodies, in the format the request came in (OTLP/HTTP requires it). */
import { ExportTraceServiceResponse } from "./proto.ts";

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
  const partialSuccess: Record<string, string> = {};
  if (rejected > 0) partialSuccess.rejectedSpans = String(rejected);
  if (errorMessage !== "") partialSuccess.errorMessage = errorMessage;
  const body = Object.keys(partialSuccess).length > 0 ? { partialSuccess } : {};
  const message = ExportTraceServiceResponse.fromObject(body);
  if (format === "protobuf") {
    const bytes = ExportTraceServiceResponse.encode(message).finish(); // a Buffer under Deno
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  // int64 as a decimal string: the protobuf JSON mapping that OTLP/JSON follows.
  return JSON.stringify(ExportTraceServiceResponse.toObject(message, { longs: String }));
}
