/**
 * The experiment read side on the web API's wire (domain/expt.thrift, evaluator.thrift):
 * aligned item results, aggregates, evaluator records and export records. Beyond the IDL:
 * `comparison` on an ExperimentResult (score deltas against the baseline) and on an
 * ExptAggregateResult (improved / regressed / unchanged counts), and pass thresholds
 * (`passed`, `pass_thresholds`).
 */
import type { FieldSchema } from "../../domains/data/types.ts";
import type { EvaluatorColumn } from "../../domains/evaluation/experiments/columns.ts";
import type { ExptAggregate, Stats } from "../../domains/evaluation/experiments/aggregates.ts";
import type { ExptRecord } from "../../domains/evaluation/experiments/records.ts";
import type {
  ResultsPage,
  ScoreDelta,
  TurnPayload,
} from "../../domains/evaluation/experiments/results.ts";
import type { ExportView } from "../../domains/evaluation/experiments/exports.ts";
import type { Experiment } from "../../domains/evaluation/experiments/types.ts";
import { evalFieldToWire, evalItemToWire } from "./convert_eval_set.ts";

type Wire = Record<string, unknown>;

/** ItemRunState -> TurnRunState (the IDL numbers them differently). */
export const TURN_STATE: Record<number, number> = { 0: 0, 1: 3, 2: 1, 3: 2, 5: 4 };

/** A ColumnEvaluator. */
export function columnEvaluatorToWire(c: EvaluatorColumn): Wire {
  return {
    evaluator_version_id: c.evaluatorVersionId,
    evaluator_id: c.evaluatorId,
    evaluator_type: c.type,
    name: c.name,
    version: c.version,
    description: c.description,
    builtin: c.builtin,
  };
}

/** The set's columns (visible, available fields). */
export function setColumnsToWire(fields: FieldSchema[]): Wire[] {
  return fields.filter((f) => f.status === 1 && !f.hidden).map((f) => {
    const w = evalFieldToWire(f);
    return {
      key: w.key,
      name: w.name,
      description: w.description,
      content_type: w.content_type,
      ...(f.textSchema ? { text_schema: f.textSchema } : {}),
    };
  });
}

/** The target's columns of an experiment (none without a target). */
export function targetColumnsToWire(e: Experiment): Wire[] {
  if (e.targetId === 0n) return [];
  return [
    { name: "actual_output", label: "actual_output", content_type: "Text" },
    ...[
      "eval_target_total_latency",
      "eval_target_input_tokens",
      "eval_target_output_tokens",
      "eval_target_total_tokens",
    ].map((name) => ({ name, label: name, content_type: "Text" })),
  ];
}

/** A stored EvaluatorRecord. */
export function recordToWire(r: ExptRecord): Wire {
  const correction = r.correctedScore !== null
    ? {
      correction: {
        score: r.correctedScore,
        explain: r.correctionExplain,
        updated_by: r.correctedBy,
      },
    }
    : {};
  return {
    id: r.id,
    experiment_id: r.exptId,
    experiment_run_id: r.runId,
    item_id: r.itemId,
    turn_id: r.turnId,
    evaluator_version_id: r.evaluatorVersionId,
    trace_id: r.traceId,
    evaluator_input_data: r.input ?? {},
    evaluator_output_data: {
      evaluator_result: {
        ...(r.score !== null ? { score: r.score } : {}),
        ...correction,
        reasoning: r.reason,
      },
      evaluator_usage: {
        input_tokens: BigInt(r.inputTokens),
        output_tokens: BigInt(r.outputTokens),
      },
      ...(r.error ? { evaluator_run_error: { code: r.error.code, message: r.error.message } } : {}),
      time_consuming_ms: BigInt(r.latencyMs),
      stdout: r.stdout,
    },
    status: r.status,
    // The judge's raw reply, kept also when no score could be read from it.
    ext: r.rawOutput ? { raw_output: r.rawOutput } : {},
    base_info: {
      ...(r.correctedBy ? { updated_by: { user_id: r.correctedBy } } : {}),
      created_at: BigInt(r.createdAt.getTime()),
      updated_at: BigInt(r.updatedAt.getTime()),
    },
  };
}

