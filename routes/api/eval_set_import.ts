/**
 * `/api/evaluation/v1/evaluation_sets/...`: the routes that start an evaluation set or fill
 * it from files: templates to start from, creation together with an import of an uploaded
 * file, a look at such a file (its columns and first rows), and a check of multi-modal
 * references. The item version routes are mounted here too (one group for app.ts).
 */
import { z } from "@hono/zod-openapi";
import type { DataServices } from "../../domains/data/mod.ts";
import type { DataIo } from "../../domains/data/io_mod.ts";
import { createWithImport } from "../../domains/data/io_create.ts";
import { Category, ContentType } from "../../domains/data/types.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, int64, routeGroup } from "../_wire/routes.ts";
import { i64, jsonBody } from "../_wire/schemas.ts";
import { evalFieldFromWire, evalFieldToWire } from "../_wire/convert_eval_set.ts";
import { sourceFileFromWire } from "../_wire/convert_data_io.ts";
import { evalFieldIn } from "./_schemas_eval_sets.ts";
import { fieldMappingIn, ioFileIn } from "./_schemas_data_io.ts";
import { parsedFileOut, templateOut, uploadDetailOut } from "./_schemas_eval_set_extra.ts";
import { evalSetItemVersionRoutes } from "./eval_set_item_versions.ts";
import type { RouteApp } from "../_env.ts";

const tags = ["evaluation: evaluation sets"];
const base = "/api/evaluation/v1/evaluation_sets";
const workspace = i64.refine((n) => n > 0n, "expected a positive id");

const templates = apiRoute({
  method: "post",
  path: `${base}/templates/list`,
  tags,
  summary: "The built-in templates an evaluation set can start from, with their schemas",
  description: "The templates are the server's own (not datasets): their ids name nothing else.",
  request: {
    body: jsonBody(z.object({
      workspace_id: workspace,
      page_size: z.number().int().min(1).max(200).optional(),
      page_token: z.string().max(16).optional(),
    })),
  },
}, { templates: z.array(templateOut), total: int64, next_page_token: z.string() });
const createImport = apiRoute({
  method: "post",
  path: `${base}/create_with_import`,
  tags,
  summary: "Create an evaluation set and start importing an uploaded CSV or JSONL file into it",
  description: "Answers at once; follow the job at /api/data/v1/dataset_io_jobs/{job_id}. " +
    "A refused import leaves no set behind.",
  request: {
    body: jsonBody(z.object({
      workspace_id: workspace,
      name: z.string().min(1).max(255),
      description: z.string().max(2048).optional(),
      evaluation_set_schema: z.object({ field_schemas: z.array(evalFieldIn).min(1).max(200) }),
      biz_category: z.string().max(128).optional(),
      source_type: z.literal(1).optional().openapi({ description: "1 File (the only one)" }),
      source: z.object({ file: ioFileIn }),
      fieldMappings: z.array(fieldMappingIn).min(1).max(200),
      option: z.object({ overwrite_dataset: z.boolean().optional() }).optional(),
    })),
  },
}, { evaluation_set_id: int64, job_id: int64 });
const parseFile = apiRoute({
  method: "post",
  path: `${base}/parse_import_source_file`,
  tags,
  summary: "Read an uploaded CSV or JSONL file's columns and first 10 rows, to propose fields",
  description: "One file per call (no folders or archives): conflicts list the columns whose " +
    "values mix JSON and plain text in it.",
  request: {
    body: jsonBody(z.object({ workspace_id: workspace, file: ioFileIn })),
  },
}, parsedFileOut);
const validateParts = apiRoute({
  method: "post",
  path: `${base}/multi_part_data/validate`,
  tags,
  summary: "Check multi-modal references (object keys of the workspace) before using them",
  description: "External URLs are refused (the server fetches no outside host): upload first.",
  request: {
    body: jsonBody(z.object({
      space_id: workspace,
      preview_data: z.array(z.string().max(2048)).min(1).max(100),
      store_option: z.object({
        multi_modal_store_strategy: z.number().int().optional(),
        content_type: z.number().int().optional(),
      }).optional(),
    })),
  },
}, { attachment_urls_check_detail: z.array(uploadDetailOut) });

