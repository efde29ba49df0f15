/**
 * The span filter tree as the console edits it, its wire shape (`{query_and_or,
 * filter_fields: [{field_name, field_type, values, query_type, sub_filter}]}`) and its compact
 * form in the URL:
 *
 *   span_type~eq~model,or(status~eq~error,tokens~gt~100~long)
 *
 * A top-level AND group is its items joined by `,`; any other group is `and(...)` or
 * `or(...)`; a condition is `field~op[~value|value...][~type]`, the type left out when it is
 * `string`. Inside a name or value the characters `~|,()!` are written `!` + two hex digits.
 * Pure logic: tests/unit/ui_trace_filters_test.ts.
 */

/** A filter's value type (the IDL's FieldType). */
export type FieldType = "string" | "long" | "double" | "bool";

/** The operators the server knows. */
export const FILTER_OPS = [
  "eq",
  "not_eq",
  "in",
  "not_in",
  "match",
  "not_match",
  "gt",
  "gte",
  "lt",
  "lte",
  "exist",
  "not_exist",
] as const;

/** An operator. */
export type FilterOp = (typeof FILTER_OPS)[number];

/** How each operator reads in the builder. */
export const OP_LABELS: Record<FilterOp, string> = {
  eq: "=",
  not_eq: "≠",
  in: "is any of",
  not_in: "is none of",
  match: "contains",
  not_match: "does not contain",
  gt: ">",
  gte: "≥",
  lt: "<",
  lte: "≤",
  exist: "exists",
  not_exist: "does not exist",
};

/** One condition: a field, an operator and its values. */
export interface FilterCondition {
  kind: "cond";
  field: string;
  type: FieldType;
  op: FilterOp;
  values: string[];
}

/** A group of conditions and groups joined by `and` or `or`. */
export interface FilterGroup {
  kind: "group";
  rel: "and" | "or";
  items: FilterItem[];
}

/** A condition or a group. */
export type FilterItem = FilterCondition | FilterGroup;

/** The wire's filter field. */
export interface WireFilterField {
  field_name?: string;
  field_type?: string;
  values?: string[];
  query_type?: string;
  query_and_or?: string;
  sub_filter?: WireFilters;
}

/** The wire's filter tree. */
export interface WireFilters {
  query_and_or?: string;
  filter_fields: WireFilterField[];
}

/** How deeply groups nest (the server's limit). */
export const MAX_FILTER_DEPTH = 5;
const TYPES: readonly FieldType[] = ["string", "long", "double", "bool"];

/** An empty top-level group. */
export const emptyFilters = (): FilterGroup => ({ kind: "group", rel: "and", items: [] });

/** Whether an operator takes no value (exist, not_exist). */
export const takesNoValue = (op: FilterOp) => op === "exist" || op === "not_exist";

/** Whether an operator takes several values (in, not_in, match, not_match). */
export const takesManyValues = (op: FilterOp) =>
  op === "in" || op === "not_in" || op === "match" || op === "not_match";

/** The operators that apply to a value type. */
export function opsFor(type: FieldType): FilterOp[] {
  if (type === "string") return FILTER_OPS.filter((o) => !["gt", "gte", "lt", "lte"].includes(o));
  if (type === "bool") return ["eq", "not_eq", "exist", "not_exist"];
  return FILTER_OPS.filter((o) => o !== "match" && o !== "not_match");
}

/** Whether a condition can be sent: a field, and values unless its operator takes none. */
export function isComplete(c: FilterCondition): boolean {
  if (!c.field.trim()) return false;
  if (takesNoValue(c.op)) return true;
  return c.values.length > 0 && c.values.every((v) => v !== "");
}

/** The group without incomplete conditions and empty groups. */
export function pruneFilters(g: FilterGroup): FilterGroup {
  const items: FilterItem[] = [];
  for (const it of g.items) {
    if (it.kind === "cond") {
      if (isComplete(it)) items.push(takesNoValue(it.op) ? { ...it, values: [] } : it);
    } else {
      const sub = pruneFilters(it);
      if (sub.items.length) items.push(sub);
    }
  }
  return { ...g, items };
}

/** How many conditions a group holds, at any depth. */
export function countConditions(g: FilterGroup): number {
  return g.items.reduce((n, it) => n + (it.kind === "cond" ? 1 : countConditions(it)), 0);
}

/** The group with `c` added at the top level (an `or` group is first wrapped in an `and`). */
export function addCondition(g: FilterGroup, c: FilterCondition): FilterGroup {
  if (g.rel === "and") return { ...g, items: [...g.items, c] };
  return { kind: "group", rel: "and", items: g.items.length ? [g, c] : [c] };
}

/** The wire tree of a group; undefined when it filters nothing. */
export function toWire(g: FilterGroup): WireFilters | undefined {
  const pruned = pruneFilters(g);
  if (!pruned.items.length) return undefined;
  const node = (grp: FilterGroup): WireFilters => ({
    query_and_or: grp.rel,
    filter_fields: grp.items.map((it) =>
      it.kind === "cond"
        ? {
          field_name: it.field,
          field_type: it.type,
          query_type: it.op,
          values: it.values,
        }
        : { sub_filter: node(it) }
    ),
  });
  return node(pruned);
}

