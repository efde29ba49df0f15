/**
 * Topics created at start-up: the reference's asynchronous flows (WIRE.md), now on Kafka.
 */
import type { TopicSpec } from "./mod.ts";

/** Every topic the server produces to or consumes from. */
export const KAFKA_TOPICS: TopicSpec[] = [
  { topic: "trace_ingestion_event", partitions: 4 },
  { topic: "trace_annotation_event", partitions: 2 },
  { topic: "data_async_tasks", partitions: 2 },
  { topic: "evaluation_expt_scheduler_event", partitions: 2 },
  { topic: "evaluation_expt_record_eval_event", partitions: 4 },
  { topic: "evaluation_expt_aggr_calculate_event", partitions: 2 },
  { topic: "expt_export_csv_event", partitions: 1 },
  { topic: "expt_lifecycle_event", partitions: 2 },
];
