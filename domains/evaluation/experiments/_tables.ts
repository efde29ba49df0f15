/**
 * Row shapes of the experiment tables, for Kysely (bigint ids read as strings, JSON columns
 * as text written and parsed by the repos).
 *
 * - `experiments`: one row per experiment; `run_id` is the current run (a retry makes a new
 *   run: the chosen items go back to the queue under the new run id).
 * - `expt_items`: one row per (experiment, item of the set version): the item's run state
 *   (the IDL's ItemRunState: 0 queueing, 1 processing, 2 success, 3 fail, 5 terminal), its
 *   lease while a process works on it, and the target's output once it ran.
 * - `expt_evaluator_records`: one row per (experiment, item, evaluator version): the last
 *   record of that evaluator on that item (a retry overwrites it), plus a manual correction.
 *
 * Counts (`expt_stats`) and aggregates are derived from these rows when read, so they are
 * right at every moment and after a restart.
 */

/** `experiments`. */
export interface ExperimentRow {
  id: string;
  space_id: string;
  name: string;
  description: string;
  status: number;
  status_message: string;
  eval_set_id: string;
  eval_set_version_id: string;
  /** 0: no target (evaluators read the set's columns only). */
  target_id: string;
  target_version_id: string;
  /** JSON: string[] of evaluator version ids, in the submitted order. */
  evaluator_version_ids: string;
  /** JSON: the IDL's TargetFieldMapping. */
  target_field_mapping: string;
  /** JSON: the IDL's EvaluatorFieldMapping[]. */
  evaluator_field_mapping: string;
  /** JSON: `{evaluator_version_id: string, min_score: number}[]` pass thresholds. */
  pass_thresholds: string;
  item_concur_num: number;
  item_retry_num: number;
  expt_type: number;
  source_type: number;
  source_id: string;
  run_id: string;
  created_by: string;
  start_at: number;
  end_at: number;
  created_at: Date;
  updated_at: Date;
  deleted_at: number;
}

/** `expt_items`. */
export interface ExptItemRow {
  expt_id: string;
  item_id: string;
  space_id: string;
  /** The item's position in the set version (results are read in this order). */
  item_idx: number;
  turn_id: string;
  status: number;
  run_id: string;
  /** Attempts made in the current run. */
  attempts: number;
  /** When the item's message was sent (epoch ms; 0: not dispatched). */
  dispatched_at: number;
  lease_owner: string | null;
  lease_until: number;
  /** JSON: the target's TargetRunOutput (null before it ran, or without a target). */
  target_output: string | null;
  /** JSON: `{code, message}` of the item's last failure. */
  error: string | null;
  started_at: number;
  ended_at: number;
  updated_at: Date;
}

/** `expt_evaluator_records`. */
export interface EvaluatorRecordRow {
  id: string;
  space_id: string;
  expt_id: string;
  item_id: string;
  turn_id: string;
  evaluator_version_id: string;
  run_id: string;
  /** The IDL's EvaluatorRunStatus: 1 success, 2 fail. */
  status: number;
  score: number | null;
  reason: string;
  /** A person's correction: the score that counts when set. */
  corrected_score: number | null;
  correction_explain: string;
  corrected_by: string;
  /** JSON: `{code, message}`. */
  error: string | null;
  raw_output: string;
  stdout: string;
  latency_ms: number;
  input_tokens: number;
  output_tokens: number;
  trace_id: string;
  /** JSON: the EvaluatorInputData it ran on. */
  input: string;
  created_at: Date;
  updated_at: Date;
}

/** The experiment schema. */
export interface ExperimentTables {
  experiments: ExperimentRow;
  expt_items: ExptItemRow;
  expt_evaluator_records: EvaluatorRecordRow;
}
