/**
 * The rules of tags without storage: what a valid tag is (names, value trees within the
 * workspace's spec, what each content type takes), semantic versions, and the change log
 * between two versions.
 */
import { invalidParam } from "../errors.ts";
import {
  type ChangeLog,
  MAX_TAG_DESCRIPTION_CHARS,
  MAX_TAG_NAME_CHARS,
  type Tag,
  type TagContentSpec,
  type TagContentType,
  type TagSpec,
  type TagValueInput,
} from "./tags_types.ts";

const chars = (s: string): number => [...s].length;
const SEMVER = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

/** A tag name, trimmed; throws `invalid param` naming `field`. */
export function checkName(name: string, field: string): string {
  const t = name.trim();
  if (!t) throw invalidParam(field, "must not be empty");
  if (chars(t) > MAX_TAG_NAME_CHARS) {
    throw invalidParam(field, `longer than ${MAX_TAG_NAME_CHARS} characters`);
  }
  return t;
}

/** A description, at most MAX_TAG_DESCRIPTION_CHARS characters. */
export function checkDescription(d: string | undefined, field: string): string | undefined {
  if (d !== undefined && chars(d) > MAX_TAG_DESCRIPTION_CHARS) {
    throw invalidParam(field, `longer than ${MAX_TAG_DESCRIPTION_CHARS} characters`);
  }
  return d;
}

