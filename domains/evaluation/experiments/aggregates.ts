/**
 * Aggregates of experiments, computed on read with SQL aggregates (never by loading every
 * row): per evaluator version the average, sum, max, min and distribution of the scores that
 * count (a person's correction over the evaluator's score); the target's latency and tokens.
 * Beyond the reference: pass thresholds (an evaluator passes when its average reaches the
 * threshold; one with no scores does not pass; the experiment passes when all do), and, when
 * several experiments are asked, counts of items improved, regressed and unchanged per
 * evaluator against the baseline (evaluators aligned by evaluator id).
 */
import { type Kysely, sql } from "kysely";
import type { Database } from "../../../infra/db/mod.ts";
import { invalidParam, notFound } from "../../errors.ts";
import type { ExperimentTables } from "./_tables.ts";
import { alignEvaluators, type EvaluatorColumn, evaluatorColumns } from "./columns.ts";
import type { ExperimentReads } from "./repo.ts";
import { round } from "./results.ts";
import type { Experiment } from "./types.ts";

/** Average, sum, max and min of `count` values (null when there are none). */
export interface Stats {
  count: number;
  average: number | null;
  sum: number | null;
  max: number | null;
  min: number | null;
}

/** One bucket of a score distribution (scores rounded to 2 decimals). */
export interface Bucket {
  score: string;
  count: number;
  /** Fraction of the evaluator's scores, 0..1. */
  percentage: number;
}

/** A threshold and whether it holds. */
export interface ThresholdResult {
  evaluatorVersionId: bigint;
  minScore: number;
  average: number | null;
  passed: boolean;
}

/** One evaluator version's aggregate. */
export interface EvaluatorAggregate {
  column: EvaluatorColumn;
  stats: Stats;
  distribution: Bucket[];
  threshold?: ThresholdResult;
}

/** Counts of items whose score went up, down or stayed, for one evaluator. */
export interface ComparisonCounts {
  evaluatorId: bigint;
  evaluatorVersionId: bigint;
  baselineEvaluatorVersionId: bigint;
  improved: number;
  regressed: number;
  unchanged: number;
}

/** One experiment's aggregates. */
export interface ExptAggregate {
  experiment: Experiment;
  evaluators: EvaluatorAggregate[];
  target?: { latency: Stats; inputTokens: Stats; outputTokens: Stats; totalTokens: Stats };
  thresholds: ThresholdResult[];
  /** Every threshold passed (true when there are none). */
  passed: boolean;
  comparison?: { baselineId: bigint; evaluators: ComparisonCounts[] };
  /** Epoch seconds of the computation. */
  computedAt: number;
}

/** Computes aggregates. */
export interface AggregateService {
  /** Aggregates of the experiments, in the order asked; comparisons against the baseline. */
  batchGet(
    userId: bigint,
    workspaceId: bigint,
    exptIds: bigint[],
    o?: { baselineId?: bigint },
  ): Promise<ExptAggregate[]>;
}

/** Scores closer than this are equal. */
const EPSILON = 1e-9;
const SCORE = sql`coalesce(corrected_score, score)`;

