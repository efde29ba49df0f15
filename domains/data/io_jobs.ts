/**
 * Import and export jobs as callers see them: an import of an uploaded file into a dataset
 * (checked at once: the dataset, the file in the workspace, the format, the mapped fields),
 * an export of a version or the draft to a file, a job's state, a dataset's jobs. Creating a
 * job writes its row, then the message that wakes a worker; the answer does not wait for it.
 */
import type { ObjectStorage } from "../../infra/storage/mod.ts";
import { AppError, Codes, invalidParam } from "../errors.ts";
import type { Authz } from "../foundation/authz.ts";
import { DEFAULT_SIGN_TTL_SECONDS, objectKey, validateKey } from "../foundation/files.ts";
import type { IdGenerator } from "../../infra/idgen/mod.ts";
import type { DatasetAccess } from "./access.ts";
import type { IoJobRepo } from "./io_repo.ts";
import type { IoJobWorker } from "./io_worker.ts";
import {
  type FieldMapping,
  FileFormat,
  type IoJob,
  JobStatus,
  JobType,
  type SourceFile,
} from "./io_types.ts";
import type { VersionService } from "./versions.ts";
import { FieldStatus, PROVIDER_S3 } from "./types.ts";

/** An import as asked for. */
export interface ImportInput {
  workspaceId?: bigint;
  datasetId: bigint;
  file: SourceFile;
  fieldMappings: FieldMapping[];
  overwrite?: boolean;
}

/** An export as asked for. */
export interface ExportInput {
  workspaceId?: bigint;
  datasetId: bigint;
  versionId?: bigint;
  format?: number;
}

/** A job, with a download URL once an export is complete. */
export interface JobView extends IoJob {
  downloadUrl?: string;
}

/** The job service. */
export interface IoJobService {
  createImport(userId: bigint, input: ImportInput): Promise<bigint>;
  createExport(userId: bigint, input: ExportInput): Promise<bigint>;
  get(userId: bigint, jobId: bigint, workspaceId?: bigint): Promise<JobView>;
  list(
    userId: bigint,
    q: { workspaceId?: bigint; datasetId: bigint; types?: number[]; statuses?: number[] },
  ): Promise<JobView[]>;
}

/** Most jobs a dataset's list shows (newest first). */
export const MAX_LISTED_JOBS = 100;

