/**
 * Span ingestion: normalize what the SDK sent, keep the spans of workspaces the caller
 * belongs to, and answer only once they are durable in Kafka (acknowledged by the broker).
 * The writer (./writer.ts) moves them to ClickHouse in batches.
 */
import type { MessageQueue } from "../../infra/mq/mod.ts";
import type { Logger } from "../../infra/log.ts";
import type { Authz } from "../foundation/authz.ts";
import { normalizeSpan } from "./normalize.ts";
import type { SpanRow } from "./types.ts";
import { packRows } from "./span_lines.ts";

/** Topic of accepted spans (the reference's name). */
export const INGEST_TOPIC = "trace_ingestion_event";

/** What happened to one ingest call's spans. */
export interface IngestResult {
  accepted: number;
  dropped: number;
  repaired: number;
}

/** The ingestion service. */
export interface IngestService {
  /** Accepts spans from `userId`; resolves once accepted spans are durable. */
  ingest(
    userId: bigint,
    spans: unknown[],
    options?: { workspaceId?: bigint },
  ): Promise<IngestResult>;
  /**
   * Accepts rows already packed into the topic's messages (span_lines.ts), grouped by
   * workspace (the OTLP decoding workers make them), by the workspaces `userId` belongs to.
   */
  ingestPacked(userId: bigint, groups: PackedSpans[]): Promise<IngestResult>;
}

/** The rows of one workspace as the topic's messages, and how many rows they hold. */
export interface PackedSpans {
  space: string;
  count: number;
  messages: Uint8Array[];
}

/** Creates the ingestion service. */
export function createIngestService(deps: {
  mq: MessageQueue;
  authz: Authz;
  logger?: Logger;
  nowUs?: () => number;
}): IngestService {
  const nowUs = deps.nowUs ?? (() => Date.now() * 1000);
  // Authorizes each workspace's rows, queues the accepted ones and logs what was dropped.
  const accept = async (
    userId: bigint,
    groups: Iterable<{ space: string; count: number; messages: () => Uint8Array[] }>,
    dropped: number,
    repaired: number,
    reasons: Map<string, number>,
  ): Promise<IngestResult> => {
    const messages: { topic: string; body: Uint8Array }[] = [];
    let accepted = 0;
    for (const { space, count, messages: packed } of groups) {
      const member = /^\d{1,19}$/.test(space) && (await deps.authz.roleOf(userId, BigInt(space)));
      if (!member) {
        const reason = `not a member of workspace ${JSON.stringify(space)}`;
        dropped += count;
        reasons.set(reason, (reasons.get(reason) ?? 0) + count);
        continue;
      }
      accepted += count;
      for (const body of packed()) messages.push({ topic: INGEST_TOPIC, body });
    }
    if (messages.length) await deps.mq.send(messages);
    if (dropped || repaired) {
      deps.logger?.warn("spans dropped or repaired at ingestion", {
        user_id: userId,
        accepted,
        dropped,
        repaired,
        reasons: Object.fromEntries(reasons),
      });
    }
    return { accepted, dropped, repaired };
  };
  return {
    ingest(userId, spans, options = {}) {
      const at = nowUs();
      const bySpace = new Map<string, SpanRow[]>();
      const reasons = new Map<string, number>();
      let dropped = 0;
      let repaired = 0;
      for (const input of spans) {
        const n = normalizeSpan(input, at);
        if ("dropped" in n) {
          dropped++;
          reasons.set(n.dropped, (reasons.get(n.dropped) ?? 0) + 1);
          continue;
        }
        // OTLP carries the workspace in a header, which wins over a span's own claim.
        if (options.workspaceId !== undefined) n.row.space_id = options.workspaceId.toString();
        if (n.repairs.length) repaired++;
        const list = bySpace.get(n.row.space_id) ?? [];
        list.push(n.row);
        bySpace.set(n.row.space_id, list);
      }
      return accept(userId, byWorkspace(bySpace), dropped, repaired, reasons);
    },
    ingestPacked(userId, groups) {
      const packed = groups.map((g) => ({ ...g, messages: () => g.messages }));
      return accept(userId, packed, 0, 0, new Map());
    },
  };
}

// Each workspace's rows, packed when (and only if) the caller may write there.
function byWorkspace(bySpace: Map<string, SpanRow[]>) {
  return [...bySpace].map(([space, rows]) => ({
    space,
    count: rows.length,
    messages: () => packRows(rows),
  }));
}
