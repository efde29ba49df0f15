/**
 * The CSV of an experiment's results: a row per item in set order with the set's columns, the
 * target's output and metrics (status, latency, tokens), each evaluator's score (the corrected
 * one where a person corrected it), reason and status, and the item's run state and error.
 * Written page by page into one upload (UTF-8 with a byte order mark for spreadsheets); an
 * upload cannot be continued by another process, so a resumed export writes the whole file
 * again under the same key: the object is whole or absent.
 */
import { stringify } from "csv-stringify/sync";
import type { Kysely } from "kysely";
import type { Database } from "../../../infra/db/mod.ts";
import type { ObjectStorage } from "../../../infra/storage/mod.ts";
import { objectKey } from "../../foundation/files.ts";
import type { DataServices } from "../../data/mod.ts";
import type { FieldData, FieldSchema, Item } from "../../data/types.ts";
import type { Content } from "../types.ts";
import type { TargetRunOutput } from "../target_types.ts";
import type { ExperimentTables } from "./_tables.ts";
import { type EvaluatorColumn, evaluatorColumns } from "./columns.ts";
import type { ExportJob } from "./export_repo.ts";
import { effectiveScore, toRecord } from "./records.ts";
import type { Experiment } from "./types.ts";

const PAGE = 200;
const STATES: Record<number, string> = {
  0: "queueing",
  1: "processing",
  2: "success",
  3: "fail",
  5: "terminal",
};
/** The target metrics a file may hold (the IDL's ColumnEvalTarget names). */
export const METRICS = [
  "eval_target_total_latency",
  "eval_target_input_tokens",
  "eval_target_output_tokens",
  "eval_target_total_tokens",
] as const;

/** What writing needs. */
export interface CsvDeps {
  db: Database;
  storage: ObjectStorage;
  data: Pick<DataServices, "items">;
}

/** Writes the export's file; `alive` is called between pages (throws to stop). */
export async function writeResultsCsv(
  deps: CsvDeps,
  job: ExportJob,
  expt: Experiment,
  alive: () => Promise<void>,
): Promise<void> {
  const q = (): Kysely<ExperimentTables> => deps.db.session<ExperimentTables>();
  const cols = job.columns;
  const pick = <T>(list: T[], wanted: string[] | undefined, key: (t: T) => string) =>
    wanted ? list.filter((t) => wanted.includes(key(t))) : list;
  const evaluators = pick(
    await evaluatorColumns(deps.db, expt.evaluatorVersionIds),
    cols.evaluatorVersionIds,
    (c) => `${c.evaluatorVersionId}`,
  );
  const hasTarget = expt.targetId !== 0n;
  const outputs = hasTarget ? pick(["actual_output"], cols.targetOutputs, (s) => s) : [];
  const metrics = hasTarget ? pick([...METRICS], cols.metrics, (s) => s) : [];
  let fields: FieldSchema[] | undefined;
  let after: { idx: number; id: string } | undefined;
  let done = false;
  const page = async (): Promise<string> => {
    await alive();
    let sel = q().selectFrom("expt_items").selectAll().where("expt_id", "=", `${expt.id}`);
    if (after) {
      const a = after;
      sel = sel.where((eb) =>
        eb.or([
          eb("item_idx", ">", a.idx),
          eb.and([eb("item_idx", "=", a.idx), eb("item_id", ">", a.id)]),
        ])
      );
    }
    const rows = await sel.orderBy("item_idx").orderBy("item_id").limit(PAGE).execute();
    done = rows.length < PAGE;
    if (rows.length) {
      const last = rows[rows.length - 1];
      after = { idx: Number(last.item_idx), id: `${last.item_id}` };
    }
    const itemIds = rows.map((r) => BigInt(r.item_id));
    const set = await setPage(deps, expt, itemIds);
    let out = "";
    if (!fields) {
      fields = pick(set.fields, cols.evalSetFields, (f) => f.key);
      out += "\uFEFF" + line(header(fields, outputs, metrics, evaluators));
    }
    const records = itemIds.length
      ? (await q().selectFrom("expt_evaluator_records").selectAll()
        .where("expt_id", "=", `${expt.id}`).where("item_id", "in", itemIds.map(String))
        .execute()).map(toRecord)
      : [];
    for (const r of rows) {
      const itemId = BigInt(r.item_id);
      const item = set.items.get(itemId);
      const values = new Map(valuesOf(item, BigInt(r.turn_id)).map((v) => [v.key, v]));
      const target: TargetRunOutput | undefined = r.target_output
        ? JSON.parse(r.target_output)
        : undefined;
      const error = r.error ? (JSON.parse(r.error) as { message?: string }).message ?? "" : "";
      const cells: string[] = [`${itemId}`, ...fields.map((f) => fieldCell(values.get(f.key)))];
      for (const o of outputs) cells.push(contentCell(target?.output?.[o]));
      if (hasTarget && (metrics.length || outputs.length)) cells.push(target?.status ?? "");
      for (const m of metrics) cells.push(metricCell(target, m));
      for (const c of evaluators) {
        const rec = records.find((x) =>
          x.itemId === itemId && x.evaluatorVersionId === c.evaluatorVersionId
        );
        const s = rec ? effectiveScore(rec) : null;
        cells.push(s === null ? "" : String(s), rec?.reason ?? "");
        cells.push(rec ? (rec.status === 1 ? "success" : "fail") : "");
      }
      cells.push(STATES[Number(r.status)] ?? `${r.status}`, error);
      out += line(cells);
    }
    return out;
  };
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(c) {
      try {
        const text = await page();
        if (text) c.enqueue(encoder.encode(text));
        if (done) c.close();
      } catch (err) {
        c.error(err);
      }
    },
  });
  await deps.storage.upload(objectKey(job.workspaceId, job.fileKey), body, {
    contentType: "text/csv",
  });
}

