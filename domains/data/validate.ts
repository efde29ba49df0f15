/**
 * Item values checked against a dataset's fields and spec, as the reference does: a value
 * names its field by key or by name; text values must match the field's JSON schema (or
 * built-in schema key); image, audio and video values are attachments (objects of the
 * workspace, by key); multi-part values are a list of text and media parts; an item's
 * content size (texts, attachment names and keys, in bytes) is bounded by the spec. Empty
 * values are dropped. Each invalid item yields one error naming what is wrong; checks that
 * need the object storage (the attachments exist, their size) are the caller's (items.ts).
 */
import { validateKey } from "../foundation/files.ts";
import { checkContent, compileSchema } from "./json_schema.ts";
import { effectiveSchema } from "./schema.ts";
import {
  type Attachment,
  ContentType,
  type DatasetFeatures,
  type DatasetSpec,
  type FieldData,
  type FieldSchema,
  FieldStatus,
  type ItemContent,
  type ItemError,
  type ItemErrorGroup,
  ItemErrorType,
  PROVIDER_S3,
} from "./types.ts";

/** A value as a caller sends it (`FieldData` on the wire). */
export interface FieldDataInput {
  key?: string;
  name?: string;
  contentType?: number;
  format?: number;
  content?: string;
  attachments?: { provider?: number; name?: string; uri?: string }[];
  parts?: FieldDataInput[];
}

/** An item as a caller sends it. */
export interface ItemInput {
  itemKey?: string;
  data?: FieldDataInput[];
  repeatedData?: { id?: bigint; data?: FieldDataInput[] }[];
}

/** An attachment to look up in storage, with the largest size its field allows. */
export interface AttachmentCheck {
  uri: string;
  maxSize?: number;
  field: string;
}

/** An item that passed the checks, ready to store. */
export interface ValidItem {
  /** Its index in the caller's list. */
  index: number;
  itemKey?: string;
  content: ItemContent;
  /** Content bytes (the spec's measure). */
  bytes: number;
  attachments: AttachmentCheck[];
}

/** What items are checked against. */
export interface ItemRules {
  fields: FieldSchema[];
  spec: DatasetSpec;
  features: DatasetFeatures;
}

class Invalid extends Error {
  constructor(readonly type: ItemErrorType, message: string) {
    super(message);
  }
}

const MEDIA = new Set<number>([ContentType.Image, ContentType.Audio, ContentType.Video]);

/** Checks one item; returns it ready to store, or its error. */
export function validateItem(
  rules: ItemRules,
  input: ItemInput,
  index: number,
): ValidItem | ItemError {
  try {
    const byKey = new Map(rules.fields.map((f) => [f.key, f]));
    const byName = new Map(
      rules.fields.filter((f) => f.status === FieldStatus.Available).map((f) => [f.name, f]),
    );
    const checks: AttachmentCheck[] = [];
    const turn = (values: FieldDataInput[] | undefined) =>
      checkTurn(values ?? [], { byKey, byName, checks });
    const content: ItemContent = {};
    if (rules.features.repeatedData) {
      if (input.data?.length) {
        throw new Invalid(ItemErrorType.MismatchSchema, "multi-turn dataset: use repeated_data");
      }
      content.turns = (input.repeatedData ?? []).map((t) => ({
        id: t.id ?? 0n,
        data: turn(t.data),
      }))
        .filter((t) => t.data.length > 0);
    } else {
      if (input.repeatedData?.length) {
        throw new Invalid(ItemErrorType.MismatchSchema, "single-turn dataset: use data");
      }
      content.data = turn(input.data);
    }
    const all = content.turns ? content.turns.flatMap((t) => t.data) : content.data!;
    if (all.length === 0) throw new Invalid(ItemErrorType.EmptyData, "the item has no value");
    const bytes = all.reduce((n, v) => n + bytesOf(v), 0);
    if (bytes > rules.spec.maxItemSize) {
      throw new Invalid(
        ItemErrorType.ExceedMaxItemSize,
        `item of ${bytes} bytes exceeds the limit of ${rules.spec.maxItemSize}`,
      );
    }
    return { index, itemKey: input.itemKey, content, bytes, attachments: checks };
  } catch (err) {
    if (err instanceof Invalid) return { index, type: err.type, message: err.message };
    throw err;
  }
}

function checkTurn(
  values: FieldDataInput[],
  o: {
    byKey: Map<string, FieldSchema>;
    byName: Map<string, FieldSchema>;
    checks: AttachmentCheck[];
  },
): FieldData[] {
  const out: FieldData[] = [];
  const seen = new Set<string>();
  for (const v of values) {
    const field = v.key ? o.byKey.get(v.key) : v.name ? o.byName.get(v.name) : undefined;
    const label = JSON.stringify(v.key ?? v.name ?? "");
    if (!field) throw new Invalid(ItemErrorType.MismatchSchema, `no field ${label}`);
    if (field.status !== FieldStatus.Available) {
      throw new Invalid(ItemErrorType.MismatchSchema, `field ${label} is deleted`);
    }
    if (seen.has(field.key)) {
      throw new Invalid(ItemErrorType.MismatchSchema, `field "${field.name}" given twice`);
    }
    seen.add(field.key);
    if (v.contentType !== undefined && v.contentType !== field.contentType) {
      throw new Invalid(
        ItemErrorType.MismatchSchema,
        `field "${field.name}": content_type ${v.contentType}, the field's is ${field.contentType}`,
      );
    }
    const value = checkValue(field, v, o.checks);
    if (value) out.push(value);
  }
  return out;
}

