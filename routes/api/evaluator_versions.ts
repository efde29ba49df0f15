/**
 * Evaluator drafts, versions, runs and templates (web UI): update_draft, submit_version,
 * versions/list, evaluators_versions/{id} and batch_get, evaluators_versions/{id}/run, debug,
 * batch_debug, validate, list_template, get_template_info (answered under the key
 * `builtin_template`, as the IDL names it) and default_prompt_evaluator_tools.
 */
import { z } from "@hono/zod-openapi";
import type { EvaluatorVersionService } from "../../domains/evaluation/evaluator_versions.ts";
import type { EvaluatorInput } from "../../domains/evaluation/types.ts";
import { JUDGE_TOOL, listTemplates, templateInfo } from "../../domains/evaluation/templates/mod.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, int64, routeGroup } from "../_wire/routes.ts";
import { id64, jsonBody } from "../_wire/schemas.ts";
import type { RouteApp } from "../_env.ts";
import {
  contentIn,
  evaluatorOut,
  evaluatorType,
  evaluatorView,
  inputDataIn,
  outputDataOut,
  outputDataView,
  queryBool,
  recordOut,
  recordView,
  versionOut,
  versionView,
} from "./_schemas_evaluation.ts";

const tags = ["evaluation"];
const base = "/api/evaluation/v1/evaluators";
const vbase = "/api/evaluation/v1/evaluators_versions";
const idParam = z.object({ evaluator_id: id64 });
const versionParam = z.object({ evaluator_version_id: id64 });
const templateType = z.union([z.literal(1), z.literal(2), z.enum(["1", "2"]).transform(Number)])
  .openapi({ type: "integer", enum: [1, 2], description: "1 prompt, 2 code" });
const contentOut = z.record(z.string(), z.unknown()).openapi("EvaluatorContent");
const toolOut = z.object({
  type: z.number().int(),
  function: z.object({ name: z.string(), description: z.string(), parameters: z.string() })
    .strict(),
}).strict().openapi("EvaluatorTool");

const updateDraft = apiRoute({
  method: "patch",
  path: `${base}/{evaluator_id}/update_draft`,
  tags,
  summary: "Replace an evaluator's draft",
  request: {
    params: idParam,
    body: jsonBody(
      z.object({ workspace_id: id64, evaluator_content: contentIn, evaluator_type: evaluatorType }),
    ),
  },
}, { evaluator: evaluatorOut });
const submit = apiRoute({
  method: "post",
  path: `${base}/{evaluator_id}/submit_version`,
  tags,
  summary: "Submit the draft as an immutable version (above every earlier one)",
  request: {
    params: idParam,
    body: jsonBody(z.object({
      workspace_id: id64,
      version: z.string().min(1).max(64),
      description: z.string().max(1024).optional(),
      cid: z.string().max(128).optional(),
    })),
  },
}, { evaluator: evaluatorOut });
const listVersions = apiRoute({
  method: "post",
  path: `${base}/{evaluator_id}/versions/list`,
  tags,
  summary: "An evaluator's submitted versions, newest first",
  request: {
    params: idParam,
    body: jsonBody(z.object({
      workspace_id: id64,
      query_versions: z.array(z.string().max(64)).max(100).optional(),
      page_size: z.number().int().min(1).max(200).optional(),
      page_number: z.number().int().min(1).max(100_000).optional(),
      order_bys: z.array(
        z.object({ field: z.string().max(64).optional(), is_asc: z.boolean().optional() }),
      )
        .max(5).optional(),
    })),
  },
}, { evaluator_versions: z.array(versionOut), total: int64 });
const getVersion = apiRoute({
  method: "get",
  path: `${vbase}/{evaluator_version_id}`,
  tags,
  summary: "An evaluator with one of its versions as current version",
  request: {
    params: versionParam,
    query: z.object({
      workspace_id: id64,
      include_deleted: queryBool.optional(),
      builtin: queryBool.optional(),
    }),
  },
}, { evaluator: evaluatorOut });
const batchGetVersions = apiRoute({
  method: "post",
  path: `${vbase}/batch_get`,
  tags,
  summary: "Evaluators with the versions asked for, by version id",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      evaluator_version_ids: z.array(id64).max(200).optional(),
      include_deleted: z.boolean().optional(),
    })),
  },
}, { evaluators: z.array(evaluatorOut) });
const run = apiRoute({
  method: "post",
  path: `${vbase}/{evaluator_version_id}/run`,
  tags,
  summary: "Run a version on one input (the record is answered, not stored)",
  request: {
    params: versionParam,
    body: jsonBody(z.object({
      workspace_id: id64,
      input_data: inputDataIn,
      experiment_id: id64.optional(),
      experiment_run_id: id64.optional(),
      item_id: id64.optional(),
      turn_id: id64.optional(),
      ext: z.record(z.string(), z.string()).optional(),
    })),
  },
}, { record: recordOut });
const debugBody = (input: z.ZodType) =>
  jsonBody(
    z.object({
      workspace_id: id64,
      evaluator_content: contentIn,
      input_data: input,
      evaluator_type: evaluatorType,
    }),
  );