/** The parts of x.y.z (each 0..999), or undefined when `v` is not one. */
export function parseVersion(v: string): [number, number, number] | undefined {
  const m = SEMVER.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/**
 * The version of a new tag version: the one asked for (x.y.z, above the previous one), or
 * the previous one plus one patch (carrying at 999).
 */
export function nextVersion(previous: string | undefined, asked: string | undefined): string {
  const prev = previous === undefined ? undefined : parseVersion(previous);
  if (asked !== undefined) {
    const v = parseVersion(asked);
    if (!v) throw invalidParam("version", `"${asked}" is not x.y.z with parts 0..999`);
    if (prev && compare(v, prev) <= 0) {
      throw invalidParam("version", `${asked} is not above the current version ${previous}`);
    }
    return asked;
  }
  if (!prev) return "0.0.1";
  const [a, b, c] = prev;
  if (c < 999) return `${a}.${b}.${c + 1}`;
  if (b < 999) return `${a}.${b + 1}.0`;
  if (a < 999) return `${a + 1}.0.0`;
  throw invalidParam("version", `${previous} is the last version there can be`);
}

function compare(x: number[], y: number[]): number {
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/** The content spec a content type keeps: bounds for continuous numbers, nothing otherwise. */
export function checkContentSpec(
  type: TagContentType,
  spec: TagContentSpec | undefined,
): TagContentSpec | undefined {
  const n = spec?.continuousNumberSpec;
  if (type !== "continuous_number" || !n) return undefined;
  if (n.minValue !== undefined && n.maxValue !== undefined && n.minValue > n.maxValue) {
    throw invalidParam("tag_content_spec.continuous_number_spec", "min_value above max_value");
  }
  for (const k of ["minValueDescription", "maxValueDescription"] as const) {
    const field = k === "minValueDescription" ? "min_value_description" : "max_value_description";
    checkDescription(n[k], `tag_content_spec.continuous_number_spec.${field}`);
  }
  return { continuousNumberSpec: { ...n } };
}

/**
 * Checks a value tree against the content type and the spec: continuous numbers and free
 * text take no values, a boolean exactly two (no children), a categorical at least one; at
 * most `maxHeight` levels of at most `maxWidth` values each; names non-empty, short and
 * unique in the whole tree; a `tagValueId` only once and only one the tag already has.
 * Returns the tree with names trimmed.
 */
export function checkValues(
  values: TagValueInput[],
  o: { contentType: TagContentType; spec: TagSpec; known?: Set<bigint> },
): TagValueInput[] {
  const t = o.contentType;
  if ((t === "continuous_number" || t === "free_text") && values.length > 0) {
    throw invalidParam("tag_values", `a ${t} tag takes no values`);
  }
  if (t === "boolean" && values.length !== 2) {
    throw invalidParam("tag_values", "a boolean tag takes exactly 2 values");
  }
  if (t === "categorical" && values.length === 0) {
    throw invalidParam("tag_values", "a categorical tag needs at least one value");
  }
  const names = new Set<string>();
  const ids = new Set<bigint>();
  const walk = (level: TagValueInput[], path: string, depth: number): TagValueInput[] =>
    level.map((v, i) => {
      const field = `${path}.${i}`;
      const name = checkName(v.name, `${field}.tag_value_name`);
      if (names.has(name)) throw invalidParam(`${field}.tag_value_name`, `"${name}" is repeated`);
      names.add(name);
      checkDescription(v.description, `${field}.description`);
      if (v.tagValueId !== undefined) {
        if (ids.has(v.tagValueId) || !o.known?.has(v.tagValueId)) {
          throw invalidParam(
            `${field}.tag_value_id`,
            `${v.tagValueId} is ${ids.has(v.tagValueId) ? "repeated" : "not a value of this tag"}`,
          );
        }
        ids.add(v.tagValueId);
      }
      const children = v.children ?? [];
      if (children.length && t === "boolean") {
        throw invalidParam(`${field}.children`, "a boolean tag's values have no children");
      }
      if (children.length && depth >= o.spec.maxHeight) {
        throw invalidParam(`${field}.children`, `values nest at most ${o.spec.maxHeight} level(s)`);
      }
      return { ...v, name, children: walk(children, `${field}.children`, depth + 1) };
    });
  // Width counts every value of a level, whoever its parent.
  let level: TagValueInput[] = values;
  for (let depth = 1; level.length; depth++) {
    if (level.length > o.spec.maxWidth) {
      throw invalidParam("tag_values", `more than ${o.spec.maxWidth} values on level ${depth}`);
    }
    level = level.flatMap((v) => v.children ?? []);
  }
  return walk(values, "tag_values", 1);
}

/** Every value of a tree, parents before children. */
export function flattenValues<T extends { children?: T[] }>(values: T[]): T[] {
  return values.flatMap((v) => [v, ...flattenValues(v.children ?? [])]);
}

/** What changed from `prev` to `next` (a new tag: one `create` of the tag). */
export function changeLogs(prev: Tag | undefined, next: Tag): ChangeLog[] {
  const log = (
    target: ChangeLog["target"],
    op: ChangeLog["operation"],
    before = "",
    after = "",
  ) => ({ target, operation: op, beforeValue: before, afterValue: after, targetValue: "" });
  if (!prev) return [log("tag", "create")];
  const out: ChangeLog[] = [];
  if (prev.tagType !== next.tagType) {
    out.push(log("tag_type", "update", prev.tagType, next.tagType));
  }
  if (prev.status !== next.status) out.push(log("tag_status", "update", prev.status, next.status));
  if (prev.name !== next.name) out.push(log("tag_name", "update", prev.name, next.name));
  const [d0, d1] = [prev.description ?? "", next.description ?? ""];
  if (d0 !== d1) out.push(log("tag_description", "update", d0, d1));
  if (prev.contentType !== next.contentType) {
    out.push(log("tag_content_type", "update", prev.contentType, next.contentType));
  }
  const before = new Map(flattenValues(prev.values).map((v) => [v.tagValueId, v]));
  const after = flattenValues(next.values);
  const kept = new Set<bigint>();
  for (const v of after) {
    const old = before.get(v.tagValueId);
    if (!old) {
      out.push({ ...log("tag_value_name", "create", "", v.name), targetValue: v.name });
      continue;
    }
    kept.add(v.tagValueId);
    if (old.name !== v.name) {
      out.push({ ...log("tag_value_name", "update", old.name, v.name), targetValue: v.name });
    } else if (old.status !== v.status) {
      out.push({ ...log("tag_value_status", "update", old.status, v.status), targetValue: v.name });
    }
  }
  for (const [id, v] of before) {
    if (!kept.has(id)) {
      out.push({ ...log("tag_value_name", "delete", v.name, ""), targetValue: v.name });
    }
  }
  return out;
}