function targetRecordToWire(e: Experiment, itemId: bigint, turnId: bigint, p: TurnPayload): Wire {
  const t = p.target!;
  return {
    workspace_id: e.workspaceId,
    target_id: e.targetId,
    target_version_id: e.targetVersionId,
    experiment_run_id: e.runId,
    item_id: itemId,
    turn_id: turnId,
    trace_id: t.traceId ?? "",
    eval_target_output_data: {
      output_fields: t.output ?? {},
      eval_target_usage: {
        input_tokens: BigInt(t.tokens?.input ?? 0),
        output_tokens: BigInt(t.tokens?.output ?? 0),
        total_tokens: BigInt((t.tokens?.input ?? 0) + (t.tokens?.output ?? 0)),
      },
      ...(t.error ? { eval_target_run_error: t.error } : {}),
      time_consuming_ms: BigInt(t.latencyMs ?? 0),
    },
    status: t.status === "success" ? 1 : 2,
  };
}

/** Deltas against the baseline, as the `comparison` of an ExperimentResult. */
export function deltasToWire(baselineId: bigint, deltas: ScoreDelta[]): Wire {
  return {
    baseline_experiment_id: baselineId,
    evaluator_deltas: deltas.map((d) => ({
      evaluator_id: d.evaluatorId,
      evaluator_version_id: d.evaluatorVersionId,
      baseline_evaluator_version_id: d.baselineEvaluatorVersionId,
      score: d.score,
      baseline_score: d.baselineScore,
      delta: d.delta,
    })),
  };
}

function payloadToWire(e: Experiment, itemId: bigint, turnId: bigint, p: TurnPayload): Wire {
  const turn = p.setItem
    ? (() => {
      const turns = evalItemToWire(p.setItem.item, p.setItem.schema).turns as Wire[];
      return turns.find((t) => t.id === turnId) ?? turns[0];
    })()
    : undefined;
  return {
    turn_id: turnId,
    ...(turn ? { eval_set: { turn } } : {}),
    ...(p.target
      ? { target_output: { eval_target_record: targetRecordToWire(e, itemId, turnId, p) } }
      : {}),
    evaluator_output: {
      evaluator_records: Object.fromEntries(
        p.records.map((r) => [`${r.evaluatorVersionId}`, recordToWire(r)]),
      ),
    },
    system_info: {
      turn_run_state: TURN_STATE[p.state] ?? 0,
      ...(p.error ? { error: { code: BigInt(p.error.code), message: p.error.message } } : {}),
    },
  };
}

/** A results page (BatchGetExperimentResultResponse's fields). */
export function resultsToWire(r: ResultsPage): Wire {
  const byId = new Map(r.experiments.map((e) => [e.id, e]));
  return {
    column_eval_set_fields: r.schema ? setColumnsToWire(r.schema.fields) : [],
    column_evaluators: (r.columns.get(r.baselineId) ?? []).map(columnEvaluatorToWire),
    expt_column_evaluators: r.experiments.map((e) => ({
      experiment_id: e.id,
      column_evaluators: (r.columns.get(e.id) ?? []).map(columnEvaluatorToWire),
    })),
    expt_column_eval_target: r.experiments.map((e) => ({
      experiment_id: e.id,
      column_eval_targets: targetColumnsToWire(e),
    })),
    item_results: r.items.map((it) => {
      const base = it.payloads.find((p) => p.exptId === r.baselineId)!;
      return {
        item_id: it.itemId,
        item_index: BigInt(it.itemIndex),
        system_info: {
          run_state: base.state,
          ...(base.error
            ? { error: { code: BigInt(base.error.code), message: base.error.message } }
            : {}),
        },
        turn_results: [{
          turn_id: it.turnId,
          turn_index: 0n,
          experiment_results: it.payloads.map((p) => ({
            experiment_id: p.exptId,
            ...(p.present
              ? { payload: payloadToWire(byId.get(p.exptId)!, it.itemId, it.turnId, p) }
              : {}),
            ...(p.deltas ? { comparison: deltasToWire(r.baselineId, p.deltas) } : {}),
          })),
        }],
      };
    }),
    total: BigInt(r.total),
  };
}

