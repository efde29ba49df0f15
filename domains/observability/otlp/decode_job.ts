/**
 * One OTLP body from the wire to the ingestion topic's messages: decompression (capped),
 * decoding, mapping to rows and packing them as JSON lines per workspace. It is the whole
 * per-span cost of the OTLP path, so it runs in the decoding workers (decode_pool.ts), and
 * on the event loop only when they cannot start.
 */
import { packRows } from "../span_lines.ts";
import type { SpanRow } from "../types.ts";
import { decodeOtlpJson, decodeOtlpProtobuf } from "./decode.ts";
import { maybeGunzip } from "./gzip.ts";
import { otlpToRows } from "./map_spans.ts";

/** A body to decode, as the route received it. */
export interface OtlpJob {
  body: Uint8Array;
  /** The Content-Encoding header. */
  encoding?: string;
  format: "protobuf" | "json";
  /** Cap on the decompressed size (the server's default when missing). */
  maxBytes?: number;
  /** The `cozeloop-workspace-id` header. */
  workspaceId: string;
  /** When the body arrived (µs). */
  nowUs: number;
}

/** The rows of one workspace, packed, and their number. */
export interface PackedGroup {
  space: string;
  count: number;
  messages: Uint8Array[];
}

/** What a body became: packed rows by workspace, and the spans dropped while mapping. */
export interface OtlpJobResult {
  groups: PackedGroup[];
  dropped: number;
  reasons: string[];
}

/** Runs `job`; throws OtlpDecodeError for a body that cannot be read. */
export async function runOtlpJob(job: OtlpJob): Promise<OtlpJobResult> {
  const body = await maybeGunzip(job.body, job.encoding, { maxBytes: job.maxBytes });
  const request = job.format === "protobuf"
    ? decodeOtlpProtobuf(body)
    : decodeOtlpJson(new TextDecoder().decode(body));
  const mapped = otlpToRows(request, job.workspaceId, job.nowUs);
  const bySpace = new Map<string, SpanRow[]>();
  for (const row of mapped.rows) {
    const list = bySpace.get(row.space_id);
    if (list) list.push(row);
    else bySpace.set(row.space_id, [row]);
  }
  const groups = [...bySpace].map(([space, rows]) => ({
    space,
    count: rows.length,
    messages: packRows(rows),
  }));
  return { groups, dropped: mapped.dropped, reasons: mapped.reasons };
}