/** Creates the service. */
export function createIoJobService(deps: {
  ids: IdGenerator;
  authz: Authz;
  access: DatasetAccess;
  versions: Pick<VersionService, "versionOf">;
  storage: ObjectStorage;
  jobs: IoJobRepo;
  worker: Pick<IoJobWorker, "wake">;
  now?: () => Date;
}): IoJobService {
  const now = deps.now ?? (() => new Date());
  const notFound = (id: bigint) => new AppError(Codes.dataNotFound, `job ${id} not found`);
  const submit = async (job: IoJob) => {
    await deps.jobs.insert(job);
    try {
      await deps.worker.wake(job.id);
    } catch (err) {
      await deps.jobs.failPending(job.id, "the job could not be queued");
      throw err;
    }
    return job.id;
  };
  const view = async (job: IoJob): Promise<JobView> => {
    const f = job.target.file;
    if (job.type !== JobType.ExportToFile || job.status !== JobStatus.Completed || !f) return job;
    const name = f.originalFileName ?? f.path.split("/").at(-1);
    const url = await deps.storage.signDownload(objectKey(job.spaceId, f.path), {
      ttlSeconds: DEFAULT_SIGN_TTL_SECONDS,
      fileName: name,
    });
    return { ...job, downloadUrl: url };
  };
  const base = (
    userId: bigint,
    d: { id: bigint; spaceId: bigint },
    type: IoJob["type"],
  ): Omit<IoJob, "id" | "source" | "target"> => {
    const at = now();
    return {
      spaceId: d.spaceId,
      datasetId: d.id,
      type,
      status: JobStatus.Pending,
      fieldMappings: [],
      overwrite: false,
      processed: 0,
      added: 0,
      errors: [],
      checkpoint: { offset: 0, row: 0 },
      leaseUntil: 0,
      createdBy: userId,
      createdAt: at,
      updatedAt: at,
    };
  };

  return {
    async createImport(userId, input) {
      const { dataset: d, schema } = await deps.access.withSchema(userId, input.datasetId, {
        workspaceId: input.workspaceId,
      });
      if (d.features.repeatedData) {
        throw invalidParam("dataset_id", "multi-turn datasets cannot be imported from a file");
      }
      const file = input.file;
      const format = sourceFormat(file);
      const names = new Set(
        schema.fields.filter((f) => f.status === FieldStatus.Available).map((f) => f.name),
      );
      if (!input.fieldMappings.length) throw invalidParam("field_mappings", "at least one");
      for (const [i, m] of input.fieldMappings.entries()) {
        if (!m.source) throw invalidParam(`field_mappings[${i}].source`, "must not be empty");
        if (!names.has(m.target)) {
          throw invalidParam(
            `field_mappings[${i}].target`,
            `no field ${JSON.stringify(m.target.slice(0, 128))} in the dataset`,
          );
        }
      }
      const info = await deps.storage.stat(objectKey(d.spaceId, file.path));
      if (!info) throw invalidParam("file.path", `no object "${file.path}" in this workspace`);
      return await submit({
        ...base(userId, d, JobType.ImportFromFile),
        id: await deps.ids.genId(),
        source: {
          file: {
            provider: PROVIDER_S3,
            path: file.path,
            format,
            ...(file.originalFileName ? { originalFileName: file.originalFileName } : {}),
          },
        },
        target: { dataset: { spaceId: d.spaceId, datasetId: d.id } },
        fieldMappings: input.fieldMappings.map((m) => ({ source: m.source, target: m.target })),
        overwrite: input.overwrite ?? false,
      });
    },
    async createExport(userId, input) {
      const d = await deps.access.dataset(userId, input.datasetId, {
        workspaceId: input.workspaceId,
      });
      if (d.features.repeatedData) {
        throw invalidParam("dataset_id", "multi-turn datasets cannot be exported to a file");
      }
      let version = "draft";
      if (input.versionId !== undefined) {
        version = (await deps.versions.versionOf(d, input.versionId)).version;
      }
      const format = input.format ?? FileFormat.CSV;
      if (format !== FileFormat.CSV && format !== FileFormat.JSONL) {
        throw invalidParam("format", "1 (JSONL) or 3 (CSV)");
      }
      const id = await deps.ids.genId();
      const ext = format === FileFormat.CSV ? "csv" : "jsonl";
      const safe = d.name.replace(/[^\p{L}\p{N}._-]+/gu, "_").slice(0, 100) || "dataset";
      return await submit({
        ...base(userId, d, JobType.ExportToFile),
        id,
        source: {
          dataset: {
            spaceId: d.spaceId,
            datasetId: d.id,
            ...(input.versionId !== undefined ? { versionId: input.versionId } : {}),
          },
        },
        target: {
          file: {
            provider: PROVIDER_S3,
            path: `exports/datasets/${d.id}/${id}.${ext}`,
            format,
            originalFileName: `${safe}-${version}.${ext}`,
          },
        },
      });
    },
    async get(userId, jobId, workspaceId) {
      if (workspaceId !== undefined) await deps.authz.requireMember(userId, workspaceId);
      const job = await deps.jobs.byId(jobId);
      if (!job || (workspaceId !== undefined && job.spaceId !== workspaceId)) {
        throw notFound(jobId);
      }
      if (!(await deps.authz.roleOf(userId, job.spaceId))) throw notFound(jobId);
      return await view(job);
    },
    async list(userId, q) {
      const d = await deps.access.dataset(userId, q.datasetId, { workspaceId: q.workspaceId });
      const jobs = await deps.jobs.byDataset(d.id, {
        types: q.types,
        statuses: q.statuses,
        limit: MAX_LISTED_JOBS,
      });
      return await Promise.all(jobs.map(view));
    },
  };
}

/**
 * Checks a file to read (this server's storage, a key of the workspace, not compressed);
 * answers its format: the given one, else by its extension (CSV by default).
 */
export function sourceFormat(file: SourceFile): FileFormat {
  if (file.provider !== undefined && file.provider !== PROVIDER_S3) {
    throw invalidParam("file.provider", "must be 5 (S3, this server's object storage)");
  }
  validateKey(file.path, "file.path");
  if (file.compressFormat) {
    throw invalidParam(
      "file.compress_format",
      "compressed files are not read: upload the CSV or JSONL file itself",
    );
  }
  const ext = /\.([A-Za-z]+)$/.exec(file.path)?.[1]?.toLowerCase();
  const f = file.format ??
    (ext === "jsonl" || ext === "json" ? FileFormat.JSONL : FileFormat.CSV);
  if (f !== FileFormat.CSV && f !== FileFormat.JSONL) {
    throw invalidParam("file.format", "1 (JSONL) or 3 (CSV); Parquet, XLSX and ZIP are not read");
  }
  return f;
}