/** A group read from a wire tree (a field with both a condition and a sub_filter is a group). */
export function fromWire(w: WireFilters | undefined): FilterGroup {
  const node = (n: WireFilters | undefined, depth: number): FilterGroup => {
    const g: FilterGroup = {
      kind: "group",
      rel: n?.query_and_or === "or" ? "or" : "and",
      items: [],
    };
    if (!n || depth > MAX_FILTER_DEPTH) return g;
    for (const f of n.filter_fields ?? []) {
      const own: FilterCondition | undefined = f.field_name
        ? {
          kind: "cond",
          field: f.field_name,
          type: asType(f.field_type) ?? "string",
          op: asOp(f.query_type) ?? "eq",
          values: [...(f.values ?? [])],
        }
        : undefined;
      const sub = f.sub_filter ? node(f.sub_filter, depth + 1) : undefined;
      if (own && sub) {
        g.items.push({
          kind: "group",
          rel: f.query_and_or === "or" ? "or" : "and",
          items: [own, sub],
        });
      } else if (own) g.items.push(own);
      else if (sub) g.items.push(sub);
    }
    return g;
  };
  return node(w, 1);
}

const asType = (t: unknown) => TYPES.includes(t as FieldType) ? t as FieldType : undefined;
const asOp = (o: unknown) => FILTER_OPS.includes(o as FilterOp) ? o as FilterOp : undefined;

const RESERVED = /[~|,()!]/g;
const escapeToken = (s: string) =>
  s.replace(RESERVED, (c) => `!${c.charCodeAt(0).toString(16).padStart(2, "0")}`);

function unescapeToken(s: string): string {
  return s.replace(/!([0-9a-fA-F]{2})|!/g, (_m, hex: string | undefined) => {
    if (!hex) throw new SyntaxError("a lone '!'");
    return String.fromCharCode(parseInt(hex, 16));
  });
}

/** The compact text of a group ("" when it filters nothing). */
export function encodeFilters(g: FilterGroup): string {
  const pruned = pruneFilters(g);
  const cond = (c: FilterCondition) => {
    const parts = [escapeToken(c.field), c.op];
    if (!takesNoValue(c.op)) parts.push(c.values.map(escapeToken).join("|"));
    else if (c.type !== "string") parts.push("");
    if (c.type !== "string") parts.push(c.type);
    return parts.join("~");
  };
  const item = (it: FilterItem): string =>
    it.kind === "cond" ? cond(it) : `${it.rel}(${it.items.map(item).join(",")})`;
  if (!pruned.items.length) return "";
  return pruned.rel === "and" ? pruned.items.map(item).join(",") : item(pruned);
}

/** The group a compact text describes; undefined when the text is malformed. */
export function decodeFilters(text: string | undefined | null): FilterGroup | undefined {
  if (!text) return emptyFilters();
  try {
    let at = 0;
    const group = (rel: "and" | "or", depth: number, closing: boolean): FilterGroup => {
      if (depth > MAX_FILTER_DEPTH) throw new SyntaxError("groups nested too deeply");
      const items: FilterItem[] = [];
      for (;;) {
        items.push(item(depth));
        if (text[at] === ",") {
          at++;
          continue;
        }
        if (closing) {
          if (text[at] !== ")") throw new SyntaxError(`')' expected at ${at}`);
          at++;
        } else if (at !== text.length) throw new SyntaxError(`unexpected ${text[at]} at ${at}`);
        return { kind: "group", rel, items };
      }
    };
    const item = (depth: number): FilterItem => {
      const m = /^(and|or)\(/.exec(text.slice(at, at + 4));
      if (m) {
        at += m[0].length;
        return group(m[1] as "and" | "or", depth + 1, true);
      }
      const start = at;
      while (at < text.length && !",()".includes(text[at])) at++;
      return condition(text.slice(start, at));
    };
    return group("and", 1, false);
  } catch {
    return undefined;
  }
}

function condition(token: string): FilterCondition {
  const parts = token.split("~");
  if (parts.length < 2 || parts.length > 4) throw new SyntaxError(`bad condition ${token}`);
  const field = unescapeToken(parts[0]);
  const op = asOp(parts[1]);
  if (!field || !op) throw new SyntaxError(`bad condition ${token}`);
  const type = parts.length === 4 ? asType(parts[3]) : "string";
  if (!type) throw new SyntaxError(`bad type in ${token}`);
  if (parts.length === 4 && type === "string") throw new SyntaxError(`type string is implied`);
  if (takesNoValue(op)) {
    if (parts.length === 3) throw new SyntaxError(`${op} takes no value`);
    if (parts.length === 4 && parts[2] !== "") throw new SyntaxError(`${op} takes no value`);
    return { kind: "cond", field, type, op, values: [] };
  }
  if (parts.length < 3) throw new SyntaxError(`${op} needs a value`);
  return { kind: "cond", field, type, op, values: parts[2].split("|").map(unescapeToken) };
}

/** A condition as people read it: `span_type = model`, `error exists`. */
export function describeCondition(c: FilterCondition): string {
  if (takesNoValue(c.op)) return `${c.field} ${OP_LABELS[c.op]}`;
  const values = c.values.length > 1 ? `(${c.values.join(", ")})` : c.values[0] ?? "";
  return `${c.field} ${OP_LABELS[c.op]} ${values}`;
}

/** A group as people read it: `span_type = model and (status = error or tokens > 100)`. */
export function describeFilters(g: FilterGroup): string {
  const item = (it: FilterItem, nested: boolean): string => {
    if (it.kind === "cond") return describeCondition(it);
    const inner = it.items.map((x) => item(x, true)).join(` ${it.rel} `);
    return nested && it.items.length > 1 ? `(${inner})` : inner;
  };
  return item(pruneFilters(g), false);
}
