/**
 * Dataset schemas as pure rules: field keys generated from names as the reference does, the
 * checks a field list must pass, the merge of an edit into the previous fields (fields left
 * out become deleted, never dropped, so old values and versions keep their meaning), and
 * whether an edit is compatible with existing values (only then is it allowed on a dataset
 * that has items).
 */
import { AppError, Codes } from "../errors.ts";
import { builtinSchema, compileSchema, typesOf } from "./json_schema.ts";
import {
  ContentType,
  type DatasetFeatures,
  type DatasetSpec,
  type FieldSchema,
  FieldStatus,
  type MultiModalSpec,
  SchemaKey,
} from "./types.ts";

/** A field as a caller describes it (key absent: a new field). */
export interface FieldInput {
  key?: string;
  name: string;
  description?: string;
  contentType: number;
  defaultFormat?: number;
  schemaKey?: number;
  textSchema?: string;
  multiModalSpec?: MultiModalSpec;
  hidden?: boolean;
  status?: number;
}

const IDENTITY = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;
const RESERVED_KEY = "key";
const CONTENT_TYPES = new Set<number>(Object.values(ContentType));
const SCHEMA_KEYS = new Set<number>(Object.values(SchemaKey));

/** `invalid schema: <reason>`. */
export function schemaInvalid(reason: string): AppError {
  return new AppError(Codes.datasetSchemaInvalid, `invalid dataset schema: ${reason}`);
}

/**
 * Gives every field without a key one: its name when the name is an identifier
 * (`^[a-zA-Z][a-zA-Z0-9_]{0,63}$`), else `key`; `_1`, `_2`... are added until it is unused.
 */
export function generateKeys(fields: { key?: string; name: string }[]): void {
  const seen = new Set(fields.map((f) => f.key).filter((k): k is string => !!k));
  seen.add(RESERVED_KEY);
  for (const f of fields) {
    if (f.key) continue;
    const prefix = IDENTITY.test(f.name) ? f.name : RESERVED_KEY;
    let key = prefix;
    for (let n = 1; seen.has(key); n++) key = `${prefix}_${n}`;
    seen.add(key);
    f.key = key;
  }
}

/** A caller's field as stored (its key already set); throws naming what is wrong. */
export function toField(f: FieldInput, i: number): FieldSchema {
  const at = `fields[${i}]`;
  const name = f.name.trim();
  if (!name || name.length > 128) throw schemaInvalid(`${at}.name must be 1..128 characters`);
  if ((f.description ?? "").length > 1024) {
    throw schemaInvalid(`${at}.description is longer than 1024 characters`);
  }
  if (!CONTENT_TYPES.has(f.contentType)) {
    throw schemaInvalid(`${at}.content_type ${f.contentType} is not 1, 2, 3, 4 or 100`);
  }
  const text = f.contentType === ContentType.Text;
  if (f.schemaKey !== undefined && !SCHEMA_KEYS.has(f.schemaKey)) {
    throw schemaInvalid(`${at}.schema_key ${f.schemaKey} is not a built-in schema (1..5)`);
  }
  if (!text && (f.textSchema || f.schemaKey)) {
    throw schemaInvalid(`${at}: only text fields take text_schema or schema_key`);
  }
  if (f.textSchema) {
    try {
      compileSchema(f.textSchema);
    } catch (err) {
      throw schemaInvalid(`${at}.text_schema is ${(err as Error).message}`);
    }
  }
  if (f.defaultFormat !== undefined && !(f.defaultFormat >= 1 && f.defaultFormat <= 6)) {
    throw schemaInvalid(`${at}.default_format ${f.defaultFormat} is not 1..6`);
  }
  return {
    key: f.key ?? "",
    name,
    description: f.description ?? "",
    contentType: f.contentType as ContentType,
    ...(f.defaultFormat !== undefined ? { defaultFormat: f.defaultFormat } : {}),
    ...(f.schemaKey ? { schemaKey: f.schemaKey as SchemaKey } : {}),
    ...(f.textSchema ? { textSchema: f.textSchema } : {}),
    ...(f.multiModalSpec ? { multiModalSpec: f.multiModalSpec } : {}),
    hidden: f.hidden ?? false,
    status: f.status === FieldStatus.Deleted ? FieldStatus.Deleted : FieldStatus.Available,
  };
}

