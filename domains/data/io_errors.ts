/**
 * Error groups of a job (`ItemErrorGroup`): one per error type, with its count and at most
 * ten details (the IDL's bound for import jobs), each naming its data row index (0-based).
 */
import type { ItemErrorGroup } from "./types.ts";

/** Most details kept per group. */
export const MAX_JOB_ERROR_DETAILS = 10;

/** Adds one row's error to `groups` (a new list; the input is left as it is). */
export function addRowError(
  groups: ItemErrorGroup[],
  e: { type: number; message: string; row: number },
): ItemErrorGroup[] {
  return add(groups, e.type, 1, { message: e.message, index: e.row });
}

/** Adds a range of rows refused for one reason (dataset full). */
export function addRangeError(
  groups: ItemErrorGroup[],
  e: { type: number; message: string; start: number; end: number },
): ItemErrorGroup[] {
  const count = e.end - e.start + 1;
  const out = groups.map((g) => ({ ...g, details: [...g.details] }));
  const g = out.find((x) => x.type === e.type);
  const last = g?.details.at(-1);
  // Consecutive ranges (one per batch) make one.
  if (g && last?.endIndex === e.start - 1 && last.message === e.message) {
    last.endIndex = e.end;
    g.errorCount += count;
    g.summary = summary(g);
    return out;
  }
  return add(out, e.type as ItemErrorGroup["type"], count, {
    message: e.message,
    startIndex: e.start,
    endIndex: e.end,
  });
}

/** Adds a job-level failure (no row). */
export function addJobError(
  groups: ItemErrorGroup[],
  e: { type: number; message: string },
): ItemErrorGroup[] {
  const out = add(groups, e.type, 0, { message: e.message });
  const g = out.find((x) => x.type === e.type)!;
  g.summary = e.message;
  return out;
}

function add(
  groups: ItemErrorGroup[],
  type: number,
  count: number,
  detail: ItemErrorGroup["details"][number],
): ItemErrorGroup[] {
  const out = groups.map((g) => ({ ...g, details: [...g.details] }));
  let g = out.find((x) => x.type === type);
  if (!g) {
    g = { type: type as ItemErrorGroup["type"], summary: "", errorCount: 0, details: [] };
    out.push(g);
  }
  g.errorCount += count;
  if (g.details.length < MAX_JOB_ERROR_DETAILS) g.details.push(detail);
  g.summary = summary(g);
  return out;
}

function summary(g: ItemErrorGroup): string {
  const first = g.details[0]?.message ?? "";
  return g.errorCount ? `${g.errorCount} row(s) not imported: ${first}` : first;
}
