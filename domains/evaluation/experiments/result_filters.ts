/**
 * The cheap filters of experiment results (the IDL's ExperimentFilter, one per experiment):
 * an item's run state (ItemRunState 48, or TurnRunState 4 in its own numbering), an
 * evaluator's score (EvaluatorScore 1, field_key the evaluator version id; the corrected score
 * where there is one) and item ids (ItemID 47), compared with = != > >= < <= in, not in.
 * Each becomes a subquery on that experiment's rows; the baseline's items are kept when the
 * conditions hold (all of them, or any with logic_op 2). Anything else is refused by name.
 */
import { type ExpressionBuilder, type ExpressionWrapper, sql, type SqlBool } from "kysely";
import { invalidParam } from "../../errors.ts";
import type { ExperimentTables } from "./_tables.ts";

/** One condition as sent. */
export interface FilterCondition {
  fieldType: number;
  fieldKey?: string;
  operator: number;
  value: string;
}

/** The filter on one experiment's rows. */
export interface ResultFilter {
  conditions: FilterCondition[];
  /** Any condition (logic_op 2) rather than all. */
  any?: boolean;
}

const FIELD = { TurnRunState: 4, EvaluatorScore: 1, ItemID: 47, ItemRunState: 48 } as const;
const OPS: Record<number, string> = {
  1: "=",
  2: "!=",
  3: ">",
  4: ">=",
  5: "<",
  6: "<=",
  7: "in",
  8: "not in",
};
// TurnRunState numbers (Queueing 0, Success 1, Fail 2, Processing 3, Terminal 4) as item states.
const TURN_TO_ITEM: Record<number, number> = { 0: 0, 1: 2, 2: 3, 3: 1, 4: 5 };

type Eb = ExpressionBuilder<ExperimentTables, "expt_items">;
type Cond = ExpressionWrapper<ExperimentTables, "expt_items", SqlBool>;

/** Checks a filter; throws `invalid param` naming what is not supported. */
export function checkFilter(f: ResultFilter, field: string): void {
  f.conditions.forEach((c, i) => {
    const at = `${field}.filter_conditions.${i}`;
    if (!Object.values(FIELD).includes(c.fieldType as never)) {
      throw invalidParam(
        `${at}.field.field_type`,
        `${c.fieldType} is not supported (1 EvaluatorScore, 4 TurnRunState, 47 ItemID, ` +
          "48 ItemRunState)",
      );
    }
    if (!OPS[c.operator]) {
      throw invalidParam(`${at}.operator`, `${c.operator} is not supported (1..8)`);
    }
    if (c.fieldType === FIELD.EvaluatorScore && !/^\d{1,19}$/.test(c.fieldKey ?? "")) {
      throw invalidParam(`${at}.field.field_key`, "an evaluator version id is required");
    }
    values(c, at);
  });
}

function values(c: FilterCondition, at: string): number[] {
  const parts = c.value.replace(/^\s*\[|\]\s*$/g, "").split(",").map((s) => s.trim())
    .filter((s) => s !== "");
  const many = c.operator === 7 || c.operator === 8;
  if (!parts.length || (!many && parts.length !== 1) || parts.length > 1000) {
    throw invalidParam(`${at}.value`, many ? "expected a list of numbers" : "expected a number");
  }
  const nums = parts.map(Number);
  if (nums.some((n) => !Number.isFinite(n))) throw invalidParam(`${at}.value`, "not a number");
  if (c.fieldType === FIELD.ItemID && parts.some((p) => !/^\d{1,19}$/.test(p))) {
    throw invalidParam(`${at}.value`, "expected item ids");
  }
  return nums;
}

/** The condition on `expt_items` (the baseline's rows) of `filter` on experiment `exptId`. */
export function filterExpression(eb: Eb, exptId: bigint, f: ResultFilter): Cond | undefined {
  if (!f.conditions.length) return undefined;
  const parts = f.conditions.map((c) => condition(eb, exptId, c));
  return f.any ? eb.or(parts) : eb.and(parts);
}

function condition(eb: Eb, exptId: bigint, c: FilterCondition): Cond {
  const op = OPS[c.operator];
  const many = op === "in" || op === "not in";
  // deno-lint-ignore no-explicit-any
  const rhs = (nums: (number | string)[]): any => many ? nums : nums[0];
  if (c.fieldType === FIELD.ItemID) {
    const ids = c.value.replace(/^\s*\[|\]\s*$/g, "").split(",").map((s) => s.trim())
      .filter(Boolean);
    // deno-lint-ignore no-explicit-any
    return eb("expt_items.item_id", op as any, rhs(ids)) as Cond;
  }
  const nums = values(c, "filter");
  if (c.fieldType === FIELD.EvaluatorScore) {
    const sub = eb.selectFrom("expt_evaluator_records as f").select("f.item_id")
      .where("f.expt_id", "=", `${exptId}`)
      .where("f.evaluator_version_id", "=", c.fieldKey!)
      // deno-lint-ignore no-explicit-any
      .where(sql<number>`coalesce(f.corrected_score, f.score)`, op as any, rhs(nums));
    return eb("expt_items.item_id", "in", sub);
  }
  const states = c.fieldType === FIELD.TurnRunState ? nums.map((n) => TURN_TO_ITEM[n] ?? -1) : nums;
  const sub = eb.selectFrom("expt_items as f").select("f.item_id")
    .where("f.expt_id", "=", `${exptId}`)
    // deno-lint-ignore no-explicit-any
    .where("f.status", op as any, rhs(states));
  return eb("expt_items.item_id", "in", sub);
}
