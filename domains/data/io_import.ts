/**
 * The import runner: reads the uploaded file as a stream from the checkpoint's byte offset,
 * maps columns to fields, validates rows and writes them in batches. A batch's items and the
 * checkpoint after it are one transaction (and the items carry keys `job:<id>:row:<n>`), so
 * a run stopped anywhere, resumed by any process, writes every row once. Bad rows become
 * error groups; a full dataset ends the job (completed, with the capacity error over the
 * rows left); a file that cannot be read as its format fails it with the reason.
 */
import { NotFoundError } from "../../infra/errors.ts";
import { AppError, Codes } from "../errors.ts";
import { objectKey } from "../foundation/files.ts";
import { bomLength, countRecords, detectEncoding, peek, skipBytes } from "./io_bytes.ts";
import { addRangeError, addRowError } from "./io_errors.ts";
import {
  csvRecords,
  type FileRecord,
  jsonlRecords,
  MalformedFile,
  type ReadStart,
} from "./io_read.ts";
import { type RunContext, type RunDeps, RunState } from "./io_run.ts";
import { FileFormat, JobErrorType, JobStatus, rowItemKey } from "./io_types.ts";
import { cellToValue } from "./io_values.ts";
import type { Progress } from "./io_repo.ts";
import { type DatasetWithSchema, type FieldSchema, FieldStatus, ItemErrorType } from "./types.ts";
import type { ItemInput } from "./validate.ts";

/** Rows validated and written per transaction (and per checkpoint). */
export const IMPORT_BATCH_ROWS = 200;

