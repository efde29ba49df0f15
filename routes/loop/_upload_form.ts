/**
 * Reads a `multipart/form-data` upload (`workspace_id`, `file`) as a stream with busboy and
 * hands the file to the FileService without holding it in memory. The SDKs do not promise
 * the field order: when `workspace_id` comes first the file streams straight to storage;
 * when the file comes first it is spooled to a temporary file (counted against the limit)
 * and uploaded from there once the workspace is known.
 */
import { Readable } from "node:stream";
import busboy from "busboy";
import { AppError, Codes, invalidParam } from "../../domains/errors.ts";
import {
  byteCounter,
  type FileService,
  type UploadResult,
  validateContentType,
  validateKey,
} from "../../domains/foundation/files.ts";
import { id64 } from "../_wire/schemas.ts";

/** What receiving one upload needs. */
export interface UploadForm {
  files: FileService;
  userId: bigint;
  /** `workspace_id` from the query string, when given there. */
  queryWorkspaceId?: string;
}

interface Spooled {
  path: string;
  size: number;
}

interface State {
  workspaceId?: bigint;
  fileName?: string;
  contentType?: string;
  /** The direct upload, or the spooling of a file that came before `workspace_id`. */
  job?: Promise<UploadResult | Spooled>;
  tempPath?: string;
}

/** Receives the form in `body` and stores its file; returns what was stored. */
export async function receiveUpload(
  body: ReadableStream<Uint8Array>,
  contentType: string,
  form: UploadForm,
): Promise<UploadResult> {
  const state: State = {};
  if (form.queryWorkspaceId !== undefined) {
    state.workspaceId = parseWorkspaceId(form.queryWorkspaceId);
  }
  try {
    const workspaceId = await parseForm(body, contentType, form, state);
    const done = await state.job!;
    if (!("path" in done)) return done;
    const file = await Deno.open(done.path, { read: true });
    return await form.files.upload(form.userId, workspaceId, state.fileName!, file.readable, {
      contentType: state.contentType,
      size: done.size,
    });
  } finally {
    // A failure tears the streams down; wait for the job to notice (storage aborts its
    // upload, the spool closes its file) before answering, so nothing is left half done.
    await state.job?.catch(() => {});
    if (state.tempPath) await Deno.remove(state.tempPath).catch(() => {});
  }
}

/** Runs busboy over the body; resolves with the workspace id once the form is read. */
function parseForm(
  body: ReadableStream<Uint8Array>,
  contentType: string,
  form: UploadForm,
  state: State,
): Promise<bigint> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { "content-type": contentType },
        // Keep the file name as sent: it is the storage key, checked by validateKey, and
        // busboy would otherwise cut it to its last path segment.
        preservePath: true,
        defParamCharset: "utf8",
        limits: { files: 1, fields: 16, fieldSize: 4096, parts: 32 },
      });
    } catch (err) {
      return reject(invalidParam("body", `not a multipart form: ${(err as Error).message}`));
    }
    const source = Readable.fromWeb(body as import("node:stream/web").ReadableStream);
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      source.unpipe(parser);
      source.destroy();
      parser.destroy();
      reject(err);
    };
    parser.on("field", (name, value) => {
      if (name !== "workspace_id") return;
      try {
        const id = parseWorkspaceId(value);
        if (state.workspaceId !== undefined && state.workspaceId !== id) {
          throw invalidParam("workspace_id", "the query and the form name different workspaces");
        }
        state.workspaceId = id;
      } catch (err) {
        fail(err);
      }
    });
    parser.on("file", (name, stream, info) => {
      // A file stream that errors with nobody listening would crash the process; its
      // consumer (or fail) reports the failure.
      stream.on("error", () => {});
      if (name !== "file") {
        stream.resume();
        return fail(invalidParam("file", `unexpected file field "${name}", expected "file"`));
      }
      state.fileName = info.filename ?? "";
      state.contentType = info.mimeType;
      const web = toWebStream(stream);
      state.job = startJob(web, form, state);
      state.job.catch(fail);
    });
    parser.on("filesLimit", () => fail(invalidParam("file", "more than one file")));
    parser.on("error", (err) => fail(invalidParam("body", `malformed multipart form: ${err}`)));
    source.on("error", (err) => fail(err));
    parser.on("close", () => {
      if (settled) return;
      if (!state.job) return fail(invalidParam("file", "is required"));
      if (state.workspaceId === undefined) return fail(invalidParam("workspace_id", "is required"));
      settled = true;
      resolve(state.workspaceId);
    });
    source.pipe(parser);
  });
}

/** Streams the file to storage when the workspace is known, else spools it to disk. */
function startJob(
  web: ReadableStream<Uint8Array>,
  form: UploadForm,
  state: State,
): Promise<UploadResult | Spooled> {
  const fileName = state.fileName!;
  if (state.workspaceId !== undefined) {
    return form.files.upload(form.userId, state.workspaceId, fileName, web, {
      contentType: state.contentType,
    });
  }
  return (async () => {
    try {
      // Refuse a bad key now rather than after spooling the whole file.
      validateKey(fileName, "file_name");
      validateContentType(state.contentType);
    } catch (err) {
      await web.cancel().catch(() => {});
      throw err;
    }
    state.tempPath = await makeSpoolFile();
    const file = await Deno.open(state.tempPath, { write: true });
    const counter = byteCounter(form.files.maxUploadBytes);
    await web.pipeThrough(counter.stream).pipeTo(file.writable);
    return { path: state.tempPath, size: counter.bytes() };
  })();
}

async function makeSpoolFile(): Promise<string> {
  try {
    return await Deno.makeTempFile({ prefix: "coze-loop-upload-" });
  } catch (err) {
    if (!(err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied)) {
      throw err;
    }
    throw new AppError(
      Codes.badRequest,
      "Cannot receive a file before workspace_id: this server may not write temporary files; " +
        "send workspace_id first or as a query parameter",
    );
  }
}

function parseWorkspaceId(value: string): bigint {
  const r = id64.safeParse(value.trim());
  if (!r.success) throw invalidParam("workspace_id", "expected a positive int64");
  return r.data;
}

/**
 * A web stream over busboy's file stream. Not `Readable.toWeb`: once the web side is
 * cancelled (a refused upload), its adapter keeps enqueueing and throws where nothing can
 * catch it, which would end the process. Here a cancel drains the rest instead, so the
 * multipart parser can finish.
 */
function toWebStream(stream: Readable): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(ctrl) {
      stream.on("data", (chunk: Uint8Array) => {
        if (done) return;
        ctrl.enqueue(new Uint8Array(chunk));
        if ((ctrl.desiredSize ?? 1) <= 0) stream.pause();
      });
      stream.on("end", () => {
        if (done) return;
        done = true;
        ctrl.close();
      });
      stream.on("error", (err: unknown) => {
        if (done) return;
        done = true;
        ctrl.error(err);
      });
      stream.pause();
    },
    pull() {
      stream.resume();
    },
    cancel() {
      done = true;
      stream.resume();
    },
  }, { highWaterMark: 4 });
}