const debug = apiRoute({
  method: "post",
  path: `${base}/debug`,
  tags,
  summary: "Run content that is not saved on a sample input",
  request: { body: debugBody(inputDataIn) },
}, { evaluator_output_data: outputDataOut });
const batchDebug = apiRoute({
  method: "post",
  path: `${base}/batch_debug`,
  tags,
  summary: "Run content that is not saved on up to 20 sample inputs, one after the other",
  request: { body: debugBody(z.array(inputDataIn).min(1).max(20)) },
}, { evaluator_output_data: z.array(outputDataOut) });
const validate = apiRoute({
  method: "post",
  path: `${base}/validate`,
  tags,
  summary: "Check content (code: syntax and exec_evaluation); with input_data, run it too",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      evaluator_content: contentIn,
      evaluator_type: evaluatorType,
      input_data: inputDataIn.optional(),
    })),
  },
}, {
  valid: z.boolean(),
  error_message: z.string(),
  evaluator_output_data: outputDataOut.optional(),
});
const listTemplate = apiRoute({
  method: "post",
  path: `${base}/list_template`,
  tags,
  summary: "The builtin templates of a type (keys and names)",
  request: { query: z.object({ builtin_template_type: templateType }) },
}, { builtin_template_keys: z.array(contentOut) });
const getTemplate = apiRoute({
  method: "post",
  path: `${base}/get_template_info`,
  tags,
  summary: "One builtin template with its content (code: Python unless language_type says JS)",
  request: {
    query: z.object({
      builtin_template_type: templateType,
      builtin_template_key: z.string().min(1).max(128),
      language_type: z.string().max(32).optional(),
    }),
  },
}, { builtin_template: contentOut });
const tools = apiRoute({
  method: "post",
  path: `${base}/default_prompt_evaluator_tools`,
  tags,
  summary: "The tool an LLM judge answers with ({reason, score})",
}, { tools: z.array(toolOut) });

/** The evaluator version, run and template routes. */
export function evaluatorVersionRoutes(versions: EvaluatorVersionService): RouteApp {
  const app = routeGroup();
  const user = (c: { get(k: "caller"): { userId: bigint } }) => c.get("caller").userId;
  app.openapi(updateDraft, async (c) => {
    const b = c.req.valid("json");
    const v = await versions.updateDraft(
      user(c),
      b.workspace_id,
      c.req.valid("param").evaluator_id,
      {
        type: b.evaluator_type,
        content: b.evaluator_content,
      },
    );
    return apiOk(c, { evaluator: evaluatorView(v) });
  });
  app.openapi(submit, async (c) => {
    const b = c.req.valid("json");
    const v = await versions.submit(user(c), b.workspace_id, c.req.valid("param").evaluator_id, {
      version: b.version,
      description: b.description,
    });
    return apiOk(c, { evaluator: evaluatorView(v) });
  });
  app.openapi(listVersions, async (c) => {
    const b = c.req.valid("json");
    const r = await versions.list(user(c), b.workspace_id, c.req.valid("param").evaluator_id, {
      versions: b.query_versions,
      pageSize: b.page_size,
      pageNumber: b.page_number,
      asc: b.order_bys?.[0]?.is_asc,
    });
    return apiOk(c, { evaluator_versions: r.versions.map(versionView), total: String(r.total) });
  });
  app.openapi(getVersion, async (c) => {
    const q = c.req.valid("query");
    const v = await versions.get(
      user(c),
      q.workspace_id,
      c.req.valid("param").evaluator_version_id,
      q.include_deleted,
    );
    return apiOk(c, { evaluator: evaluatorView(v) });
  });
  app.openapi(batchGetVersions, async (c) => {
    const b = c.req.valid("json");
    const views = await versions.batchGet(
      user(c),
      b.workspace_id,
      b.evaluator_version_ids ?? [],
      b.include_deleted,
    );
    return apiOk(c, { evaluators: views.map(evaluatorView) });
  });
  app.openapi(run, async (c) => {
    const b = c.req.valid("json");
    const id = c.req.valid("param").evaluator_version_id;
    const r = await versions.run(user(c), b.workspace_id, id, b.input_data as EvaluatorInput);
    return apiOk(c, { record: recordView(id, b.input_data, r.record) });
  });
  app.openapi(debug, async (c) => {
    const b = c.req.valid("json");
    const [r] = await versions.debug(user(c), b.workspace_id, {
      type: b.evaluator_type,
      content: b.evaluator_content,
      inputs: [b.input_data as EvaluatorInput],
    });
    return apiOk(c, { evaluator_output_data: outputDataView(r) });
  });
  app.openapi(batchDebug, async (c) => {
    const b = c.req.valid("json");
    const rs = await versions.debug(user(c), b.workspace_id, {
      type: b.evaluator_type,
      content: b.evaluator_content,
      inputs: b.input_data as EvaluatorInput[],
    });
    return apiOk(c, { evaluator_output_data: rs.map(outputDataView) });
  });
  app.openapi(validate, async (c) => {
    const b = c.req.valid("json");
    const r = await versions.validate(user(c), b.workspace_id, {
      type: b.evaluator_type,
      content: b.evaluator_content,
      input: b.input_data as EvaluatorInput | undefined,
    });
    return apiOk(c, {
      valid: r.valid,
      error_message: r.message,
      ...(r.record ? { evaluator_output_data: outputDataView(r.record) } : {}),
    });
  });
  app.openapi(listTemplate, (c) => {
    const q = c.req.valid("query");
    return apiOk(c, { builtin_template_keys: listTemplates(q.builtin_template_type as 1 | 2) });
  });
  app.openapi(getTemplate, (c) => {
    const q = c.req.valid("query");
    return apiOk(c, {
      builtin_template: templateInfo(
        q.builtin_template_type as 1 | 2,
        q.builtin_template_key,
        q.language_type,
      ),
    });
  });
  app.openapi(tools, (c) => apiOk(c, { tools: [JUDGE_TOOL] }));
  return app;
}
