/**
 * A look at an uploaded import file before importing it: its size, its columns (the CSV
 * header, or the JSON Lines keys in order of appearance) and the values of its first rows,
 * read with the import's own streaming readers (encoding detected the same way), so the
 * preview sees the file as the import will. Reading stops after the first rows.
 */
import { NotFoundError } from "../../infra/errors.ts";
import type { ObjectStorage } from "../../infra/storage/mod.ts";
import { invalidParam } from "../errors.ts";
import type { Authz } from "../foundation/authz.ts";
import { objectKey } from "../foundation/files.ts";
import { bomLength, detectEncoding, peek, skipBytes } from "./io_bytes.ts";
import { sourceFormat } from "./io_jobs.ts";
import { csvRecords, jsonlRecords, MalformedFile, type ReadStart } from "./io_read.ts";
import { FileFormat, type SourceFile } from "./io_types.ts";

/** Rows of a file a preview reads. */
export const PREVIEW_ROWS = 10;

/** One column of a previewed file. */
export interface ColumnPreview {
  name: string;
  /** Its first rows' values ("" where a row has none). */
  samples: string[];
  /** Some value is a JSON object or array. */
  json: boolean;
  /** Some values are JSON objects or arrays and others plain text. */
  ambiguous: boolean;
  /** Every value given is an http(s) URL (an image column, likely). */
  url: boolean;
}

/** What a preview found. */
export interface FilePreview {
  bytes: number;
  fileName: string;
  format: FileFormat;
  columns: ColumnPreview[];
}

/** The preview service. */
export interface FilePreviewService {
  preview(userId: bigint, input: {
    workspaceId: bigint;
    file: SourceFile;
  }): Promise<FilePreview>;
}

const URL_RE = /^https?:\/\/\S+$/i;

/** Creates the service. */
export function createFilePreview(
  deps: { authz: Authz; storage: ObjectStorage },
): FilePreviewService {
  return {
    async preview(userId, { workspaceId, file }) {
      await deps.authz.requireMember(userId, workspaceId);
      const format = sourceFormat(file);
      let download;
      try {
        download = await deps.storage.download(objectKey(workspaceId, file.path));
      } catch (err) {
        if (err instanceof NotFoundError) {
          throw invalidParam("file.path", `no object "${file.path}" in this workspace`);
        }
        throw err;
      }
      const p = await peek(download.body);
      const bom = bomLength(p.prefix);
      const start: ReadStart = {
        offset: bom,
        row: 0,
        encoding: detectEncoding(p.prefix.subarray(bom)),
      };
      const body = skipBytes(p.body, bom);
      const records = format === FileFormat.CSV
        ? csvRecords(body, start)
        : jsonlRecords(body, start);
      const rows: Map<string, string>[] = [];
      const names: string[] = [];
      try {
        for await (const rec of records) {
          if (rec.values) {
            rows.push(rec.values);
            for (const k of rec.values.keys()) if (!names.includes(k)) names.push(k);
          }
          if (rec.row + 1 >= PREVIEW_ROWS) break;
        }
      } catch (err) {
        if (err instanceof MalformedFile) throw invalidParam("file", err.message);
        throw err;
      }
      const columns = format === FileFormat.CSV ? (start.header ?? []).filter((c) => c) : names;
      return {
        bytes: download.info.size,
        fileName: file.originalFileName || file.path.split("/").at(-1) || file.path,
        format,
        columns: [...new Set(columns)].map((name) => column(name, rows)),
      };
    },
  };
}

function column(name: string, rows: Map<string, string>[]): ColumnPreview {
  const samples = rows.map((r) => r.get(name) ?? "");
  const given = samples.filter((s) => s.trim());
  const isJson = (s: string) => {
    const t = s.trim();
    if (!(t.startsWith("{") || t.startsWith("["))) return false;
    try {
      const v = JSON.parse(t);
      return typeof v === "object" && v !== null;
    } catch {
      return false;
    }
  };
  const json = given.filter(isJson).length;
  return {
    name,
    samples,
    json: json > 0,
    ambiguous: json > 0 && json < given.length,
    url: given.length > 0 && given.every((s) => URL_RE.test(s.trim())),
  };
}
