/**
 * Schema pieces shared by every route's request validation: int64 ids that arrive as JSON
 * strings or numbers, paging, and the hook that turns a validation failure into
 * `invalid param` naming the field.
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { invalidParam } from "../../domains/errors.ts";

/** An int64 given as a decimal string or a JSON number; parsed to bigint. */
export const i64 = z
  .union([z.string().regex(/^-?\d{1,19}$/, "expected an integer"), z.number().int()])
  .transform((v, ctx) => {
    const n = BigInt(v);
    if (n > 9223372036854775807n || n < -9223372036854775808n) {
      ctx.addIssue({ code: "custom", message: "out of int64 range" });
      return z.NEVER;
    }
    return n;
  })
  .openapi({ type: "string", example: "7300000000000000001" });

/** The latest time in ms a request may name: the end of year 9999 (µs of it still fit Int64). */
export const MAX_TIME_MS = 253_402_300_799_999n;

/** A time in epoch milliseconds (times are stored in µs, so the range is bounded). */
export const epochMs = i64.refine(
  (n) => n >= 0n && n <= MAX_TIME_MS,
  `expected a time in ms from 0 to ${MAX_TIME_MS}`,
);

/** A positive int64 id. */
export const id64 = i64.refine((n) => n > 0n, "expected a positive id");

/** Page size 1..100 (default applied by the domain). */
export const pageSize = z.number().int().min(1).max(100);

/** Page number from 1. */
export const pageNumber = z.number().int().min(1);

/** JSON request body spec for createRoute. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { content: { "application/json": { schema } }, required: true };
}

/** The validation hook: the first issue becomes `invalid param: <field>: <reason>`. */
export function validationHook(
  result: { success: boolean; error?: z.ZodError },
  _c: Context,
): void {
  if (result.success || !result.error) return;
  const issue = result.error.issues[0];
  const field = issue?.path.length ? issue.path.join(".") : "body";
  throw invalidParam(field, describeIssue(issue));
}

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return "malformed";
  if (isMissing(issue)) return "is required";
  if (issue.code === "unrecognized_keys") return `unknown field(s) ${issue.keys.join(", ")}`;
  return issue.message;
}

// A missing field: zod words it "received undefined", once per branch for a union like i64.
function isMissing(issue: z.core.$ZodIssue): boolean {
  if (issue.code === "invalid_type") return issue.message.includes("received undefined");
  return issue.code === "invalid_union" && issue.errors.length > 0 &&
    issue.errors.every((branch) => branch.length > 0 && branch.every(isMissing));
}
