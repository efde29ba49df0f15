/**
 * Request and answer schemas of the dataset job routes, after the IDL
 * (coze.loop.data.dataset.thrift, domain/dataset_job.thrift): `DatasetIOJob` with its
 * endpoints, progress and error groups. Requests validate what the server reads and ignore
 * other fields (the official frontend sends `description` and `fieldSchema` in mappings).
 */
import { z } from "@hono/zod-openapi";
import { int64 } from "../_wire/routes.ts";
import { itemErrorGroupOut } from "./_schemas_data.ts";

const ms = int64.openapi({ description: "epoch ms" });

/** `DatasetIOFile` as sent. */
export const ioFileIn = z.object({
  provider: z.number().int().optional(),
  path: z.string().min(1).max(1024),
  format: z.number().int().optional().openapi({ description: "1 JSONL, 3 CSV" }),
  compress_format: z.number().int().optional(),
  original_file_name: z.string().max(1024).optional(),
});

/** `FieldMapping` as sent: a file column (or JSON key) to a field name. */
export const fieldMappingIn = z.object({
  source: z.string().min(1).max(1024),
  target: z.string().min(1).max(128),
});

const fileOut = z.object({
  provider: z.number().int(),
  path: z.string(),
  format: z.number().int().optional(),
  original_file_name: z.string().optional(),
  download_url: z.string().optional().openapi({ description: "presigned (a completed export)" }),
});
const endpointOut = z.object({
  file: fileOut.optional(),
  dataset: z.object({
    space_id: int64,
    dataset_id: int64,
    version_id: int64.optional(),
  }).optional(),
});

/** `DatasetIOJob`. */
export const ioJobOut = z.object({
  id: int64,
  space_id: int64,
  dataset_id: int64,
  job_type: z.number().int().openapi({ description: "1 import from file, 2 export to file" }),
  source: endpointOut,
  target: endpointOut,
  field_mappings: z.array(z.object({ source: z.string(), target: z.string() })).optional(),
  option: z.object({ overwrite_dataset: z.boolean() }).optional(),
  status: z.number().int().openapi({
    description: "1 pending, 2 running, 3 completed, 4 failed, 5 cancelled",
  }),
  progress: z.object({
    total: int64.optional(),
    processed: int64,
    added: int64,
  }),
  errors: z.array(itemErrorGroupOut),
  created_by: z.string(),
  created_at: ms,
  updated_by: z.string(),
  updated_at: ms,
  started_at: ms.optional(),
  ended_at: ms.optional(),
}).openapi("DatasetIOJob");
