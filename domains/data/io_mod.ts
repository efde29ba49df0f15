/**
 * Dataset import and export jobs, built on the data services and the queue: the job service
 * the routes call, and the worker main.ts starts (and stops on shutdown).
 */
import type { Database } from "../../infra/db/mod.ts";
import type { IdGenerator } from "../../infra/idgen/mod.ts";
import type { MessageQueue } from "../../infra/mq/mod.ts";
import type { ObjectStorage } from "../../infra/storage/mod.ts";
import type { Logger } from "../../infra/log.ts";
import type { Authz } from "../foundation/authz.ts";
import type { DataServices } from "./mod.ts";
import { runExport } from "./io_export.ts";
import { runImport } from "./io_import.ts";
import { createIoJobService, type IoJobService } from "./io_jobs.ts";
import { createIoJobRepo } from "./io_repo.ts";
import { JobType } from "./io_types.ts";
import { createIoJobWorker, type IoJobWorker } from "./io_worker.ts";

export type { IoJobService, JobView } from "./io_jobs.ts";
export type { IoJobWorker } from "./io_worker.ts";

/** The job service and its worker. */
export interface DataIo {
  jobs: IoJobService;
  worker: IoJobWorker;
}

/** Builds the job service and worker. */
export function createDataIo(deps: {
  db: Database;
  ids: IdGenerator;
  authz: Authz;
  storage: ObjectStorage;
  mq: MessageQueue;
  data: DataServices;
  logger?: Logger;
  leaseMs?: number;
}): DataIo {
  const jobs = createIoJobRepo(deps.db);
  const worker = createIoJobWorker({
    mq: deps.mq,
    jobs,
    leaseMs: deps.leaseMs,
    runners: { [JobType.ImportFromFile]: runImport, [JobType.ExportToFile]: runExport },
    deps: {
      db: deps.db,
      storage: deps.storage,
      access: deps.data.access,
      writer: deps.data.writer,
      items: deps.data.items,
      jobs,
      logger: deps.logger,
    },
  });
  return {
    worker,
    jobs: createIoJobService({
      ids: deps.ids,
      authz: deps.authz,
      access: deps.data.access,
      versions: deps.data.versions,
      storage: deps.storage,
      jobs,
      worker,
    }),
  };
}
