/**
 * Import and export jobs of datasets (`DatasetIOJob` in the IDL): the job row is the truth,
 * queue messages only wake workers. A job's checkpoint says where its file reading stands
 * (byte offset and row of the next record, the header and the encoding), so a job resumed by
 * another process continues there; items an import writes have keys `job:<id>:row:<n>`.
 */
import type { ItemErrorGroup } from "./types.ts";

/** `JobType`. */
export const JobType = { ImportFromFile: 1, ExportToFile: 2 } as const;
/** A job type. */
export type JobType = (typeof JobType)[keyof typeof JobType];

/** `JobStatus`. */
export const JobStatus = {
  Pending: 1,
  Running: 2,
  Completed: 3,
  Failed: 4,
  Cancelled: 5,
} as const;
/** A job status. */
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

/** `FileFormat` of the files a job reads or writes. */
export const FileFormat = { JSONL: 1, CSV: 3 } as const;
/** A file format this server reads and writes. */
export type FileFormat = (typeof FileFormat)[keyof typeof FileFormat];

/** `ItemErrorType` values of jobs (beyond the item checks'). */
export const JobErrorType = { MalformedFile: 5, InternalError: 100, RWFileFailed: 102 } as const;

/** An uploaded file as a caller names it (`DatasetIOFile`), before it is checked. */
export interface SourceFile {
  provider?: number;
  path: string;
  format?: number;
  compressFormat?: number;
  originalFileName?: string;
}

/** The file of a job: an object of the workspace (`path` relative to it). */
export interface IoFile {
  provider: number;
  path: string;
  format: FileFormat;
  originalFileName?: string;
}

/** The dataset end of a job (an export's source). */
export interface IoDataset {
  spaceId: bigint;
  datasetId: bigint;
  versionId?: bigint;
}

/** `FieldMapping`: a file column (or JSON key) to a field (by name). */
export interface FieldMapping {
  source: string;
  target: string;
}

/** Where a job's reading stands. */
export interface Checkpoint {
  /** Byte offset of the next record in the file. */
  offset: number;
  /** Index of the next data row (0-based, the header excluded). */
  row: number;
  /** CSV: the header's column names. */
  header?: string[];
  /** The file's text encoding, decided once at the start. */
  encoding?: "utf-8" | "gb18030";
  /** The draft was emptied (`overwrite_dataset`), once. */
  cleared?: boolean;
}

/** A job as stored. */
export interface IoJob {
  id: bigint;
  spaceId: bigint;
  datasetId: bigint;
  type: JobType;
  status: JobStatus;
  source: { file?: IoFile; dataset?: IoDataset };
  target: { file?: IoFile; dataset?: IoDataset };
  fieldMappings: FieldMapping[];
  overwrite: boolean;
  total?: number;
  processed: number;
  added: number;
  errors: ItemErrorGroup[];
  checkpoint: Checkpoint;
  /** Why a failed job failed. */
  reason?: string;
  leaseOwner?: string;
  leaseUntil: number;
  createdBy: bigint;
  createdAt: Date;
  updatedAt: Date;
  startedAt?: Date;
  endedAt?: Date;
}

/** Whether a status is final. */
export function isTerminal(s: JobStatus): boolean {
  return s === JobStatus.Completed || s === JobStatus.Failed || s === JobStatus.Cancelled;
}

/** The item key of an imported row: replaying a batch finds it and writes nothing twice. */
export function rowItemKey(jobId: bigint, row: number): string {
  return `job:${jobId}:row:${row}`;
}
