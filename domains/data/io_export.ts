/**
 * The export runner: a version's items (or the draft's) written to object storage as CSV
 * (a header of field names, UTF-8 with a byte order mark for spreadsheets) or JSON Lines (an
 * object per item, by field name), streamed page by page into one upload, with progress
 * saved after every page. An upload cannot be continued by another process, so a resumed
 * export starts its file again (same key, written over): the object is whole or absent.
 */
import { objectKey } from "../foundation/files.ts";
import { type RunContext, type RunDeps, RunState } from "./io_run.ts";
import { FileFormat, JobErrorType, JobStatus } from "./io_types.ts";
import { valueToCell } from "./io_values.ts";
import { type FieldSchema, FieldStatus, type Item } from "./types.ts";
import { AppError } from "../errors.ts";

const PAGE = 200;
const encoder = new TextEncoder();

/** Runs an export job: the file is written whole, then the job completes. */
export async function runExport(deps: RunDeps, ctx: RunContext): Promise<void> {
  const state = new RunState(deps, ctx);
  const { job } = ctx;
  const file = job.target.file!;
  const src = job.source.dataset!;
  const userId = job.createdBy;
  state.p = { ...state.p, processed: 0, added: 0 };
  let fields: FieldSchema[] | undefined;
  let token = "";
  let done = false;
  let total: number | undefined;
  const page = async (): Promise<string> => {
    const r = await deps.items.list(userId, {
      datasetId: src.datasetId,
      versionId: src.versionId,
      pageSize: PAGE,
      pageToken: token || undefined,
      asc: true,
    });
    let out = "";
    if (!fields) {
      fields = r.schema.fields.filter((f) => f.status === FieldStatus.Available);
      total = r.total;
      if (file.format === FileFormat.CSV) out += "\uFEFF" + csvLine(fields.map((f) => f.name));
    }
    for (const it of r.items) out += encodeItem(fields, it, file.format);
    token = r.nextPageToken;
    done = !token || r.items.length === 0;
    await state.save({
      ...state.p,
      processed: state.p.processed + r.items.length,
      added: state.p.added + r.items.length,
      ...(total !== undefined ? { total } : {}),
    });
    return out;
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(c) {
      if (ctx.signal.aborted) return c.error(new Error("the server is stopping"));
      const text = await page();
      if (text) c.enqueue(encoder.encode(text));
      if (done) c.close();
    },
  });
  try {
    await deps.storage.upload(objectKey(job.spaceId, file.path), body, {
      contentType: file.format === FileFormat.CSV ? "text/csv" : "application/x-ndjson",
    });
  } catch (err) {
    if (ctx.signal.aborted) return;
    if (err instanceof AppError) {
      return await state.finish(JobStatus.Failed, {
        reason: err.message,
        errorType: JobErrorType.InternalError,
      });
    }
    throw err;
  }
  await state.finish(JobStatus.Completed, { total: state.p.processed });
}

function encodeItem(fields: FieldSchema[], it: Item, format: number): string {
  const byKey = new Map((it.data ?? []).map((v) => [v.key, v]));
  const cells = fields.map((f) => valueToCell(f, byKey.get(f.key)));
  if (format === FileFormat.CSV) {
    return csvLine(cells.map((c) => typeof c === "string" ? c : JSON.stringify(c)));
  }
  return JSON.stringify(Object.fromEntries(fields.map((f, i) => [f.name, cells[i]]))) + "\n";
}

function csvLine(cells: string[]): string {
  return cells.map((c) => /[",\r\n]|^\s|\s$/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)
    .join(",") + "\r\n";
}
