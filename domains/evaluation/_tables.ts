/** Row shapes of the evaluator tables, for Kysely (bigint ids read as strings). */

/** `evaluators`. */
export interface EvaluatorRow {
  id: string;
  space_id: string;
  evaluator_type: number;
  name: string;
  description: string;
  draft_submitted: number;
  latest_version: string;
  builtin: number;
  benchmark: string;
  vendor: string;
  created_by: string;
  updated_by: string;
  created_at: Date;
  updated_at: Date;
  deleted_at: number;
}

/** `evaluator_versions`: the draft is version "" (order 0). `content` is JSON text written. */
export interface EvaluatorVersionRow {
  id: string;
  evaluator_id: string;
  space_id: string;
  evaluator_type: number;
  version: string;
  version_order: number;
  description: string;
  content: unknown;
  created_by: string;
  updated_by: string;
  created_at: Date;
  updated_at: Date;
  deleted_at: number;
}

/** The evaluator schema. */
export interface EvaluatorTables {
  evaluators: EvaluatorRow;
  evaluator_versions: EvaluatorVersionRow;
}
