/** Dataset jobs on the wire (`DatasetIOJob`): int64 values as bigint, written as strings. */
import type { JobView } from "../../domains/data/io_mod.ts";
import type { IoFile, IoJob, SourceFile } from "../../domains/data/io_types.ts";
import { errorGroupToWire } from "./convert_data.ts";

type Wire = Record<string, unknown>;

/** A job answered. */
export function ioJobToWire(j: JobView): Wire {
  const ms = (d: Date) => BigInt(d.getTime());
  return {
    id: j.id,
    space_id: j.spaceId,
    dataset_id: j.datasetId,
    job_type: j.type,
    source: endpointToWire(j.source),
    target: endpointToWire(j.target, j.downloadUrl),
    ...(j.fieldMappings.length ? { field_mappings: j.fieldMappings } : {}),
    option: { overwrite_dataset: j.overwrite },
    status: j.status,
    progress: {
      ...(j.total !== undefined ? { total: BigInt(j.total) } : {}),
      processed: BigInt(j.processed),
      added: BigInt(j.added),
    },
    errors: j.errors.map(errorGroupToWire),
    created_by: `${j.createdBy}`,
    created_at: ms(j.createdAt),
    updated_by: `${j.createdBy}`,
    updated_at: ms(j.updatedAt),
    ...(j.startedAt ? { started_at: ms(j.startedAt) } : {}),
    ...(j.endedAt ? { ended_at: ms(j.endedAt) } : {}),
  };
}

function endpointToWire(e: IoJob["source"], downloadUrl?: string): Wire {
  return {
    ...(e.file ? { file: fileToWire(e.file, downloadUrl) } : {}),
    ...(e.dataset
      ? {
        dataset: {
          space_id: e.dataset.spaceId,
          dataset_id: e.dataset.datasetId,
          ...(e.dataset.versionId !== undefined ? { version_id: e.dataset.versionId } : {}),
        },
      }
      : {}),
  };
}

/** A `DatasetIOFile` as sent. */
export function sourceFileFromWire(f: {
  provider?: number;
  path: string;
  format?: number;
  compress_format?: number;
  original_file_name?: string;
}): SourceFile {
  return {
    provider: f.provider,
    path: f.path,
    format: f.format,
    compressFormat: f.compress_format,
    originalFileName: f.original_file_name,
  };
}

function fileToWire(f: IoFile, downloadUrl?: string): Wire {
  return {
    provider: f.provider,
    path: f.path,
    format: f.format,
    ...(f.originalFileName ? { original_file_name: f.originalFileName } : {}),
    ...(downloadUrl ? { download_url: downloadUrl } : {}),
  };
}
