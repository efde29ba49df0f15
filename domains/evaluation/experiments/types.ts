/**
 * Experiments as the domain sees them (parsed from the rows of _tables.ts). Statuses and
 * run states are the IDL's numbers.
 */

/** The IDL's ExptStatus. */
export const ExptStatus = {
  Pending: 2,
  Processing: 3,
  Success: 11,
  Failed: 12,
  Terminated: 13,
  SystemTerminated: 14,
  Terminating: 15,
} as const;

/** The IDL's ItemRunState. */
export const ItemState = {
  Queueing: 0,
  Processing: 1,
  Success: 2,
  Fail: 3,
  Terminal: 5,
} as const;

/** The IDL's ExptRetryMode. */
export const RetryMode = { All: 1, Failure: 2, TargetItems: 3 } as const;

/** Whether an experiment's status is final. */
export function isFinal(status: number): boolean {
  return status === ExptStatus.Success || status === ExptStatus.Failed ||
    status === ExptStatus.Terminated || status === ExptStatus.SystemTerminated;
}

/** The IDL's FieldMapping. */
export interface FieldMapping {
  field_name?: string;
  const_value?: string;
  from_field_name?: string;
}

/** The IDL's EvaluatorFieldMapping. */
export interface EvaluatorFieldMapping {
  evaluator_version_id: string;
  from_eval_set?: FieldMapping[];
  from_target?: FieldMapping[];
}

/** A pass threshold (beyond the reference): the evaluator's average must reach it. */
export interface PassThreshold {
  evaluator_version_id: string;
  min_score: number;
}

/** An experiment. */
export interface Experiment {
  id: bigint;
  workspaceId: bigint;
  name: string;
  description: string;
  status: number;
  statusMessage: string;
  evalSetId: bigint;
  evalSetVersionId: bigint;
  /** 0n: no target. */
  targetId: bigint;
  targetVersionId: bigint;
  evaluatorVersionIds: bigint[];
  targetFieldMapping: { from_eval_set?: FieldMapping[] };
  evaluatorFieldMapping: EvaluatorFieldMapping[];
  passThresholds: PassThreshold[];
  itemConcurNum: number;
  itemRetryNum: number;
  exptType: number;
  sourceType: number;
  sourceId: string;
  runId: bigint;
  createdBy: bigint;
  /** Epoch ms (0: not yet). */
  startAt: number;
  endAt: number;
  createdAt: Date;
  updatedAt: Date;
  /** Epoch ms of a soft delete (0: live). */
  deletedAt?: number;
}

/** Item counts by run state (the IDL's ExptStatistics turn counts). */
export interface ItemCounts {
  pending: number;
  processing: number;
  success: number;
  fail: number;
  terminated: number;
}
