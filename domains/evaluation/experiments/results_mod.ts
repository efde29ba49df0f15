/**
 * The read side of experiments, built from the infrastructure: results item by item,
 * aggregates (with pass thresholds and comparison), evaluator records and their correction,
 * and result exports with their worker (main.ts starts it and stops it on shutdown).
 */
import type { Database } from "../../../infra/db/mod.ts";
import type { IdGenerator } from "../../../infra/idgen/mod.ts";
import type { MessageQueue } from "../../../infra/mq/mod.ts";
import type { ObjectStorage } from "../../../infra/storage/mod.ts";
import type { Logger } from "../../../infra/log.ts";
import type { Authz } from "../../foundation/authz.ts";
import type { DataServices } from "../../data/mod.ts";
import { type AggregateService, createAggregateService } from "./aggregates.ts";
import { createExportRepo } from "./export_repo.ts";
import { createExportWorker, type ExportWorker } from "./export_worker.ts";
import { createExportService, type ExportService } from "./exports.ts";
import { createEvaluatorRecordService, type EvaluatorRecordService } from "./records.ts";
import { createExperimentReads } from "./repo.ts";
import { createResultsService, type ResultsService } from "./results.ts";

/** The experiment read side. */
export interface ExperimentResults {
  results: ResultsService;
  aggregates: AggregateService;
  records: EvaluatorRecordService;
  exports: ExportService;
  /** The export worker. */
  worker: ExportWorker;
}

/** Builds it. */
export function createExperimentResults(deps: {
  db: Database;
  ids: IdGenerator;
  authz: Authz;
  storage: ObjectStorage;
  mq: MessageQueue;
  data: Pick<DataServices, "items">;
  logger?: Logger;
  leaseMs?: number;
}): ExperimentResults {
  const { db, authz } = deps;
  const reads = createExperimentReads({ db, authz });
  const exports = createExportRepo(db);
  const worker = createExportWorker({
    mq: deps.mq,
    exports,
    reads,
    csv: { db, storage: deps.storage, data: deps.data },
    logger: deps.logger,
    leaseMs: deps.leaseMs,
  });
  return {
    results: createResultsService({ db, authz, reads, data: deps.data }),
    aggregates: createAggregateService({ db, reads }),
    records: createEvaluatorRecordService({ db, authz }),
    exports: createExportService({ ids: deps.ids, reads, exports, worker, storage: deps.storage }),
    worker,
  };
}
