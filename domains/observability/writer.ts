/**
 * The span writer: a consumer group on the ingestion topic that inserts batches into
 * ClickHouse and commits offsets only after the insert. While ClickHouse is down the batch
 * is retried (Kafka keeps buffering what ingestion accepts); rows ClickHouse refuses for
 * good go to the dead-letter topic instead of blocking the stream.
 */
import type { AnalyticsDb } from "../../infra/ck/mod.ts";
import type { ConsumerWorker, MessageQueue } from "../../infra/mq/mod.ts";
import { ServiceUnavailableError } from "../../infra/errors.ts";
import { SPANS_TABLE } from "./ck_schema.ts";
import { INGEST_TOPIC } from "./ingest.ts";

/** Consumer group of the writer. */
export const WRITER_GROUP = "trace_ingestion_writer";

/** Batch shape of the writer: the broker gathers ~1 MiB or waits at most 1 s. */
export interface WriterOptions {
  minBytes?: number;
  maxWaitMs?: number;
  concurrency?: number;
}

/** Starts the span writer. */
export function startSpanWriter(
  deps: { mq: MessageQueue; ck: AnalyticsDb },
  options: WriterOptions = {},
): Promise<ConsumerWorker> {
  return deps.mq.consumeBatches({
    topic: INGEST_TOPIC,
    group: WRITER_GROUP,
    minBytes: options.minBytes ?? 1024 * 1024,
    maxWaitMs: options.maxWaitMs ?? 1_000,
    concurrency: options.concurrency ?? 4,
    maxAttempts: 5,
    permanent: (err) => !(err instanceof ServiceUnavailableError),
    handler: (messages) => deps.ck.insertJsonLines(SPANS_TABLE, messages.map((m) => m.body)),
  });
}
