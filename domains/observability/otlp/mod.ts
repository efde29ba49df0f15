/**
 * OTLP/HTTP trace ingestion, as pure functions: body decompression, protobuf and JSON
 * decoding to one normalized shape, mapping to stored rows (or the SDK span format), and the
 * response body.
 */
export { decodeOtlpJson, decodeOtlpProtobuf, otlpFormatOf } from "./decode.ts";
export { DEFAULT_MAX_DECOMPRESSED_BYTES, maybeGunzip } from "./gzip.ts";
export {
  MAX_REASONS,
  type OtlpMappingResult,
  type OtlpRowsResult,
  otlpToInputSpans,
  otlpToRows,
  rowToInputSpan,
} from "./map_spans.ts";
export { encodeOtlpResponse, type OtlpResponseOptions } from "./response.ts";
export * from "./types.ts";