/** Checks a whole field list (keys set) against the dataset's spec and features. */
export function checkFields(
  fields: FieldSchema[],
  o: { spec: DatasetSpec; features: DatasetFeatures },
): void {
  const live = fields.filter((f) => f.status === FieldStatus.Available);
  if (live.length === 0) throw schemaInvalid("at least one field must be available");
  if (live.length > o.spec.maxFieldCount) {
    throw schemaInvalid(`${live.length} fields, more than the limit of ${o.spec.maxFieldCount}`);
  }
  const keys = new Set<string>();
  for (const f of fields) {
    if (!IDENTITY.test(f.key)) {
      throw schemaInvalid(
        `field key "${f.key.slice(0, 70)}" must match [a-zA-Z][a-zA-Z0-9_]{0,63}`,
      );
    }
    if (keys.has(f.key)) throw schemaInvalid(`field key "${f.key}" is used twice`);
    keys.add(f.key);
  }
  const names = new Set<string>();
  for (const f of live) {
    if (names.has(f.name)) throw schemaInvalid(`field name "${f.name}" is used twice`);
    names.add(f.name);
    if (!o.features.multiModal && f.contentType !== ContentType.Text) {
      throw schemaInvalid(`field "${f.name}": this dataset takes text fields only`);
    }
  }
}

/** Fields for a new dataset: converted, keys generated, checked. */
export function newFields(
  input: FieldInput[],
  o: { spec: DatasetSpec; features: DatasetFeatures },
): FieldSchema[] {
  const fields = input.map(toField).filter((f) => f.status === FieldStatus.Available);
  generateKeys(fields);
  checkFields(fields, o);
  return fields;
}

/**
 * An edit applied to the previous fields: the fields named (by key; no key: new) in the given
 * order, then every previous field left out, as deleted. A field given as deleted is left out.
 */
export function mergeFields(
  previous: FieldSchema[],
  input: FieldInput[],
  o: { spec: DatasetSpec; features: DatasetFeatures },
): FieldSchema[] {
  const fields = input.map(toField).filter((f) => f.status === FieldStatus.Available);
  const named = new Set(fields.map((f) => f.key).filter(Boolean));
  const removed = previous.filter((p) => !named.has(p.key))
    .map((p) => ({ ...p, status: FieldStatus.Deleted as 2 }));
  // New keys must not reuse a removed field's key (its values are still stored).
  const all = [...fields, ...removed];
  generateKeys(all);
  checkFields(all, o);
  return all;
}

/** The edited fields that existing values may not satisfy (by key). */
export function incompatibleFields(previous: FieldSchema[], next: FieldSchema[]): string[] {
  const before = new Map(previous.map((f) => [f.key, f]));
  const out: string[] = [];
  for (const f of next) {
    const p = before.get(f.key);
    if (f.status !== FieldStatus.Available || !p) continue;
    if (!compatible(p, f)) out.push(f.name);
  }
  return out;
}

/** The JSON schema text values of a field must match, if any. */
export function effectiveSchema(f: FieldSchema): string | undefined {
  if (f.contentType !== ContentType.Text) return undefined;
  return f.schemaKey ? builtinSchema(f.schemaKey) : f.textSchema;
}

// Compatible: same content type, and a schema no stricter than before: none, the same one,
// or the same one accepting more types. Any other schema change counts as stricter.
function compatible(before: FieldSchema, after: FieldSchema): boolean {
  if (before.contentType !== after.contentType) return false;
  const a = effectiveSchema(before);
  const b = effectiveSchema(after);
  if (!b) return true;
  if (!a) return false;
  if (a === b) return true;
  const x = JSON.parse(a);
  const y = JSON.parse(b);
  const widened = typesOf(x).length > 0 && typesOf(x).every((t) => typesOf(y).includes(t));
  if (!widened && !(typesOf(y).length === 0 && typesOf(x).length === 0)) return false;
  delete x.type;
  delete y.type;
  return canonical(x) === canonical(y);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    const keys = Object.keys(v).sort();
    return `{${
      keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
        .join(",")
    }}`;
  }
  return JSON.stringify(v);
}
