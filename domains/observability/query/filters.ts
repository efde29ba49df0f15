/**
 * The span filter tree (`{query_and_or, filter_fields: [{field_name, field_type, values,
 * query_type, query_and_or, sub_filter}]}`) compiled to a ClickHouse condition. Every value
 * is a typed query parameter; identifiers come only from the fixed field table. Anything
 * malformed (unknown operator, wrong value type, too deep, too large) is `invalid param`.
 */
import { invalidParam } from "../../errors.ts";
import { type FieldType, resolveField } from "./fields.ts";

/** A filter field as the wire sends it. */
export interface FilterField {
  field_name?: string;
  field_type?: FieldType;
  values?: string[];
  query_type?: string;
  query_and_or?: "and" | "or";
  sub_filter?: FilterFields;
  is_custom?: boolean;
}

/** A filter tree node. */
export interface FilterFields {
  query_and_or?: "and" | "or";
  filter_fields: FilterField[];
}

/** A compiled condition with its parameters. */
export interface Compiled {
  sql: string;
  params: Record<string, unknown>;
}

/** How deeply filters may nest (`sub_filter` in `sub_filter`...). */
export const MAX_FILTER_DEPTH = 5;
const MAX_DEPTH = MAX_FILTER_DEPTH;
const MAX_FIELDS = 64;
const MAX_VALUES = 200;
const MAX_VALUE_LENGTH = 4096;
const CH_TYPE: Record<FieldType, string> = {
  string: "String",
  long: "Int64",
  double: "Float64",
  bool: "UInt8",
};

/** Compiles `filters` into a condition; parameter names start with `prefix`. */
export function compileFilters(filters: FilterFields | undefined, prefix = "f"): Compiled {
  const params: Record<string, unknown> = {};
  let n = 0;
  let fields = 0;
  const param = (type: string, value: unknown) => {
    const name = `${prefix}${n++}`;
    params[name] = value;
    return `{${name}:${type}}`;
  };

  const node = (f: FilterFields, depth: number, path: string): string => {
    if (depth > MAX_DEPTH) throw invalidParam(path, `nested deeper than ${MAX_DEPTH} levels`);
    const rel = relation(f.query_and_or, `${path}.query_and_or`);
    const parts = f.filter_fields.map((ff, i) => field(ff, depth, `${path}.filter_fields.${i}`));
    const kept = parts.filter((p) => p !== "");
    return kept.length === 0 ? "" : `(${kept.join(` ${rel} `)})`;
  };

  const field = (ff: FilterField, depth: number, path: string): string => {
    if (++fields > MAX_FIELDS) throw invalidParam("filters", `more than ${MAX_FIELDS} fields`);
    const own = ff.field_name ? condition(ff, path, param) : "";
    const sub = ff.sub_filter ? node(ff.sub_filter, depth + 1, `${path}.sub_filter`) : "";
    if (own && sub) return `(${own} ${relation(ff.query_and_or, `${path}.query_and_or`)} ${sub})`;
    return own || sub;
  };

  const sql = filters ? node(filters, 1, "filters") : "";
  return { sql: sql || "1", params };
}

function relation(v: unknown, path: string): "AND" | "OR" {
  if (v === undefined || v === "and") return "AND";
  if (v === "or") return "OR";
  throw invalidParam(path, `unknown relation ${JSON.stringify(v)} (and, or)`);
}

type Param = (type: string, value: unknown) => string;

