/**
 * OTLP protobuf through protobufjs's generated messages, then the normalizer: the path before
 * the direct reader (./_proto_reader.ts), kept for the parity tests that hold the reader to
 * it. The server does not import it (nor the generated root).
 */
import { ExportTraceServiceRequest } from "./proto.ts";
import { normalizeRequest, withPrefix } from "./decode.ts";
import { type ExportTraceServiceRequestShape, OtlpDecodeError } from "./types.ts";

/** Decodes an ExportTraceServiceRequest with protobufjs; throws OtlpDecodeError. */
export function decodeOtlpProtobufViaMessages(bytes: Uint8Array): ExportTraceServiceRequestShape {
  let message: unknown;
  try {
    message = ExportTraceServiceRequest.decode(bytes);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new OtlpDecodeError(`Cannot decode OTLP protobuf body: ${reason}`, { cause: e });
  }
  return withPrefix("Cannot decode OTLP protobuf body", () => normalizeRequest(message));
}
