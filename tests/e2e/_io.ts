/** Helpers for the dataset job end-to-end tests: files, imports, exports, waiting for jobs. */
import assert from "node:assert/strict";
import type { ServerProcess } from "../_server.ts";
import { post, type TestUser } from "./_client.ts";
import { D, upload } from "./_datasets.ts";

/** The job routes. */
export const J = "/api/data/v1/dataset_io_jobs";

/** Fields of `n` text columns `c0..c{n-1}`. */
export function textFields(n: number): { name: string; content_type: number }[] {
  return Array.from({ length: n }, (_, i) => ({ name: `c${i}`, content_type: 1 }));
}

/** Mappings of columns to the fields of the same name. */
export function sameNames(names: string[]): { source: string; target: string }[] {
  return names.map((n) => ({ source: n, target: n }));
}

/** Uploads `bytes` as `key`, then starts an import of it; returns the job id. */
export async function importFile(
  server: ServerProcess,
  u: TestUser,
  datasetId: string,
  o: {
    key: string;
    bytes?: Uint8Array;
    mappings: { source: string; target: string }[];
    format?: number;
    overwrite?: boolean;
  },
): Promise<string> {
  if (o.bytes) await upload(server, u, o.key, o.bytes);
  const r = await post(server, `${D}/${datasetId}/import`, {
    workspace_id: u.spaceId,
    file: { provider: 5, path: o.key, ...(o.format ? { format: o.format } : {}) },
    field_mappings: o.mappings,
    ...(o.overwrite ? { option: { overwrite_dataset: true } } : {}),
  }, u);
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return r.body.job_id;
}

/** Imports a file (as importFile) and waits for the job to end (as waitJob); returns it. */
export async function importAndWait(
  server: ServerProcess,
  u: TestUser,
  datasetId: string,
  o: Parameters<typeof importFile>[3],
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  return await waitJob(server, u, await importFile(server, u, datasetId, o));
}

/** The job, as GET answers it. */
// deno-lint-ignore no-explicit-any
export async function getJob(server: ServerProcess, u: TestUser, jobId: string): Promise<any> {
  const r = await post(server, `${J}/${jobId}?workspace_id=${u.spaceId}`, undefined, u, "GET");
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return r.body.job;
}

/** Polls the job until it ends (or `timeoutMs`); returns it. */
export async function waitJob(
  server: ServerProcess,
  u: TestUser,
  jobId: string,
  timeoutMs = 120_000,
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const job = await getJob(server, u, jobId);
    if (job.status >= 3) return job;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`job ${jobId} did not end within ${timeoutMs} ms`);
}

/** A CSV of `rows` rows of `cols` text columns (`c0..`), row i's cells `r<i>c<j>`. */
export function csvRows(rows: number, cols: number, from = 0): string {
  const lines = [Array.from({ length: cols }, (_, j) => `c${j}`).join(",")];
  for (let i = from; i < from + rows; i++) {
    lines.push(Array.from({ length: cols }, (_, j) => `r${i}c${j}`).join(","));
  }
  return lines.join("\n") + "\n";
}
