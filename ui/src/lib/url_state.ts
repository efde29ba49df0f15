/**
 * Page state kept in the query string, so that every state is a link: typed reads with
 * defaults, and patches that drop what equals its default (short, canonical URLs).
 */

/** How a query parameter is read. */
export type ParamKind = "string" | "number" | "boolean" | "list";

/** One parameter: its kind and its default. */
export interface ParamSpec<K extends ParamKind = ParamKind> {
  kind: K;
  default?: ParamValue<K>;
}

/** The value type of a parameter kind. */
export type ParamValue<K extends ParamKind> = K extends "string" ? string
  : K extends "number" ? number
  : K extends "boolean" ? boolean
  : string[];

/** A page's parameters. */
export type ParamSpecs = Record<string, ParamSpec>;

/** The state a spec describes (a parameter without a default may be undefined). */
export type UrlState<S extends ParamSpecs> = {
  [P in keyof S]: S[P] extends { default: ParamValue<S[P]["kind"]> } ? ParamValue<S[P]["kind"]>
    : ParamValue<S[P]["kind"]> | undefined;
};

/** Reads the state `specs` describes from a query string; malformed values read as absent. */
export function readUrlState<S extends ParamSpecs>(
  search: URLSearchParams | string,
  specs: S,
): UrlState<S> {
  const q = typeof search === "string" ? new URLSearchParams(search) : search;
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    out[name] = parseParam(q, name, spec) ?? spec.default;
  }
  return out as UrlState<S>;
}

function parseParam(
  q: URLSearchParams,
  name: string,
  spec: ParamSpec,
): unknown {
  if (spec.kind === "list") {
    const all = q.getAll(name).flatMap((v) => v.split(",")).filter((v) => v !== "");
    return all.length ? all : undefined;
  }
  const raw = q.get(name);
  if (raw === null || raw === "") return undefined;
  if (spec.kind === "number") {
    const n = Number(raw);
    return Number.isFinite(n) ? n : undefined;
  }
  if (spec.kind === "boolean") {
    return raw === "1" || raw === "true"
      ? true
      : raw === "0" || raw === "false"
      ? false
      : undefined;
  }
  return raw;
}

/**
 * A new query string: `patch` applied to `search` (undefined, empty and default values
 * removed), parameters not in `specs` kept as they were.
 */
export function patchUrlState<S extends ParamSpecs>(
  search: URLSearchParams | string,
  specs: S,
  patch: Partial<UrlState<S>>,
): URLSearchParams {
  const q = new URLSearchParams(search);
  for (const [name, value] of Object.entries(patch)) {
    const spec = specs[name];
    if (!spec) continue;
    q.delete(name);
    const text = formatParam(value, spec);
    if (text !== undefined) q.set(name, text);
  }
  return q;
}

function formatParam(value: unknown, spec: ParamSpec): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (sameValue(value, spec.default)) return undefined;
  if (Array.isArray(value)) return value.length ? value.join(",") : undefined;
  if (typeof value === "boolean") return value ? "1" : "0";
  return String(value);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => v === b[i]);
  }
  return a === b;
}

/** `path` with a query string (none when `search` is empty). */
export function withQuery(path: string, search: URLSearchParams): string {
  const s = search.toString();
  return s ? `${path}?${s}` : path;
}
