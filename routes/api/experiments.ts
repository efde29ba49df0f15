/**
 * `/api/evaluation/v1/experiments`: submit (answers at once; the run goes on in the
 * pipeline), batch get, list, check a name, update, delete, batch delete, kill, retry,
 * clone (web UI). Query-vs-body split as the IDL's annotations say. Results, aggregates and
 * exports: experiment_results.ts.
 */
import { z } from "@hono/zod-openapi";
import type { ExperimentService } from "../../domains/evaluation/experiments/mod.ts";
import type { SubmitInput } from "../../domains/evaluation/experiments/submit.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, int64, routeGroup } from "../_wire/routes.ts";
import { id64, jsonBody } from "../_wire/schemas.ts";
import type { RouteApp } from "../_env.ts";
import { experimentOut, experimentView, submitBody } from "./_schemas_experiments.ts";

const tags = ["evaluation"];
const base = "/api/evaluation/v1/experiments";
const idParam = z.object({ expt_id: id64 });
const ws = z.object({ workspace_id: id64 });

const submit = apiRoute({
  method: "post",
  path: `${base}/submit`,
  tags,
  summary: "Submit an experiment: it runs on the queue; poll batch_get for its status",
  request: { body: jsonBody(submitBody) },
}, { experiment: experimentOut, run_id: int64 });
const batchGet = apiRoute({
  method: "post",
  path: `${base}/batch_get`,
  tags,
  summary: "Experiments by id, with their item counts (expt_stats)",
  request: { body: jsonBody(ws.extend({ expt_ids: z.array(id64).max(100) })) },
}, { experiments: z.array(experimentOut) });
const list = apiRoute({
  method: "post",
  path: `${base}/list`,
  tags,
  summary: "Page the workspace's experiments, newest first (fuzzy name, status, set, creator)",
  request: {
    body: jsonBody(ws.extend({
      page_number: z.number().int().optional(),
      page_size: z.number().int().optional(),
      filter_option: z.object({
        fuzzy_name: z.string().max(255).optional(),
        filters: z.object({
          filter_conditions: z.array(z.object({
            field: z.object({ field_type: z.number().int(), field_key: z.string().optional() }),
            operator: z.number().int().optional(),
            value: z.string().max(4096),
          })).max(20).optional(),
          logic_op: z.number().int().optional(),
        }).optional(),
      }).optional(),
      order_bys: z.array(z.object({ field: z.string().optional(), is_asc: z.boolean().optional() }))
        .max(5).optional(),
    })),
  },
}, { experiments: z.array(experimentOut), total: z.number().int() });
const checkName = apiRoute({
  method: "post",
  path: `${base}/check_name`,
  tags,
  summary: "Whether a name is free in the workspace",
  request: { body: jsonBody(ws.extend({ name: z.string().max(1024) })) },
}, { pass: z.boolean(), message: z.string() });
const update = apiRoute({
  method: "patch",
  path: `${base}/{expt_id}`,
  tags,
  summary: "Rename an experiment or change its description",
  request: {
    params: idParam,
    body: jsonBody(
      ws.extend({ name: z.string().max(1024).optional(), desc: z.string().optional() }),
    ),
  },
});
const remove = apiRoute({
  method: "delete",
  path: `${base}/{expt_id}`,
  tags,
  summary: "Delete an experiment (a running one is killed first)",
  request: { params: idParam, body: jsonBody(ws) },
});
const batchDelete = apiRoute({
  method: "delete",
  path: `${base}/batch_delete`,
  tags,
  summary: "Delete experiments (running ones are killed first)",
  request: { body: jsonBody(ws.extend({ expt_ids: z.array(id64).min(1).max(100) })) },
});
const kill = apiRoute({
  method: "post",
  path: `${base}/{expt_id}/kill`,
  tags,
  summary: "Stop a run at once: waiting items end terminated, running ones are aborted",
  request: { params: idParam, body: jsonBody(ws) },
});
const retry = apiRoute({
  method: "post",
  path: `${base}/{expt_id}/retry`,
  tags,
  summary: "Run items again as a new run: failures (2, default), all (1), or item_ids (3)",
  request: {
    params: idParam,
    body: jsonBody(ws.extend({
      retry_mode: z.number().int().optional(),
      item_ids: z.array(id64).max(5000).optional(),
    })),
  },
}, { run_id: int64 });
const clone = apiRoute({
  method: "post",
  path: `${base}/{expt_id}/clone`,
  tags,
  summary: "A new experiment with the same set, target, evaluators and settings, submitted",
  request: { params: idParam, body: jsonBody(ws) },
}, { experiment: experimentOut });