/** Creates the service. */
export function createAggregateService(
  deps: { db: Database; reads: ExperimentReads },
): AggregateService {
  const q = (): Kysely<ExperimentTables> => deps.db.session<ExperimentTables>();
  const num = (v: unknown) => (v === null || v === undefined ? null : round(Number(v)));
  const stats = (r: Record<string, unknown> | undefined, p = ""): Stats => ({
    count: Number(r?.[`${p}n`] ?? 0),
    average: num(r?.[`${p}avg`]),
    sum: num(r?.[`${p}sum`]),
    max: num(r?.[`${p}max`]),
    min: num(r?.[`${p}min`]),
  });

  const scoreStats = async (ids: string[]) => {
    const { rows } = await sql<Record<string, unknown>>`
      select expt_id, evaluator_version_id, count(*) as n, avg(s) as avg, sum(s) as sum,
        max(s) as max, min(s) as min
      from (select expt_id, evaluator_version_id, ${SCORE} as s from expt_evaluator_records
        where expt_id in (${sql.join(ids)})) t
      where s is not null group by expt_id, evaluator_version_id`.execute(q());
    return new Map(rows.map((r) => [`${r.expt_id}/${r.evaluator_version_id}`, r]));
  };
  const distributions = async (ids: string[]) => {
    const { rows } = await sql<Record<string, unknown>>`
      select expt_id, evaluator_version_id, s, count(*) as n
      from (select expt_id, evaluator_version_id, round(${SCORE}, 2) as s
        from expt_evaluator_records where expt_id in (${sql.join(ids)})) t
      where s is not null group by expt_id, evaluator_version_id, s
      order by expt_id, evaluator_version_id, s`.execute(q());
    const out = new Map<string, { score: number; count: number }[]>();
    for (const r of rows) {
      const k = `${r.expt_id}/${r.evaluator_version_id}`;
      out.set(k, [...(out.get(k) ?? []), { score: Number(r.s), count: Number(r.n) }]);
    }
    return out;
  };
  const targetStats = async (ids: string[]) => {
    const cols = ["lat", "inp", "outp", "tot"].map((c) =>
      sql.raw(
        `count(${c}) as ${c}n, avg(${c}) as ${c}avg, sum(${c}) as ${c}sum, ` +
          `max(${c}) as ${c}max, min(${c}) as ${c}min`,
      )
    );
    const { rows } = await sql<Record<string, unknown>>`
      select expt_id, ${sql.join(cols)}
      from (select expt_id, lat, inp, outp, inp + outp as tot from (
        select expt_id, json_extract(target_output, '$.latencyMs') + 0 as lat,
          json_extract(target_output, '$.tokens.input') + 0 as inp,
          json_extract(target_output, '$.tokens.output') + 0 as outp
        from expt_items where expt_id in (${sql.join(ids)}) and target_output is not null) u) t
      group by expt_id`.execute(q());
    return new Map(rows.map((r) => [`${r.expt_id}`, r]));
  };
  const compare = async (
    e: bigint,
    base: bigint,
    pair: { versionId: bigint; baselineVersionId: bigint },
  ) => {
    const side = (expt: bigint, v: bigint) =>
      sql`(select item_id, ${SCORE} as s from expt_evaluator_records
        where expt_id = ${`${expt}`} and evaluator_version_id = ${`${v}`}) `;
    const { rows } = await sql<Record<string, unknown>>`
      select sum(case when a.s > b.s + ${EPSILON} then 1 else 0 end) as improved,
        sum(case when a.s < b.s - ${EPSILON} then 1 else 0 end) as regressed,
        sum(case when abs(a.s - b.s) <= ${EPSILON} then 1 else 0 end) as unchanged
      from ${side(e, pair.versionId)} a join ${side(base, pair.baselineVersionId)} b
        on a.item_id = b.item_id
      where a.s is not null and b.s is not null`.execute(q());
    const r = rows[0] ?? {};
    return {
      improved: Number(r.improved ?? 0),
      regressed: Number(r.regressed ?? 0),
      unchanged: Number(r.unchanged ?? 0),
    };
  };

  return {
    async batchGet(userId, workspaceId, exptIds, o = {}) {
      const ids = [...new Set(exptIds)];
      if (!ids.length) throw invalidParam("experiment_ids", "at least one experiment id");
      if (ids.length > 10) throw invalidParam("experiment_ids", "at most 10 experiments");
      const baselineId = o.baselineId ?? ids[0];
      if (!ids.includes(baselineId)) ids.unshift(baselineId);
      const experiments = await deps.reads.loadMany(userId, workspaceId, ids);
      for (const id of ids) {
        if (!experiments.some((e) => e.id === id)) throw notFound(`experiment ${id}`);
      }
      const keys = ids.map((i) => `${i}`);
      const [scores, dists, targets, cols] = await Promise.all([
        scoreStats(keys),
        distributions(keys),
        targetStats(keys),
        evaluatorColumns(deps.db, experiments.flatMap((e) => e.evaluatorVersionIds)),
      ]);
      const byVersion = new Map(cols.map((c) => [c.evaluatorVersionId, c]));
      const columnsOf = (e: Experiment) => e.evaluatorVersionIds.map((v) => byVersion.get(v)!);
      const computedAt = Math.floor(Date.now() / 1000);
      const out: ExptAggregate[] = [];
      for (const e of experiments) {
        const thresholds = e.passThresholds.map((t): ThresholdResult => {
          const average = num(scores.get(`${e.id}/${t.evaluator_version_id}`)?.avg);
          return {
            evaluatorVersionId: BigInt(t.evaluator_version_id),
            minScore: t.min_score,
            average,
            passed: average !== null && average >= t.min_score - EPSILON,
          };
        });
        const evaluators = columnsOf(e).map((column): EvaluatorAggregate => {
          const k = `${e.id}/${column.evaluatorVersionId}`;
          const s = stats(scores.get(k));
          const threshold = thresholds.find((t) =>
            t.evaluatorVersionId === column.evaluatorVersionId
          );
          return {
            column,
            stats: s,
            distribution: (dists.get(k) ?? []).map((b) => ({
              score: String(b.score),
              count: b.count,
              percentage: s.count ? round(b.count / s.count) : 0,
            })),
            ...(threshold ? { threshold } : {}),
          };
        });
        const t = targets.get(`${e.id}`);
        const a: ExptAggregate = {
          experiment: e,
          evaluators,
          ...(e.targetId !== 0n
            ? {
              target: {
                latency: stats(t, "lat"),
                inputTokens: stats(t, "inp"),
                outputTokens: stats(t, "outp"),
                totalTokens: stats(t, "tot"),
              },
            }
            : {}),
          thresholds,
          passed: thresholds.every((x) => x.passed),
          computedAt,
        };
        if (e.id !== baselineId) {
          const base = experiments.find((x) => x.id === baselineId)!;
          const pairs = alignEvaluators(columnsOf(e), columnsOf(base));
          a.comparison = {
            baselineId,
            evaluators: await Promise.all(pairs.map(async (p) => ({
              evaluatorId: p.evaluatorId,
              evaluatorVersionId: p.versionId,
              baselineEvaluatorVersionId: p.baselineVersionId,
              ...(await compare(e.id, baselineId, p)),
            }))),
          };
        }
        out.push(a);
      }
      return exptIds.length ? orderAs(out, [...new Set(exptIds)], baselineId) : out;
    },
  };
}

// The experiments asked, in their order (a baseline not asked for comes first).
function orderAs(list: ExptAggregate[], asked: bigint[], baselineId: bigint): ExptAggregate[] {
  const order = asked.includes(baselineId) ? asked : [baselineId, ...asked];
  return order.map((id) => list.find((a) => a.experiment.id === id)!);
}
