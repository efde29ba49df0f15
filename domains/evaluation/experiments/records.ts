/**
 * Evaluator records of experiments as read back (one per experiment, item and evaluator
 * version), and a person's correction of a record's score: the corrected score is the one that
 * counts everywhere scores are read (results, aggregates, comparison, export). Access goes
 * through the record's workspace: the caller must be a member, and a record of another
 * workspace is "not found".
 */
import type { Kysely } from "kysely";
import type { Database } from "../../../infra/db/mod.ts";
import { invalidParam, notFound } from "../../errors.ts";
import type { Authz } from "../../foundation/authz.ts";
import type { EvaluatorRecordRow, ExperimentTables } from "./_tables.ts";

/** A stored evaluator record, parsed. */
export interface ExptRecord {
  id: bigint;
  workspaceId: bigint;
  exptId: bigint;
  itemId: bigint;
  turnId: bigint;
  evaluatorVersionId: bigint;
  runId: bigint;
  /** 1 success, 2 fail. */
  status: number;
  score: number | null;
  reason: string;
  correctedScore: number | null;
  correctionExplain: string;
  correctedBy: string;
  error?: { code: number; message: string };
  rawOutput: string;
  stdout: string;
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
  traceId: string;
  input: unknown;
  createdAt: Date;
  updatedAt: Date;
}

/** The score that counts: the correction when there is one. */
export function effectiveScore(r: Pick<ExptRecord, "score" | "correctedScore">): number | null {
  return r.correctedScore ?? r.score;
}

/** Parses a row. */
export function toRecord(r: EvaluatorRecordRow): ExptRecord {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: BigInt(r.id),
    workspaceId: BigInt(r.space_id),
    exptId: BigInt(r.expt_id),
    itemId: BigInt(r.item_id),
    turnId: BigInt(r.turn_id),
    evaluatorVersionId: BigInt(r.evaluator_version_id),
    runId: BigInt(r.run_id),
    status: Number(r.status),
    score: num(r.score),
    reason: r.reason,
    correctedScore: num(r.corrected_score),
    correctionExplain: r.correction_explain,
    correctedBy: r.corrected_by,
    ...(r.error ? { error: JSON.parse(r.error) } : {}),
    rawOutput: r.raw_output,
    stdout: r.stdout,
    latencyMs: Number(r.latency_ms),
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    traceId: r.trace_id,
    input: parseJson(r.input),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** Largest corrected score magnitude accepted (scores are small numbers; this bounds junk). */
const MAX_SCORE = 1e9;
const MAX_EXPLAIN = 4096;

/** Reads and corrections of evaluator records. */
export interface EvaluatorRecordService {
  /** One record of the workspace (`includeDeleted`: also of a deleted experiment). */
  get(
    userId: bigint,
    workspaceId: bigint,
    recordId: bigint,
    includeDeleted?: boolean,
  ): Promise<ExptRecord>;
  /** Records of the workspace among `ids`, in the order asked (unknown ids left out). */
  batchGet(
    userId: bigint,
    workspaceId: bigint,
    ids: bigint[],
    includeDeleted?: boolean,
  ): Promise<ExptRecord[]>;
  /** Sets a person's score (and why) on a record; answers the record. */
  correct(
    userId: bigint,
    workspaceId: bigint,
    recordId: bigint,
    correction: { score: number; explain?: string },
  ): Promise<ExptRecord>;
}

/** Creates the service. */
export function createEvaluatorRecordService(
  deps: { db: Database; authz: Authz; now?: () => Date },
): EvaluatorRecordService {
  const q = (): Kysely<ExperimentTables> => deps.db.session<ExperimentTables>();
  const now = deps.now ?? (() => new Date());
  const read = async (workspaceId: bigint, ids: bigint[], includeDeleted: boolean) => {
    if (!ids.length) return [];
    let sel = q().selectFrom("expt_evaluator_records as r")
      .innerJoin("experiments as e", "e.id", "r.expt_id")
      .selectAll("r")
      .where("r.space_id", "=", `${workspaceId}`)
      .where("r.id", "in", ids.map((i) => `${i}`));
    if (!includeDeleted) sel = sel.where("e.deleted_at", "=", 0);
    return (await sel.execute()).map(toRecord);
  };
  const one = async (workspaceId: bigint, id: bigint, includeDeleted: boolean) => {
    const [r] = await read(workspaceId, [id], includeDeleted);
    if (!r) throw notFound(`evaluator record ${id}`);
    return r;
  };
  return {
    async get(userId, workspaceId, recordId, includeDeleted = false) {
      await deps.authz.requireMember(userId, workspaceId);
      return await one(workspaceId, recordId, includeDeleted);
    },
    async batchGet(userId, workspaceId, ids, includeDeleted = false) {
      await deps.authz.requireMember(userId, workspaceId);
      const found = new Map(
        (await read(workspaceId, [...new Set(ids)], includeDeleted)).map((r) => [r.id, r]),
      );
      return ids.flatMap((i) => found.get(i) ?? []);
    },
    async correct(userId, workspaceId, recordId, c) {
      if (!Number.isFinite(c.score) || Math.abs(c.score) > MAX_SCORE) {
        throw invalidParam("correction.score", `expected a finite number within ±${MAX_SCORE}`);
      }
      const explain = c.explain ?? "";
      if (explain.length > MAX_EXPLAIN) {
        throw invalidParam("correction.explain", `at most ${MAX_EXPLAIN} characters`);
      }
      await deps.authz.requireMember(userId, workspaceId);
      await one(workspaceId, recordId, false);
      await q().updateTable("expt_evaluator_records")
        .set({
          corrected_score: c.score,
          correction_explain: explain,
          corrected_by: `${userId}`,
          updated_at: now(),
        })
        .where("id", "=", `${recordId}`).where("space_id", "=", `${workspaceId}`).execute();
      return await one(workspaceId, recordId, false);
    },
  };
}
