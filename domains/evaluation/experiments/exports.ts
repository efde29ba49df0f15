/**
 * Exports of experiment results (`results/export`, `export_records/list`, `export_records/:id`):
 * an export is a row written first, then the message that wakes a worker (the answer does
 * not wait for the file); reading one answers its status and, once written, a presigned
 * download URL made at read time (so it never is expired when answered).
 */
import type { IdGenerator } from "../../../infra/idgen/mod.ts";
import type { ObjectStorage } from "../../../infra/storage/mod.ts";
import { invalidParam, notFound } from "../../errors.ts";
import { DEFAULT_SIGN_TTL_SECONDS, objectKey } from "../../foundation/files.ts";
import {
  type ExportColumns,
  type ExportJob,
  type ExportRepo,
  ExportStatus,
} from "./export_repo.ts";
import type { ExportWorker } from "./export_worker.ts";
import type { ExperimentReads } from "./repo.ts";

/** An export as read, with its download URL once written. */
export interface ExportView extends ExportJob {
  url?: string;
}

/** Export jobs of experiments. */
export interface ExportService {
  /** Queues an export of the experiment's results; answers its id. */
  submit(
    userId: bigint,
    workspaceId: bigint,
    exptId: bigint,
    columns?: ExportColumns,
  ): Promise<bigint>;
  list(
    userId: bigint,
    workspaceId: bigint,
    exptId: bigint,
    page?: { pageNumber?: number; pageSize?: number },
  ): Promise<{ exports: ExportView[]; total: number }>;
  get(userId: bigint, workspaceId: bigint, exptId: bigint, exportId: bigint): Promise<ExportView>;
}

const MAX_COLUMNS = 500;

/** Creates the service. */
export function createExportService(deps: {
  ids: IdGenerator;
  reads: ExperimentReads;
  exports: ExportRepo;
  worker: Pick<ExportWorker, "wake">;
  storage: ObjectStorage;
  now?: () => Date;
}): ExportService {
  const now = deps.now ?? (() => new Date());
  const view = async (j: ExportJob): Promise<ExportView> => {
    if (j.status !== ExportStatus.Success) return j;
    const url = await deps.storage.signDownload(objectKey(j.workspaceId, j.fileKey), {
      ttlSeconds: DEFAULT_SIGN_TTL_SECONDS,
      fileName: `experiment_${j.exptId}_${j.id}.csv`,
    });
    return { ...j, url };
  };
  return {
    async submit(userId, workspaceId, exptId, columns = {}) {
      for (const [k, v] of Object.entries(columns)) {
        if (v && v.length > MAX_COLUMNS) throw invalidParam(`export_columns.${k}`, "too many");
      }
      const e = await deps.reads.load(userId, workspaceId, exptId);
      const id = await deps.ids.genId();
      const at = now();
      await deps.exports.insert({
        id,
        workspaceId: e.workspaceId,
        exptId: e.id,
        status: ExportStatus.Pending,
        columns,
        fileKey: `experiment_exports/${e.id}/${id}.csv`,
        failures: 0,
        leaseUntil: 0,
        createdBy: userId,
        createdAt: at,
        updatedAt: at,
        startedAt: 0,
        endedAt: 0,
      });
      try {
        await deps.worker.wake(id);
      } catch (err) {
        await deps.exports.failPending(id, "the export could not be queued");
        throw err;
      }
      return id;
    },
    async list(userId, workspaceId, exptId, page = {}) {
      const size = page.pageSize ?? 20;
      const num = page.pageNumber ?? 1;
      if (size < 1 || size > 100) throw invalidParam("page_size", "1..100");
      if (num < 1) throw invalidParam("page_number", "from 1");
      await deps.reads.load(userId, workspaceId, exptId);
      const r = await deps.exports.list(exptId, { limit: size, offset: (num - 1) * size });
      return { exports: await Promise.all(r.jobs.map(view)), total: r.total };
    },
    async get(userId, workspaceId, exptId, exportId) {
      await deps.reads.load(userId, workspaceId, exptId);
      const j = await deps.exports.byId(exportId);
      if (!j || j.exptId !== exptId) throw notFound(`export ${exportId}`);
      return await view(j);
    },
  };
}