function condition(ff: FilterField, path: string, param: Param): string {
  const name = ff.field_name!;
  if (ff.field_type !== undefined && !(ff.field_type in CH_TYPE)) {
    throw invalidParam(`${path}.field_type`, `unknown type ${JSON.stringify(ff.field_type)}`);
  }
  const src = resolveField(name, ff.field_type);
  if (!src) {
    throw invalidParam(
      `${path}.field_name`,
      `invalid field name ${JSON.stringify(name.slice(0, 64))}`,
    );
  }
  const values = ff.values ?? [];
  if (!Array.isArray(values) || values.length > MAX_VALUES) {
    throw invalidParam(`${path}.values`, `at most ${MAX_VALUES} values`);
  }
  for (const v of values) {
    if (typeof v !== "string" || v.length > MAX_VALUE_LENGTH) {
      throw invalidParam(
        `${path}.values`,
        `values are strings of at most ${MAX_VALUE_LENGTH} characters`,
      );
    }
  }
  const qt = ff.query_type ?? "eq";
  if (src.kind === "status") return statusCondition(qt, values, path);
  const type = src.type;
  // A tag's column equals `map[key]` (both '' when absent), so every comparison is the same;
  // presence still asks the map (a tag may be present with an empty value).
  const expr = () =>
    src.kind === "column" ? src.column : src.column ?? `${src.map}[${param("String", name)}]`;
  const present = () =>
    src.kind === "column"
      ? (src.nullable
        ? `(${src.column} IS NOT NULL AND ${src.column} != '')`
        : `${src.column} != ''`)
      : `mapContains(${src.map}, ${param("String", name)})`;
  const scale = src.kind === "column" ? src.scale ?? 1 : 1;
  const typed = () => values.map((v) => parseValue(v, type, scale, `${path}.values`));
  const one = () => {
    if (values.length !== 1) throw invalidParam(`${path}.values`, `${qt} takes exactly one value`);
    return param(CH_TYPE[type], typed()[0]);
  };
  const need = (ok: boolean) => {
    if (!ok) throw invalidParam(`${path}.query_type`, `${qt} does not apply to ${type} fields`);
  };
  switch (qt) {
    case "eq":
      return `${expr()} = ${one()}`;
    case "not_eq":
      return `${expr()} != ${one()}`;
    case "in":
    case "not_in": {
      if (values.length === 0) throw invalidParam(`${path}.values`, `${qt} needs values`);
      const e = expr();
      return `${e} ${qt === "in" ? "IN" : "NOT IN"} ${param(`Array(${CH_TYPE[type]})`, typed())}`;
    }
    case "lt":
    case "lte":
    case "gt":
    case "gte": {
      need(type === "long" || type === "double");
      const op = { lt: "<", lte: "<=", gt: ">", gte: ">=" }[qt];
      return `${expr()} ${op} ${one()}`;
    }
    case "match":
    case "not_match": {
      need(type === "string");
      if (values.length === 0) throw invalidParam(`${path}.values`, `${qt} needs values`);
      const e = expr();
      const any = values.map((v) => `positionCaseInsensitiveUTF8(${e}, ${param("String", v)}) > 0`);
      const sql = `(${any.join(" OR ")})`;
      return qt === "match" ? sql : `NOT ${sql}`;
    }
    case "exist":
      return present();
    case "not_exist":
      return `NOT ${present()}`;
    default:
      throw invalidParam(
        `${path}.query_type`,
        `unknown query type ${JSON.stringify(String(qt).slice(0, 32))}`,
      );
  }
}

function statusCondition(qt: string, values: string[], path: string): string {
  const ok = values.map((v) => {
    if (v !== "success" && v !== "error") {
      throw invalidParam(`${path}.values`, `status is "success" or "error"`);
    }
    return v === "success";
  });
  const cond = (success: boolean) => (success ? "status_code = 0" : "status_code != 0");
  if (qt === "eq" || qt === "in") {
    if (ok.length === 0) throw invalidParam(`${path}.values`, `${qt} needs values`);
    return `(${[...new Set(ok)].map(cond).join(" OR ")})`;
  }
  if (qt === "not_eq" && ok.length === 1) return cond(!ok[0]);
  throw invalidParam(`${path}.query_type`, `status supports eq, not_eq and in`);
}

function parseValue(v: string, type: FieldType, scale: number, path: string): unknown {
  switch (type) {
    case "string":
      return v;
    case "long": {
      if (!/^-?\d{1,19}$/.test(v.trim())) {
        throw invalidParam(path, `${JSON.stringify(v.slice(0, 32))} is not an integer`);
      }
      const n = BigInt(v.trim()) * BigInt(scale);
      if (n > 9223372036854775807n || n < -9223372036854775808n) {
        throw invalidParam(path, "out of int64 range");
      }
      return n; // the client writes bigints unquoted, also inside arrays
    }
    case "double": {
      const n = Number(v);
      if (v.trim() === "" || !Number.isFinite(n)) {
        throw invalidParam(path, `${JSON.stringify(v.slice(0, 32))} is not a number`);
      }
      return n * scale;
    }
    case "bool":
      if (v !== "true" && v !== "false") {
        throw invalidParam(path, `${JSON.stringify(v.slice(0, 32))} is not true or false`);
      }
      return v === "true" ? 1 : 0;
  }
}
