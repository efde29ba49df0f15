/**
 * Experiments for SDKs and CI (`/v1/loop/evaluation/experiments`, personal access token or
 * OAuth app token): submit (sets and evaluators by version string, the target by its prompt,
 * pass thresholds beyond the IDL), get, list, kill, retry. A CI job submits, polls get until
 * the status is final, then reads `aggr_results` (experiments_results.ts) and fails when
 * `passed` is false.
 */
import { z } from "@hono/zod-openapi";
import {
  createExperimentOApi,
  type ExperimentOApiDeps,
} from "../../domains/evaluation/experiments/oapi.ts";
import { invalidParam } from "../../domains/errors.ts";
import { loopOk } from "../_wire/json.ts";
import { int64, loopRoute, routeGroup } from "../_wire/routes.ts";
import { id64, jsonBody } from "../_wire/schemas.ts";
import type { Experiments } from "../../domains/evaluation/experiments/mod.ts";
import type { RouteApp } from "../_env.ts";
import {
  experimentToOapi,
  oapiExperimentOut,
  oapiListBody,
  oapiSubmitBody,
  RETRY_MODES,
  STATUS_NAMES,
  TARGET_TYPES,
} from "./_schemas_experiments.ts";

const tags = ["evaluation (OpenAPI)"];
const base = "/v1/loop/evaluation/experiments";
const exptParam = z.object({ experiment_id: id64 });
const ws = z.object({ workspace_id: id64 });

const submit = loopRoute({
  method: "post",
  path: base,
  tags,
  summary: "Submit an experiment: it runs on the queue; poll get until its status is final",
  request: { body: jsonBody(oapiSubmitBody) },
}, z.object({ experiment: oapiExperimentOut }));
const get = loopRoute({
  method: "get",
  path: `${base}/{experiment_id}`,
  tags,
  summary: "An experiment, with its status and item counts",
  request: { params: exptParam, query: ws },
}, z.object({ experiment: oapiExperimentOut }));
const list = loopRoute({
  method: "post",
  path: `${base}/list`,
  tags,
  summary: "Page the workspace's experiments, newest first (fuzzy name, status, set, creator)",
  request: { body: jsonBody(oapiListBody) },
}, z.object({ experiments: z.array(oapiExperimentOut), total: int64 }));
const retry = loopRoute({
  method: "post",
  path: `${base}/{experiment_id}/retry`,
  tags,
  summary: "Run items of an ended experiment again, as a new run",
  request: {
    params: exptParam,
    body: jsonBody(ws.extend({
      retry_mode: z.enum(["retry_all", "retry_failure", "retry_target_items"]).optional()
        .openapi({ description: "default retry_failure (failed and terminated items)" }),
      item_ids: z.array(id64).max(5000).optional().openapi({
        description: "the items of retry_target_items",
      }),
    })),
  },
}, z.object({ run_id: int64 }));
const kill = loopRoute({
  method: "post",
  path: `${base}/{experiment_id}/kill`,
  tags,
  summary: "Stop a running experiment at once: it ends terminated",
  request: { params: exptParam, body: jsonBody(ws) },
});

type Conditions = NonNullable<
  NonNullable<NonNullable<z.infer<typeof oapiListBody>["filter_option"]>["filters"]>[
    "filter_conditions"
  ]
>;
const MAX_ID = 9223372036854775807n;
const STATUS_CODES = new Map(Object.entries(STATUS_NAMES).map(([k, v]) => [v, Number(k)]));

/** The list filters: statuses (by name or number), evaluation sets, creators. */
function listFilters(conds: Conditions = []) {
  const values = (type: string) =>
    conds.filter((c) => c.field.field_type === type).flatMap((c) =>
      c.value.split(",").map((v) => v.trim()).filter(Boolean)
    );
  const ids = (type: string) =>
    values(type).map((v) => {
      if (!/^\d{1,19}$/.test(v) || BigInt(v) > MAX_ID) {
        throw invalidParam(`filter ${type}`, `"${v.slice(0, 32)}" is no id`);
      }
      return BigInt(v);
    });
  const statuses = values("expt_status").map((v) => {
    const n = /^\d{1,3}$/.test(v) ? Number(v) : STATUS_CODES.get(v);
    if (n === undefined || !(n in STATUS_NAMES)) {
      throw invalidParam("filter expt_status", `"${v.slice(0, 32)}" is no experiment status`);
    }
    return n;
  });
  const sets = ids("eval_set_id");
  const creators = ids("creator_by");
  return {
    ...(statuses.length ? { statuses } : {}),
    ...(sets.length ? { evalSetIds: sets } : {}),
    ...(creators.length ? { createdBy: creators } : {}),
  };
}