function header(
  fields: FieldSchema[],
  outputs: string[],
  metrics: string[],
  evaluators: EvaluatorColumn[],
): string[] {
  const name = (c: EvaluatorColumn) =>
    `${c.name || c.evaluatorVersionId}${c.version ? ` ${c.version}` : ""}`;
  return [
    "item_id",
    ...fields.map((f) => f.name),
    ...outputs,
    ...(outputs.length || metrics.length ? ["eval_target_status"] : []),
    ...metrics,
    ...evaluators.flatMap((c) => [
      `${name(c)} score`,
      `${name(c)} reason`,
      `${name(c)} status`,
    ]),
    "item_run_state",
    "error",
  ];
}

function line(cells: string[]): string {
  // Quoted whenever a cell holds a line break, whichever it is.
  return stringify([cells], { record_delimiter: "\r\n", quoted_match: /[\r\n]/ });
}

async function setPage(deps: CsvDeps, e: Experiment, itemIds: bigint[]) {
  // The job runs for its creator: a trusted read of the version's schema and items.
  const r = await deps.data.items.batchGet(e.createdBy, {
    workspaceId: e.workspaceId,
    datasetId: e.evalSetId,
    versionId: e.evalSetVersionId,
    itemIds,
  });
  return {
    fields: r.schema.fields.filter((f) => f.status === 1 && !f.hidden),
    items: new Map<bigint, Item>(r.items.map((it) => [it.itemId, it])),
  };
}

function valuesOf(item: Item | undefined, turnId: bigint): FieldData[] {
  if (!item) return [];
  if (item.turns) return (item.turns.find((t) => t.id === turnId) ?? item.turns[0])?.data ?? [];
  return item.data ?? [];
}

function fieldCell(v: FieldData | undefined): string {
  if (!v) return "";
  if (v.parts) return JSON.stringify(v.parts.map((p) => p.content ?? p.attachments ?? null));
  if (v.attachments?.length) return v.attachments.map((a) => a.uri).join("\n");
  return v.content ?? "";
}

function contentCell(c: Content | undefined): string {
  if (!c) return "";
  if (c.text !== undefined && !c.multi_part) return c.text;
  return JSON.stringify(c);
}

function metricCell(t: TargetRunOutput | undefined, m: string): string {
  if (!t) return "";
  if (m === "eval_target_total_latency") return String(t.latencyMs ?? "");
  if (m === "eval_target_input_tokens") return String(t.tokens?.input ?? "");
  if (m === "eval_target_output_tokens") return String(t.tokens?.output ?? "");
  return String((t.tokens?.input ?? 0) + (t.tokens?.output ?? 0));
}
