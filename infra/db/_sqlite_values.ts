/**
 * Values across the SQLite boundary, shaped like mysql2's (supportBigNumbers +
 * bigNumberStrings, DATETIME as Date, JSON parsed), so repositories read the same JS values
 * on both databases. A column is decoded by its declared type, which the SQLite migrations
 * keep MySQL-like for that reason: bigint/integer -> string (64-bit ids exceed 2^53),
 * int/tinyint -> number, datetime -> Date, json -> parsed value.
 */
import type { SQLInputValue } from "node:sqlite";

/** Turns one column value as node:sqlite reads it (integers as bigint) into the JS value. */
export type ColumnDecoder = (v: unknown) => unknown;

/** A parameter as node:sqlite can bind it. */
export function toSqliteParam(v: unknown): SQLInputValue {
  // node:sqlite binds every JS number as a REAL: 5 would be stored as 5.0 in a text column
  // and is refused by LIMIT. Integral numbers are bound as INTEGER, as MySQL receives them.
  if (typeof v === "number") return Number.isSafeInteger(v) ? BigInt(v) : v;
  if (v instanceof Date) return formatDate(v);
  if (typeof v === "boolean") return v ? 1n : 0n;
  if (v === undefined) return null;
  return v as SQLInputValue;
}

/** A Date as stored in SQLite: UTC `YYYY-MM-DD HH:MM:SS.mmm`, MySQL's DATETIME(3) text. */
export function formatDate(d: Date): string {
  // Fixed width, so the stored text sorts and compares in time order.
  return d.toISOString().slice(0, 23).replace("T", " ");
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?)?Z?$/;

/** Parses stored date text (see formatDate); undefined when it is not one. */
export function parseDate(s: string): Date | undefined {
  const m = DATE.exec(s);
  if (!m) return undefined;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, "0")) : 0;
  return new Date(
    Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), ms),
  );
}

const asString: ColumnDecoder = (v) =>
  typeof v === "bigint" || typeof v === "number" ? String(v) : v;
const asNumber: ColumnDecoder = (v) => typeof v === "bigint" ? Number(v) : v;
const asDate: ColumnDecoder = (v) => typeof v === "string" ? parseDate(v) ?? v : v;
const asJson: ColumnDecoder = (v) => {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
};
// An expression (count(*), max(x), a literal) has no declared type: a number when exact.
const asAny: ColumnDecoder = (v) =>
  typeof v === "bigint"
    ? (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v.toString())
    : v;

/** The decoder for a column of the given declared type (null for an expression). */
export function decoderFor(declared: string | null): ColumnDecoder {
  const base = declared?.toLowerCase().split(/[\s(]/, 1)[0] ?? "";
  switch (base) {
    case "bigint":
    case "integer":
      return asString;
    case "int":
    case "tinyint":
    case "smallint":
    case "mediumint":
      return asNumber;
    case "datetime":
    case "timestamp":
    case "date":
      return asDate;
    case "json":
      return asJson;
    default:
      return asAny;
  }
}