/** Decodes a submit body for the domain. */
function submitInput(b: z.infer<typeof oapiSubmitBody>) {
  const t = b.eval_target_param;
  const type = t?.eval_target_type ?? "coze_loop_prompt";
  if (t && type !== "coze_loop_prompt") {
    throw invalidParam(
      "eval_target_param.eval_target_type",
      `"${type}" is not supported: only coze_loop_prompt (a committed prompt version)`,
    );
  }
  return {
    workspaceId: b.workspace_id,
    name: b.name ?? "",
    description: b.description,
    evalSetId: b.eval_set_param.eval_set_id,
    evalSetVersion: b.eval_set_param.version,
    ...(t
      ? {
        createTarget: {
          targetType: TARGET_TYPES[type],
          sourceTargetId: t.source_target_id,
          sourceTargetVersion: t.source_target_version,
        },
      }
      : {}),
    evaluatorIdVersions: (b.evaluator_params ?? []).map((p) => ({
      evaluatorId: p.evaluator_id,
      version: p.version,
    })),
    targetFieldMapping: b.target_field_mapping ?? {},
    evaluatorFieldMapping: b.evaluator_field_mapping?.map((m) => ({
      evaluator_version_id: "",
      ...(m.from_eval_set ? { from_eval_set: m.from_eval_set } : {}),
      ...(m.from_target ? { from_target: m.from_target } : {}),
      evaluator_id_version_item: {
        ...(m.evaluator_id ? { evaluator_id: `${m.evaluator_id}` } : {}),
        ...(m.version ? { version: m.version } : {}),
      },
    })),
    passThresholds: b.pass_thresholds?.map((p) => ({
      evaluatorVersionId: p.evaluator_version_id,
      evaluatorId: p.evaluator_id,
      version: p.version,
      minScore: p.min_score,
    })),
    itemConcurNum: b.item_concur_num,
    itemRetryNum: b.item_retry_num,
  };
}

/** The routes; services are reached per request (the route table builds without them). */
export function loopExperimentRoutes(
  deps: { experiments: Pick<Experiments, "service"> } & Omit<ExperimentOApiDeps, "experiments">,
): RouteApp {
  const app = routeGroup();
  let built: ReturnType<typeof createExperimentOApi> | undefined;
  const oapi = () =>
    built ??= createExperimentOApi({
      experiments: deps.experiments.service,
      data: deps.data,
      evaluatorVersions: deps.evaluatorVersions,
      targets: deps.targets,
    });
  const user = (c: { get(k: "caller"): { userId: bigint } }) => c.get("caller").userId;
  app.openapi(submit, async (c) => {
    const d = await oapi().submit(user(c), submitInput(c.req.valid("json")));
    return loopOk(c, { experiment: experimentToOapi(d) });
  });
  app.openapi(list, async (c) => {
    const b = c.req.valid("json");
    const r = await oapi().list(user(c), b.workspace_id, {
      name: b.filter_option?.fuzzy_name,
      ...listFilters(b.filter_option?.filters?.filter_conditions),
      pageNumber: b.page_number,
      pageSize: b.page_size,
    });
    return loopOk(c, { experiments: r.experiments.map(experimentToOapi), total: `${r.total}` });
  });
  app.openapi(get, async (c) => {
    const d = await oapi().get(
      user(c),
      c.req.valid("query").workspace_id,
      c.req.valid("param").experiment_id,
    );
    return loopOk(c, { experiment: experimentToOapi(d) });
  });
  app.openapi(kill, async (c) => {
    await deps.experiments.service.kill(
      user(c),
      c.req.valid("json").workspace_id,
      c.req.valid("param").experiment_id,
    );
    return loopOk(c);
  });
  app.openapi(retry, async (c) => {
    const b = c.req.valid("json");
    const runId = await deps.experiments.service.retry(
      user(c),
      b.workspace_id,
      c.req.valid("param").experiment_id,
      { mode: RETRY_MODES[b.retry_mode ?? "retry_failure"], itemIds: b.item_ids },
    );
    return loopOk(c, { run_id: `${runId}` });
  });
  return app;
}