function checkValue(
  field: FieldSchema,
  v: FieldDataInput,
  checks: AttachmentCheck[],
): FieldData | undefined {
  const base = { key: field.key, ...(v.format !== undefined ? { format: v.format } : {}) };
  const at = `field "${field.name}"`;
  if (field.contentType === ContentType.Text) {
    if (!v.content) return undefined;
    const schema = effectiveSchema(field);
    const why = schema ? checkContent(compileSchema(schema), v.content) : undefined;
    if (why) throw new Invalid(ItemErrorType.MismatchSchema, `${at}: ${why}`);
    return { ...base, content: v.content };
  }
  const spec = field.multiModalSpec;
  if (MEDIA.has(field.contentType)) {
    const attachments = checkAttachments(field, v.attachments ?? [], checks);
    if (!attachments.length) return undefined;
    if (spec?.maxFileCount && attachments.length > spec.maxFileCount) {
      throw new Invalid(
        ItemErrorType.ExceedMaxImageCount,
        `${at}: ${attachments.length} files, more than ${spec.maxFileCount}`,
      );
    }
    return { ...base, attachments };
  }
  const parts: FieldData[] = [];
  for (const [i, p] of (v.parts ?? []).entries()) {
    const type = p.contentType;
    if (type === ContentType.Text) {
      if (p.content) parts.push({ key: "", contentType: type, content: p.content });
    } else if (type !== undefined && MEDIA.has(type)) {
      const attachments = checkAttachments(field, p.attachments ?? [], checks);
      if (attachments.length) {
        parts.push({ key: "", contentType: type as ContentType, attachments });
      }
    } else {
      throw new Invalid(
        ItemErrorType.MismatchSchema,
        `${at}: parts[${i}].content_type must be 1, 2, 3 or 4, not ${type ?? "missing"}`,
      );
    }
  }
  if (!parts.length) return undefined;
  const maxParts = spec?.maxPartCount || 50;
  if (parts.length > maxParts) {
    throw new Invalid(
      ItemErrorType.ExceedMaxPartCount,
      `${at}: ${parts.length} parts, more than ${maxParts}`,
    );
  }
  const files = parts.reduce((n, p) => n + (p.attachments?.length ?? 0), 0);
  if (spec?.maxFileCount && files > spec.maxFileCount) {
    throw new Invalid(
      ItemErrorType.ExceedMaxImageCount,
      `${at}: ${files} files, more than ${spec.maxFileCount}`,
    );
  }
  return { ...base, parts };
}

function checkAttachments(
  field: FieldSchema,
  list: { provider?: number; name?: string; uri?: string }[],
  checks: AttachmentCheck[],
): Attachment[] {
  const at = `field "${field.name}"`;
  const formats = field.multiModalSpec?.supportedFormats?.map((f) => f.toLowerCase());
  return list.map((a, i) => {
    if (!a.uri) {
      throw new Invalid(ItemErrorType.MismatchSchema, `${at}: attachments[${i}].uri is required`);
    }
    if (a.provider !== undefined && a.provider !== PROVIDER_S3) {
      throw new Invalid(
        ItemErrorType.MismatchSchema,
        `${at}: attachments[${i}].provider must be 5 (S3, this server's object storage)`,
      );
    }
    try {
      validateKey(a.uri, `attachments[${i}].uri`);
    } catch (err) {
      throw new Invalid(ItemErrorType.MismatchSchema, `${at}: ${(err as Error).message}`);
    }
    const name = a.name ?? "";
    if (formats?.length) {
      const ext = /\.([A-Za-z0-9]+)$/.exec(name || a.uri)?.[1]?.toLowerCase() ?? "";
      if (!formats.includes(ext)) {
        throw new Invalid(
          ItemErrorType.IllegalExtension,
          `${at}: attachments[${i}] is not one of ${formats.join(", ")}`,
        );
      }
    }
    checks.push({ uri: a.uri, maxSize: field.multiModalSpec?.maxFileSize, field: field.name });
    return { provider: PROVIDER_S3, name: name.slice(0, 255), uri: a.uri };
  });
}

const encoder = new TextEncoder();

/** Content bytes of a value, the reference's measure: texts, attachment names and keys. */
export function bytesOf(v: FieldData): number {
  let n = v.content ? encoder.encode(v.content).length : 0;
  for (const a of v.attachments ?? []) {
    n += encoder.encode(a.name).length + encoder.encode(a.uri).length;
  }
  for (const p of v.parts ?? []) n += bytesOf(p);
  return n;
}

/** Item errors grouped by type, each group with its count and at most five details. */
export function groupErrors(errors: ItemError[]): ItemErrorGroup[] {
  const groups = new Map<number, ItemErrorGroup>();
  for (const e of errors) {
    let g = groups.get(e.type);
    if (!g) {
      g = { type: e.type, summary: "", errorCount: 0, details: [] };
      groups.set(e.type, g);
    }
    g.errorCount++;
    if (g.details.length < 5) g.details.push({ message: e.message, index: e.index });
  }
  for (const g of groups.values()) {
    g.summary = `${g.errorCount} item(s) refused: ${g.details[0]?.message ?? ""}`;
  }
  return [...groups.values()];
}

/** One line describing item errors, for a refusal's message. */
export function describeErrors(errors: ItemError[]): string {
  const shown = errors.slice(0, 5).map((e) => `items[${e.index}]: ${e.message}`);
  const more = errors.length > 5 ? `; and ${errors.length - 5} more` : "";
  return `${shown.join("; ")}${more}`;
}
