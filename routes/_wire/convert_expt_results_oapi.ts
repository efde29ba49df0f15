/**
 * The experiment read side on the OpenAPI wire (domain_openapi/experiment.thrift and
 * evaluator.thrift): string enums ("success", "average", "double"), content types in lower
 * case, evaluator records as lists, turn ids as strings. Pass thresholds and the comparison
 * are the same extra fields as on the web API.
 */
import type { ExptAggregate, Stats } from "../../domains/evaluation/experiments/aggregates.ts";
import type { ExptRecord } from "../../domains/evaluation/experiments/records.ts";
import type { ResultsPage } from "../../domains/evaluation/experiments/results.ts";
import type { ExportView } from "../../domains/evaluation/experiments/exports.ts";
import {
  aggregatorsToWire,
  exportToWire,
  passAndComparisonToWire,
  recordToWire,
  resultsToWire,
  targetAggrToWire,
} from "./convert_expt_results.ts";

type Wire = Record<string, unknown>;

const ITEM_STATE: Record<number, string> = {
  0: "queueing",
  1: "processing",
  2: "success",
  3: "fail",
  5: "terminal",
};
const AGGREGATOR = ["", "average", "sum", "max", "min", "distribution"];

/** Content types in lower case, everywhere in `v` (the OpenAPI's encoding). */
export function lowerContentTypes<T>(v: T): T {
  if (Array.isArray(v)) return v.map(lowerContentTypes) as T;
  if (v && typeof v === "object" && !(v instanceof Date)) {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [
        k,
        k === "content_type" && typeof x === "string" ? x.toLowerCase() : lowerContentTypes(x),
      ]),
    ) as T;
  }
  return v;
}

/** An EvaluatorRecord (OpenAPI). */
export function recordToOapi(r: ExptRecord): Wire {
  const w = recordToWire(r);
  return lowerContentTypes({
    id: w.id,
    evaluator_version_id: w.evaluator_version_id,
    item_id: w.item_id,
    turn_id: w.turn_id,
    status: r.status === 1 ? "success" : "failed",
    evaluator_output_data: w.evaluator_output_data,
    trace_id: w.trace_id,
    base_info: w.base_info,
  });
}

/** ListExperimentResultOpenAPIData. */
export function resultsToOapi(r: ResultsPage): Wire {
  const web = resultsToWire(r);
  return lowerContentTypes({
    column_eval_set_fields: web.column_eval_set_fields,
    column_evaluators: (web.column_evaluators as Wire[]).map(({ builtin: _b, ...c }) => c),
    column_eval_targets: (web.expt_column_eval_target as Wire[])[0]?.column_eval_targets ?? [],
    item_results: r.items.map((it) => {
      const p = it.payloads[0];
      const item = (web.item_results as Wire[]).find((x) => x.item_id === it.itemId)!;
      const payload = ((item.turn_results as Wire[])[0].experiment_results as Wire[])[0]
        .payload as Wire | undefined;
      const turn = (payload?.eval_set as Wire | undefined)?.turn as Wire | undefined;
      const target = (payload?.target_output as Wire | undefined)?.eval_target_record as
        | Wire
        | undefined;
      return {
        item_id: it.itemId,
        turn_results: [{
          turn_id: `${it.turnId}`,
          payload: {
            ...(turn
              ? {
                eval_set_turn: {
                  id: turn.id,
                  field_datas: (turn.field_data_list as Wire[]).map((f) => ({
                    name: f.name,
                    content: f.content,
                  })),
                },
              }
              : {}),
            ...(target
              ? {
                target_record: {
                  target_id: target.target_id,
                  target_version_id: target.target_version_id,
                  item_id: target.item_id,
                  turn_id: target.turn_id,
                  eval_target_output_data: target.eval_target_output_data,
                  status: target.status === 1 ? "success" : "fail",
                  trace_id: target.trace_id,
                },
              }
              : {}),
            evaluator_records: p.records.map(recordToOapi),
            system_info: {
              turn_run_state: ITEM_STATE[p.state] ?? "queueing",
              ...(p.error
                ? { error: { code: BigInt(p.error.code), message: p.error.message } }
                : {}),
            },
          },
        }],
        system_info: {
          run_state: ITEM_STATE[p.state] ?? "queueing",
          ...(p.error ? { error: { code: BigInt(p.error.code), message: p.error.message } } : {}),
        },
      };
    }),
    total: BigInt(r.total),
  });
}

function aggregatorsToOapi(s: Stats, distribution?: Parameters<typeof aggregatorsToWire>[1]) {
  return aggregatorsToWire(s, distribution).map((a) => {
    const data = a.data as Wire;
    return {
      aggregator_type: AGGREGATOR[a.aggregator_type as number],
      data: {
        ...data,
        data_type: data.data_type === 1 ? "score_distribution" : "double",
      },
    };
  });
}

/** GetExperimentAggrResultOpenAPIData, with pass thresholds. */
export function aggregateToOapi(a: ExptAggregate): Wire {
  const target = targetAggrToWire(a, (s) => aggregatorsToOapi(s));
  return {
    evaluator_results: a.evaluators.map((e) => ({
      evaluator_id: e.column.evaluatorId,
      evaluator_version_id: e.column.evaluatorVersionId,
      name: e.column.name,
      version: e.column.version,
      aggregator_results: aggregatorsToOapi(e.stats, e.distribution),
      ...(e.threshold ? { passed: e.threshold.passed } : {}),
    })),
    ...(target ? { eval_target_aggr_result: target } : {}),
    ...passAndComparisonToWire(a),
  };
}

/** An ExptResultExportRecord (OpenAPI: no upper-case `URL`). */
export function exportToOapi(x: ExportView): Wire {
  const { URL: _u, ...w } = exportToWire(x);
  return w;
}
