/**
 * Experiment results item by item (`experiments/results/batch_get`): a page of the baseline's
 * items (the first experiment asked, or `baselineId`) in set order, filtered, and for every
 * experiment asked, aligned by item and turn: the set's values (from the experiment's set
 * version, through the data domain), the target's output, each evaluator record and the
 * item's run state. Beyond the reference, each payload of a non-baseline experiment carries
 * its score deltas against the baseline, evaluator by evaluator (aligned by evaluator id).
 */
import type { Kysely } from "kysely";
import type { Database } from "../../../infra/db/mod.ts";
import { AppError, Codes, invalidParam, notFound } from "../../errors.ts";
import type { Authz } from "../../foundation/authz.ts";
import type { DataServices } from "../../data/mod.ts";
import type { DatasetSchema, Item } from "../../data/types.ts";
import type { TargetRunOutput } from "../target_types.ts";
import type { ExperimentTables, ExptItemRow } from "./_tables.ts";
import { alignEvaluators, type EvaluatorColumn, evaluatorColumns } from "./columns.ts";
import { effectiveScore, type ExptRecord, toRecord } from "./records.ts";
import type { ExperimentReads } from "./repo.ts";
import { checkFilter, filterExpression, type ResultFilter } from "./result_filters.ts";
import type { Experiment } from "./types.ts";

export type { FilterCondition, ResultFilter } from "./result_filters.ts";

/** What to read. */
export interface ResultsQuery {
  workspaceId: bigint;
  experimentIds: bigint[];
  baselineId?: bigint;
  pageNumber?: number;
  pageSize?: number;
  /** By experiment id. */
  filters?: Map<bigint, ResultFilter>;
}

/** A score change of one evaluator against the baseline (null when a side has no score). */
export interface ScoreDelta {
  evaluatorId: bigint;
  evaluatorVersionId: bigint;
  baselineEvaluatorVersionId: bigint;
  score: number | null;
  baselineScore: number | null;
  delta: number | null;
}

/** One experiment's part of an aligned row. */
export interface TurnPayload {
  exptId: bigint;
  /** Whether the experiment has this item at all. */
  present: boolean;
  /** ItemRunState. */
  state: number;
  error?: { code: number; message: string };
  target?: TargetRunOutput;
  /** In the experiment's evaluator order. */
  records: ExptRecord[];
  /** The item in the experiment's set version, with that version's schema. */
  setItem?: { item: Item; schema: DatasetSchema };
  /** Against the baseline (only on other experiments). */
  deltas?: ScoreDelta[];
}

/** One aligned row. */
export interface ItemResults {
  itemId: bigint;
  itemIndex: number;
  turnId: bigint;
  payloads: TurnPayload[];
}

/** A page of results. */
export interface ResultsPage {
  baselineId: bigint;
  experiments: Experiment[];
  /** The baseline set version's schema (undefined when the set is gone). */
  schema?: DatasetSchema;
  columns: Map<bigint, EvaluatorColumn[]>;
  items: ItemResults[];
  total: number;
}

/** Reads results. */
export interface ResultsService {
  batchGet(userId: bigint, q: ResultsQuery): Promise<ResultsPage>;
}

const MAX_PAGE = 200;