const MEDIA_KEYS: Record<number, [string, string]> = {
  [ContentType.Image]: ["origin_image", "image"],
  [ContentType.Audio]: ["origin_audio", "audio"],
  [ContentType.Video]: ["origin_video", "video"],
};

/** The evaluation set routes of templates, files and multi-modal checks (and item versions). */
export function evalSetExtraRoutes(deps: { data: DataServices; dataIo: DataIo }): RouteApp {
  const { data } = deps;
  const app = routeGroup();
  app.openapi(templates, async (c) => {
    const b = c.req.valid("json");
    const r = await data.templates.list(c.get("caller").userId, {
      workspaceId: b.workspace_id,
      pageSize: b.page_size,
      pageToken: b.page_token,
    });
    return apiOk(c, {
      templates: r.templates.map((t) => ({
        template_dataset_id: t.id,
        template_dataset_name: t.name,
        description: t.description,
        evaluation_set_schema: { field_schemas: t.fields.map(evalFieldToWire) },
        is_editable: t.editable,
      })),
      total: BigInt(r.total),
      next_page_token: r.nextPageToken,
    });
  });
  app.openapi(createImport, async (c) => {
    const b = c.req.valid("json");
    const r = await createWithImport(
      { datasets: data.datasets, jobs: deps.dataIo.jobs },
      c.get("caller").userId,
      {
        dataset: {
          workspaceId: b.workspace_id,
          name: b.name,
          description: b.description,
          category: Category.Evaluation,
          bizCategory: b.biz_category,
          fields: b.evaluation_set_schema.field_schemas.map(evalFieldFromWire),
        },
        file: sourceFileFromWire(b.source.file),
        fieldMappings: b.fieldMappings,
        overwrite: b.option?.overwrite_dataset,
      },
    );
    return apiOk(c, { evaluation_set_id: r.datasetId, job_id: r.jobId });
  });
  app.openapi(parseFile, async (c) => {
    const b = c.req.valid("json");
    const p = await data.filePreview.preview(c.get("caller").userId, {
      workspaceId: b.workspace_id,
      file: sourceFileFromWire(b.file),
    });
    const schemaOf = (col: { name: string; json: boolean }) => ({
      name: col.name,
      content_type: "Text",
      default_display_format: col.json ? 3 : 1,
    });
    const ambiguous = p.columns.filter((col) => col.ambiguous);
    return apiOk(c, {
      bytes: BigInt(p.bytes),
      field_schemas: p.columns.map(schemaOf),
      conflicts: ambiguous.map((col) => ({
        field_name: col.name,
        detail_m: { [p.fileName]: schemaOf(col) },
      })),
      files_with_ambiguous_column: ambiguous.length ? [p.fileName] : [],
      untyped_url_fields: p.columns.filter((col) => col.url).map((col) => col.name),
      precheck_data_by_field: Object.fromEntries(p.columns.map((col) => [col.name, col.samples])),
    });
  });
  app.openapi(validateParts, async (c) => {
    const b = c.req.valid("json");
    const checks = await data.attachmentChecks.check(c.get("caller").userId, {
      workspaceId: b.space_id,
      references: b.preview_data,
      contentType: b.store_option?.content_type,
    });
    return apiOk(c, {
      attachment_urls_check_detail: checks.map((x) => {
        const [origin, stored] = MEDIA_KEYS[x.contentType ?? ContentType.Image];
        return {
          ...(x.contentType ? { content_type: x.contentType } : {}),
          [origin]: /^https?:/i.test(x.origin) ? { url: x.origin } : { uri: x.origin },
          ...(x.stored ? { [stored]: x.stored } : {}),
          ...(x.errorType ? { error_type: x.errorType, err_msg: x.message } : {}),
        };
      }),
    });
  });
  app.route("/", evalSetItemVersionRoutes(data));
  return app;
}
