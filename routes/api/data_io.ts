/**
 * Dataset jobs: import an uploaded file (`/datasets/{id}/import`), a job's state
 * (`/dataset_io_jobs/{id}`), a dataset's jobs (`/datasets/{id}/io_jobs`), and, beyond the
 * reference (which declares the export type but builds none), an export of a version or the
 * draft to a file (`/datasets/{id}/export`), downloaded from the job's `target.file`.
 */
import { z } from "@hono/zod-openapi";
import type { DataIo } from "../../domains/data/io_mod.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, int64, routeGroup } from "../_wire/routes.ts";
import { id64, jsonBody } from "../_wire/schemas.ts";
import { ioJobToWire, sourceFileFromWire } from "../_wire/convert_data_io.ts";
import { fieldMappingIn, ioFileIn, ioJobOut } from "./_schemas_data_io.ts";
import type { RouteApp } from "../_env.ts";

const tags = ["data: jobs"];
const idParam = z.object({ dataset_id: id64 });

const importFile = apiRoute({
  method: "post",
  path: "/api/data/v1/datasets/{dataset_id}/import",
  tags,
  summary: "Import an uploaded CSV or JSONL file into the dataset (answers a job id at once)",
  request: {
    params: idParam,
    body: jsonBody(z.object({
      workspace_id: id64.optional(),
      file: ioFileIn,
      field_mappings: z.array(fieldMappingIn).min(1).max(200),
      option: z.object({ overwrite_dataset: z.boolean().optional() }).optional(),
    })),
  },
}, { job_id: int64 });
const exportFile = apiRoute({
  method: "post",
  path: "/api/data/v1/datasets/{dataset_id}/export",
  tags,
  summary: "Export a version (or the draft) to a CSV or JSONL file (answers a job id at once)",
  request: {
    params: idParam,
    body: jsonBody(z.object({
      workspace_id: id64.optional(),
      version_id: id64.optional(),
      format: z.number().int().optional().openapi({ description: "1 JSONL, 3 CSV (default)" }),
    })),
  },
}, { job_id: int64 });
const getJob = apiRoute({
  method: "get",
  path: "/api/data/v1/dataset_io_jobs/{job_id}",
  tags,
  summary: "A job: status, progress, error groups (a completed export: its download URL)",
  request: {
    params: z.object({ job_id: id64 }),
    query: z.object({ workspace_id: id64.optional() }),
  },
}, { job: ioJobOut });
const listJobs = apiRoute({
  method: "post",
  path: "/api/data/v1/datasets/{dataset_id}/io_jobs",
  tags,
  summary: "The dataset's jobs, newest first (at most 100)",
  request: {
    params: idParam,
    body: jsonBody(z.object({
      workspace_id: id64.optional(),
      types: z.array(z.number().int()).max(10).optional(),
      statuses: z.array(z.number().int()).max(10).optional(),
    })),
  },
}, { jobs: z.array(ioJobOut) });

/** The job routes. */
export function dataIoRoutes(io: DataIo): RouteApp {
  const app = routeGroup();
  app.openapi(importFile, async (c) => {
    const b = c.req.valid("json");
    const id = await io.jobs.createImport(c.get("caller").userId, {
      workspaceId: b.workspace_id,
      datasetId: c.req.valid("param").dataset_id,
      file: sourceFileFromWire(b.file),
      fieldMappings: b.field_mappings,
      overwrite: b.option?.overwrite_dataset,
    });
    return apiOk(c, { job_id: id });
  });
  app.openapi(exportFile, async (c) => {
    const b = c.req.valid("json");
    const id = await io.jobs.createExport(c.get("caller").userId, {
      workspaceId: b.workspace_id,
      datasetId: c.req.valid("param").dataset_id,
      versionId: b.version_id,
      format: b.format,
    });
    return apiOk(c, { job_id: id });
  });
  app.openapi(getJob, async (c) => {
    const job = await io.jobs.get(
      c.get("caller").userId,
      c.req.valid("param").job_id,
      c.req.valid("query").workspace_id,
    );
    return apiOk(c, { job: ioJobToWire(job) });
  });
  app.openapi(listJobs, async (c) => {
    const b = c.req.valid("json");
    const jobs = await io.jobs.list(c.get("caller").userId, {
      workspaceId: b.workspace_id,
      datasetId: c.req.valid("param").dataset_id,
      types: b.types,
      statuses: b.statuses,
    });
    return apiOk(c, { jobs: jobs.map(ioJobToWire) });
  });
  return app;
}
