/**
 * The official OTLP trace service messages: protobufjs classes that
 * `@opentelemetry/otlp-transformer` generates from the opentelemetry-proto files at build time.
 * Its `.d.ts` types the root only as a protobufjs Root, hence the narrow interfaces below.
 */
import generatedRoot from "@opentelemetry/otlp-transformer/build/src/generated/root.js";

/** protobufjs conversion options (`longs: String`, `enums: String`, `bytes: String`, ...). */
export interface ConversionOptions {
  longs?: typeof String | typeof Number;
  enums?: typeof String;
  bytes?: typeof String | typeof Array;
  defaults?: boolean;
  arrays?: boolean;
}

/** The static API protobufjs generates for every message type. */
export interface GeneratedMessage {
  /** Throws on malformed wire data (truncated, invalid wire type, ...). */
  decode(bytes: Uint8Array): Record<string, unknown>;
  encode(message: Record<string, unknown>): { finish(): Uint8Array };
  /** Throws TypeError when a field has the wrong container type. */
  fromObject(object: Record<string, unknown>): Record<string, unknown>;
  toObject(message: Record<string, unknown>, options?: ConversionOptions): Record<string, unknown>;
  /** A message naming the first invalid field, or null. */
  verify(object: Record<string, unknown>): string | null;
}

interface CollectorTraceV1 {
  ExportTraceServiceRequest: GeneratedMessage;
  ExportTraceServiceResponse: GeneratedMessage;
  ExportTracePartialSuccess: GeneratedMessage;
}

const collector = (generatedRoot as unknown as {
  opentelemetry: { proto: { collector: { trace: { v1: CollectorTraceV1 } } } };
}).opentelemetry.proto.collector.trace.v1;

/** `opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest`. */
export const ExportTraceServiceRequest: GeneratedMessage = collector.ExportTraceServiceRequest;

/** `opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse`. */
export const ExportTraceServiceResponse: GeneratedMessage = collector.ExportTraceServiceResponse;