/** Runs (or resumes) an import job until it ends or the process stops. */
export async function runImport(deps: RunDeps, ctx: RunContext): Promise<void> {
  const state = new RunState(deps, ctx);
  const { job } = ctx;
  const file = job.source.file!;
  const fail = (reason: string, errorType: number = JobErrorType.MalformedFile) =>
    state.finish(JobStatus.Failed, { reason, errorType });
  let ds = await loadDataset(deps, job.datasetId);
  if (!ds) return await fail(`dataset ${job.datasetId} was deleted`, JobErrorType.InternalError);
  if (ds.dataset.features.repeatedData) {
    return await fail(
      "multi-turn datasets cannot be imported from a file",
      JobErrorType.InternalError,
    );
  }
  if (job.overwrite && !state.p.checkpoint.cleared) {
    await deps.items.clear(job.createdBy, { datasetId: job.datasetId });
    await state.save({ ...state.p, checkpoint: { ...state.p.checkpoint, cleared: true } });
  }
  const key = objectKey(job.spaceId, file.path);
  const open = async () => {
    try {
      return (await deps.storage.download(key)).body;
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  };
  let body = await open();
  if (!body) {
    return await fail(
      `the file "${file.path}" is not in object storage`,
      JobErrorType.RWFileFailed,
    );
  }
  const cp = state.p.checkpoint;
  if (!cp.encoding) {
    const p = await peek(body);
    const bom = bomLength(p.prefix);
    const counted = await open();
    const n = counted
      ? await countRecords(skipBytes(counted, bom), { quotes: file.format === FileFormat.CSV })
      : 0;
    await state.save({
      ...state.p,
      total: file.format === FileFormat.CSV ? Math.max(0, n - 1) : n,
      checkpoint: { ...cp, encoding: detectEncoding(p.prefix.subarray(bom)), offset: bom, row: 0 },
    });
    body = p.body;
  }
  const start = { ...state.p.checkpoint } as ReadStart;
  const records = file.format === FileFormat.CSV
    ? csvRecords(skipBytes(body, start.offset), start)
    : jsonlRecords(skipBytes(body, start.offset), start);
  let batch: FileRecord[] = [];
  let full: { from: number } | undefined;
  let headerChecked = file.format !== FileFormat.CSV;
  try {
    for await (const rec of records) {
      if (!headerChecked) {
        const missing = job.fieldMappings.map((m) => m.source).filter((s) =>
          !start.header!.includes(s)
        );
        if (missing.length) {
          return await fail(
            `column(s) ${missing.map((s) => JSON.stringify(s)).join(", ")} of field_mappings ` +
              `are not in the file's header (${
                start.header!.map((s) => JSON.stringify(s)).join(", ")
              })`,
          );
        }
        headerChecked = true;
        state.p = { ...state.p, checkpoint: { ...state.p.checkpoint, header: start.header } };
      }
      if (full) {
        state.p = {
          ...state.p,
          processed: state.p.processed + 1,
          checkpoint: { ...state.p.checkpoint, row: rec.row + 1, offset: rec.next },
        };
        continue;
      }
      batch.push(rec);
      if (batch.length < IMPORT_BATCH_ROWS) continue;
      ({ ds, full } = await flush(deps, state, { ds: ds!, batch, header: start.header }));
      batch = [];
      if (ctx.signal.aborted) return;
    }
    if (batch.length && !full) {
      ({ full } = await flush(deps, state, { ds: ds!, batch, header: start.header }));
    }
  } catch (err) {
    if (err instanceof MalformedFile) return await fail(err.message);
    throw err;
  }
  const rows = state.p.checkpoint.row;
  if (full && rows > full.from) {
    state.p = {
      ...state.p,
      errors: addRangeError(state.p.errors, {
        type: ItemErrorType.ExceedDatasetCapacity,
        message: `the dataset holds at most ${ds!.dataset.spec.maxItemCount} items`,
        start: full.from,
        end: rows - 1,
      }),
    };
  }
  await state.finish(JobStatus.Completed, { total: rows });
}

async function loadDataset(deps: RunDeps, id: bigint): Promise<DatasetWithSchema | undefined> {
  try {
    return await deps.access.trusted(id);
  } catch (err) {
    if (err instanceof AppError && err.code === Codes.dataNotFound) return undefined;
    throw err;
  }
}

// Validates and writes one batch with its checkpoint, in one transaction; a schema edit
// meanwhile reloads the dataset and tries again.
async function flush(
  deps: RunDeps,
  state: RunState,
  o: { ds: DatasetWithSchema; batch: FileRecord[]; header?: string[] },
): Promise<{ ds: DatasetWithSchema; full?: { from: number } }> {
  let ds = o.ds;
  for (let attempt = 1;; attempt++) {
    try {
      const full = await writeBatch(deps, state, ds, o.batch);
      return { ds, full };
    } catch (err) {
      if (
        !(err instanceof AppError) || err.code !== Codes.datasetConcurrentChange || attempt >= 5
      ) {
        throw err;
      }
      const again = await loadDataset(deps, ds.dataset.id);
      if (!again) throw err;
      ds = again;
    }
  }
}

async function writeBatch(
  deps: RunDeps,
  state: RunState,
  ds: DatasetWithSchema,
  batch: FileRecord[],
): Promise<{ from: number } | undefined> {
  const job = state.ctx.job;
  const byName = new Map<string, FieldSchema>(
    ds.schema.fields.filter((f) => f.status === FieldStatus.Available).map((f) => [f.name, f]),
  );
  let errors = state.p.errors;
  const inputs: ItemInput[] = [];
  const rows: number[] = [];
  for (const rec of batch) {
    if (rec.error !== undefined) {
      errors = addRowError(errors, {
        type: JobErrorType.MalformedFile,
        message: rec.error,
        row: rec.row,
      });
      continue;
    }
    try {
      inputs.push({
        itemKey: rowItemKey(job.id, rec.row),
        data: rowValues(job.fieldMappings, byName, rec.values!),
      });
      rows.push(rec.row);
    } catch (err) {
      errors = addRowError(errors, {
        type: ItemErrorType.MismatchSchema,
        message: (err as Error).message,
        row: rec.row,
      });
    }
  }
  const checked = await deps.writer.validate(ds, inputs);
  for (const e of checked.errors) {
    errors = addRowError(errors, { type: e.type, message: e.message, row: rows[e.index] });
  }
  const last = batch.at(-1)!;
  return await deps.db.transaction(async () => {
    const r = await deps.writer.write(ds, checked.valid, {
      actor: job.createdBy,
      allowPartialAdd: true,
    });
    const refused = r.errors.filter((e) => e.type === ItemErrorType.ExceedDatasetCapacity);
    const full = refused.length ? rows[Math.min(...refused.map((e) => e.index))] : undefined;
    const next: Progress = {
      ...state.p,
      processed: state.p.processed + batch.length,
      added: state.p.added + r.added.size,
      errors,
      checkpoint: { ...state.p.checkpoint, offset: last.next, row: last.row + 1 },
    };
    if (full !== undefined) {
      // The rows from the first refused one on are counted as refused at the end.
      next.errors = addRangeError(next.errors, {
        type: ItemErrorType.ExceedDatasetCapacity,
        message: `the dataset holds at most ${ds.dataset.spec.maxItemCount} items`,
        start: full,
        end: last.row,
      });
    }
    await state.save(next);
    return full !== undefined ? { from: last.row + 1 } : undefined;
  });
}

function rowValues(
  mappings: { source: string; target: string }[],
  byName: Map<string, FieldSchema>,
  values: Map<string, string>,
): ItemInput["data"] {
  const out: NonNullable<ItemInput["data"]> = [];
  for (const m of mappings) {
    const text = values.get(m.source);
    if (text === undefined) continue;
    const field = byName.get(m.target);
    if (!field) throw new Error(`no field "${m.target}" in the dataset`);
    out.push(cellToValue(field, text));
  }
  return out;
}