/** Creates the reader. */
export function createResultsService(deps: {
  db: Database;
  authz: Authz;
  reads: ExperimentReads;
  data: Pick<DataServices, "items">;
}): ResultsService {
  const q = (): Kysely<ExperimentTables> => deps.db.session<ExperimentTables>();
  const setItems = async (userId: bigint, e: Experiment, itemIds: bigint[]) => {
    if (!itemIds.length) return { items: new Map<bigint, Item>(), schema: undefined };
    try {
      const r = await deps.data.items.batchGet(userId, {
        workspaceId: e.workspaceId,
        datasetId: e.evalSetId,
        versionId: e.evalSetVersionId,
        itemIds,
      });
      return { items: new Map(r.items.map((it) => [it.itemId, it])), schema: r.schema };
    } catch (err) {
      // A deleted set: the results stay readable without its values.
      if (err instanceof AppError && err.code === Codes.dataNotFound) {
        return { items: new Map<bigint, Item>(), schema: undefined };
      }
      throw err;
    }
  };
  return {
    async batchGet(userId, query) {
      const ids = [...new Set(query.experimentIds)];
      if (!ids.length) throw invalidParam("experiment_ids", "at least one experiment id");
      if (ids.length > 10) throw invalidParam("experiment_ids", "at most 10 experiments");
      const baselineId = query.baselineId ?? ids[0];
      if (!ids.includes(baselineId)) ids.unshift(baselineId);
      const filters = query.filters ?? new Map();
      for (const [id, f] of filters) {
        if (!ids.includes(id)) throw invalidParam(`filters.${id}`, "not an experiment asked for");
        checkFilter(f, `filters.${id}`);
      }
      const pageSize = query.pageSize ?? 20;
      const pageNumber = query.pageNumber ?? 1;
      if (pageSize < 1 || pageSize > MAX_PAGE) {
        throw invalidParam("page_size", `1..${MAX_PAGE}`);
      }
      if (pageNumber < 1) throw invalidParam("page_number", "from 1");
      const experiments = await deps.reads.loadMany(userId, query.workspaceId, ids);
      for (const id of ids) {
        if (!experiments.some((e) => e.id === id)) {
          throw notFound(`experiment ${id}`);
        }
      }
      const baseline = experiments.find((e) => e.id === baselineId)!;

      let sel = q().selectFrom("expt_items").where("expt_items.expt_id", "=", `${baselineId}`);
      for (const [id, f] of filters) {
        sel = sel.where((eb) => filterExpression(eb, id, f) ?? eb.lit(true));
      }
      const total = Number(
        (await sel.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst())?.n ?? 0,
      );
      const page = await sel.selectAll().orderBy("item_idx").orderBy("item_id")
        .limit(pageSize).offset((pageNumber - 1) * pageSize).execute();
      const itemIds = page.map((r) => BigInt(r.item_id));

      const columns = new Map<bigint, EvaluatorColumn[]>();
      const all = await evaluatorColumns(
        deps.db,
        experiments.flatMap((e) => e.evaluatorVersionIds),
      );
      const byVersion = new Map(all.map((c) => [c.evaluatorVersionId, c]));
      for (const e of experiments) {
        columns.set(e.id, e.evaluatorVersionIds.map((v) => byVersion.get(v)!));
      }

      const rows = new Map<string, ExptItemRow>();
      const records = new Map<string, ExptRecord[]>();
      if (itemIds.length) {
        const keys = itemIds.map((i) => `${i}`);
        const exptKeys = experiments.map((e) => `${e.id}`);
        for (
          const r of await q().selectFrom("expt_items").selectAll()
            .where("expt_id", "in", exptKeys).where("item_id", "in", keys).execute()
        ) rows.set(`${r.expt_id}/${r.item_id}`, r);
        for (
          const r of await q().selectFrom("expt_evaluator_records").selectAll()
            .where("expt_id", "in", exptKeys).where("item_id", "in", keys).execute()
        ) {
          const k = `${r.expt_id}/${r.item_id}`;
          records.set(k, [...(records.get(k) ?? []), toRecord(r)]);
        }
      }
      // One read of set values per set version among the experiments.
      const sets = new Map<string, Awaited<ReturnType<typeof setItems>>>();
      for (const e of experiments) {
        const k = `${e.evalSetId}/${e.evalSetVersionId}`;
        if (!sets.has(k)) sets.set(k, await setItems(userId, e, itemIds));
      }

      const items = page.map((b): ItemResults => {
        const itemId = BigInt(b.item_id);
        const payloads = experiments.map((e) => {
          const row = rows.get(`${e.id}/${itemId}`);
          const order = new Map(e.evaluatorVersionIds.map((v, i) => [v, i]));
          const recs = (records.get(`${e.id}/${itemId}`) ?? [])
            .filter((r) => order.has(r.evaluatorVersionId))
            .sort((x, y) => order.get(x.evaluatorVersionId)! - order.get(y.evaluatorVersionId)!);
          const set = sets.get(`${e.evalSetId}/${e.evalSetVersionId}`)!;
          const item = set.items.get(itemId);
          const p: TurnPayload = {
            exptId: e.id,
            present: row !== undefined,
            state: row ? Number(row.status) : -1,
            ...(row?.error ? { error: JSON.parse(row.error) } : {}),
            ...(row?.target_output ? { target: JSON.parse(row.target_output) } : {}),
            records: recs,
            ...(item && set.schema ? { setItem: { item, schema: set.schema } } : {}),
          };
          return p;
        });
        const base = payloads.find((p) => p.exptId === baselineId)!;
        for (const p of payloads) {
          if (p.exptId === baselineId) continue;
          p.deltas = deltas(columns.get(p.exptId)!, columns.get(baselineId)!, p, base);
        }
        return { itemId, itemIndex: Number(b.item_idx), turnId: BigInt(b.turn_id), payloads };
      });
      const schema = sets.get(`${baseline.evalSetId}/${baseline.evalSetVersionId}`)?.schema;
      return { baselineId, experiments, schema, columns, items, total };
    },
  };
}

/** Per evaluator shared with the baseline: this item's score change. */
export function deltas(
  cols: EvaluatorColumn[],
  baselineCols: EvaluatorColumn[],
  p: Pick<TurnPayload, "records">,
  base: Pick<TurnPayload, "records">,
): ScoreDelta[] {
  const score = (recs: ExptRecord[], v: bigint) => {
    const r = recs.find((x) => x.evaluatorVersionId === v);
    return r ? effectiveScore(r) : null;
  };
  return alignEvaluators(cols, baselineCols).map((a) => {
    const s = score(p.records, a.versionId);
    const b = score(base.records, a.baselineVersionId);
    return {
      evaluatorId: a.evaluatorId,
      evaluatorVersionId: a.versionId,
      baselineEvaluatorVersionId: a.baselineVersionId,
      score: s,
      baselineScore: b,
      delta: s !== null && b !== null ? round(s - b) : null,
    };
  });
}

/** Rounds away binary noise (0.7 - 0.5 is 0.19999999999999996). */
export function round(n: number): number {
  return Math.round(n * 1e9) / 1e9;
}