/** Decodes a submit body. */
export function submitInput(b: z.infer<typeof submitBody>): SubmitInput {
  const p = b.create_eval_target_param;
  return {
    workspaceId: b.workspace_id,
    name: b.name ?? "",
    description: b.desc,
    evalSetId: b.eval_set_id,
    evalSetVersionId: b.eval_set_version_id,
    targetVersionId: b.target_version_id,
    ...(p?.source_target_id
      ? {
        createTarget: {
          targetType: p.eval_target_type ?? 2,
          sourceTargetId: p.source_target_id,
          sourceTargetVersion: p.source_target_version ?? "",
        },
      }
      : {}),
    evaluatorVersionIds: b.evaluator_version_ids,
    evaluatorIdVersions: b.evaluator_id_version_list?.flatMap((x) =>
      x.evaluator_id && x.version ? [{ evaluatorId: x.evaluator_id, version: x.version }] : []
    ),
    targetFieldMapping: b.target_field_mapping,
    evaluatorFieldMapping: b.evaluator_field_mapping?.map((m) => ({
      evaluator_version_id: m.evaluator_version_id ? `${m.evaluator_version_id}` : "",
      ...(m.from_eval_set ? { from_eval_set: m.from_eval_set } : {}),
      ...(m.from_target ? { from_target: m.from_target } : {}),
      ...(m.evaluator_id_version_item
        ? {
          evaluator_id_version_item: {
            ...(m.evaluator_id_version_item.evaluator_id
              ? { evaluator_id: `${m.evaluator_id_version_item.evaluator_id}` }
              : {}),
            ...(m.evaluator_id_version_item.version
              ? { version: m.evaluator_id_version_item.version }
              : {}),
          },
        }
        : {}),
    })),
    passThresholds: b.pass_thresholds?.map((t) => ({
      evaluator_version_id: `${t.evaluator_version_id}`,
      min_score: t.min_score,
    })),
    itemConcurNum: b.item_concur_num,
    itemRetryNum: b.item_retry_num,
    exptType: b.expt_type,
    sourceType: b.source_type,
    sourceId: b.source_id,
  };
}

/** Filters of a list request this server applies: status (3), eval set (6), creator (2). */
function listFilters(
  conds: { field: { field_type: number }; value: string }[] = [],
): { statuses?: number[]; evalSetIds?: bigint[]; createdBy?: bigint[] } {
  const values = (t: number) =>
    conds.filter((c) => c.field.field_type === t).flatMap((c) =>
      c.value.split(",").map((v) => v.trim()).filter((v) => /^\d{1,19}$/.test(v))
    );
  const statuses = values(3).map(Number);
  const sets = values(6).map(BigInt);
  const creators = values(2).map(BigInt);
  return {
    ...(statuses.length ? { statuses } : {}),
    ...(sets.length ? { evalSetIds: sets } : {}),
    ...(creators.length ? { createdBy: creators } : {}),
  };
}

/** The experiment routes. */
export function experimentRoutes(experiments: ExperimentService): RouteApp {
  const app = routeGroup();
  app.openapi(submit, async (c) => {
    const v = await experiments.submit(c.get("caller").userId, submitInput(c.req.valid("json")));
    return apiOk(c, { experiment: experimentView(v), run_id: `${v.experiment.runId}` });
  });
  app.openapi(batchGet, async (c) => {
    const b = c.req.valid("json");
    const list = await experiments.batchGet(c.get("caller").userId, b.workspace_id, b.expt_ids);
    return apiOk(c, { experiments: list.map(experimentView) });
  });
  app.openapi(list, async (c) => {
    const b = c.req.valid("json");
    const r = await experiments.list(c.get("caller").userId, b.workspace_id, {
      name: b.filter_option?.fuzzy_name,
      ...listFilters(b.filter_option?.filters?.filter_conditions),
      pageNumber: b.page_number,
      pageSize: b.page_size,
    });
    return apiOk(c, { experiments: r.experiments.map(experimentView), total: r.total });
  });
  app.openapi(checkName, async (c) => {
    const b = c.req.valid("json");
    const pass = await experiments.checkName(c.get("caller").userId, b.workspace_id, b.name);
    return apiOk(c, { pass, message: pass ? "" : "an experiment of this name exists" });
  });
  app.openapi(update, async (c) => {
    const b = c.req.valid("json");
    await experiments.update(c.get("caller").userId, b.workspace_id, c.req.valid("param").expt_id, {
      name: b.name,
      description: b.desc,
    });
    return apiOk(c);
  });
  // batch_delete first: "{expt_id}" would take its path and refuse it as an id.
  app.openapi(batchDelete, async (c) => {
    const b = c.req.valid("json");
    await experiments.remove(c.get("caller").userId, b.workspace_id, b.expt_ids);
    return apiOk(c);
  });
  app.openapi(remove, async (c) => {
    const b = c.req.valid("json");
    await experiments.remove(c.get("caller").userId, b.workspace_id, [
      c.req.valid("param").expt_id,
    ]);
    return apiOk(c);
  });
  app.openapi(kill, async (c) => {
    const b = c.req.valid("json");
    await experiments.kill(c.get("caller").userId, b.workspace_id, c.req.valid("param").expt_id);
    return apiOk(c);
  });
  app.openapi(retry, async (c) => {
    const b = c.req.valid("json");
    const runId = await experiments.retry(
      c.get("caller").userId,
      b.workspace_id,
      c.req.valid("param").expt_id,
      { mode: b.retry_mode, itemIds: b.item_ids },
    );
    return apiOk(c, { run_id: `${runId}` });
  });
  app.openapi(clone, async (c) => {
    const b = c.req.valid("json");
    const v = await experiments.clone(
      c.get("caller").userId,
      b.workspace_id,
      c.req.valid("param").expt_id,
    );
    return apiOk(c, { experiment: experimentView(v) });
  });
  return app;
}