/** AggregatorResults of stats (and a distribution), as the IDL's list. */
export function aggregatorsToWire(
  s: Stats,
  distribution?: { score: string; count: number; percentage: number }[],
): Wire[] {
  if (!s.count) return [];
  const one = (type: number, value: number | null) => ({
    aggregator_type: type,
    data: { data_type: 0, value },
  });
  return [
    one(1, s.average),
    one(2, s.sum),
    one(3, s.max),
    one(4, s.min),
    ...(distribution
      ? [{
        aggregator_type: 5,
        data: {
          data_type: 1,
          score_distribution: {
            score_distribution_items: distribution.map((d) => ({
              score: d.score,
              count: BigInt(d.count),
              percentage: d.percentage,
            })),
          },
        },
      }]
      : []),
  ];
}

/** Pass thresholds and the comparison, shared by both API families. */
export function passAndComparisonToWire(a: ExptAggregate): Wire {
  return {
    passed: a.passed,
    pass_thresholds: a.thresholds.map((t) => ({
      evaluator_version_id: t.evaluatorVersionId,
      min_score: t.minScore,
      average: t.average,
      passed: t.passed,
    })),
    ...(a.comparison
      ? {
        comparison: {
          baseline_experiment_id: a.comparison.baselineId,
          evaluators: a.comparison.evaluators.map((c) => ({
            evaluator_id: c.evaluatorId,
            evaluator_version_id: c.evaluatorVersionId,
            baseline_evaluator_version_id: c.baselineEvaluatorVersionId,
            improved: c.improved,
            regressed: c.regressed,
            unchanged: c.unchanged,
          })),
        },
      }
      : {}),
  };
}

/** The target's aggregate (EvalTargetAggregateResult), in either family's aggregator shape. */
export function targetAggrToWire(
  a: ExptAggregate,
  aggregators: (s: Stats) => Wire[] = (s) => aggregatorsToWire(s),
): Wire | undefined {
  if (!a.target) return undefined;
  return {
    target_id: a.experiment.targetId,
    target_version_id: a.experiment.targetVersionId,
    latency: aggregators(a.target.latency),
    input_tokens: aggregators(a.target.inputTokens),
    output_tokens: aggregators(a.target.outputTokens),
    total_tokens: aggregators(a.target.totalTokens),
  };
}

/** An ExptAggregateResult. */
export function aggregateToWire(a: ExptAggregate): Wire {
  const target = targetAggrToWire(a);
  return {
    experiment_id: a.experiment.id,
    evaluator_results: Object.fromEntries(a.evaluators.map((e) => [
      `${e.column.evaluatorVersionId}`,
      {
        evaluator_version_id: e.column.evaluatorVersionId,
        aggregator_results: aggregatorsToWire(e.stats, e.distribution),
        name: e.column.name,
        version: e.column.version,
        ...(e.threshold ? { passed: e.threshold.passed } : {}),
      },
    ])),
    status: 1,
    ...(target ? { eval_target_aggr_result: target } : {}),
    update_time: BigInt(a.computedAt),
    ...passAndComparisonToWire(a),
  };
}

const EXPORT_STATUS = ["Running", "Running", "Success", "Failed"];

/** An ExptResultExportRecord. */
export function exportToWire(x: ExportView): Wire {
  return {
    export_id: x.id,
    workspace_id: x.workspaceId,
    expt_id: x.exptId,
    csv_export_status: EXPORT_STATUS[x.status] ?? "Unknown",
    base_info: {
      created_by: { user_id: `${x.createdBy}` },
      created_at: BigInt(x.createdAt.getTime()),
      updated_at: BigInt(x.updatedAt.getTime()),
    },
    ...(x.startedAt ? { start_time: BigInt(x.startedAt) } : {}),
    ...(x.endedAt ? { end_time: BigInt(x.endedAt) } : {}),
    ...(x.url ? { URL: x.url, url: x.url } : {}),
    expired: false,
    ...(x.error ? { error: { code: 0n, message: x.error } } : {}),
  };
}
