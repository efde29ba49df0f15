/**
 * A dataset value as the evaluation domain's `Content` (content types as strings), and the
 * field mappings of an experiment applied to an item: which set columns (and target
 * outputs) a target's variables and an evaluator's input fields receive.
 */
import {
  type Attachment,
  ContentType,
  type FieldData,
  type FieldSchema,
} from "../../data/types.ts";
import type { Content } from "../types.ts";
import type { FieldMapping } from "./types.ts";

const NAMES: Record<number, string> = {
  [ContentType.Text]: "Text",
  [ContentType.Image]: "Image",
  [ContentType.Audio]: "Audio",
  [ContentType.Video]: "Video",
  [ContentType.MultiPart]: "MultiPart",
};

const image = (a: Attachment) => ({ name: a.name, uri: a.uri, ...(a.url ? { url: a.url } : {}) });

/** One stored value as Content, through its field's type. */
export function valueToContent(v: FieldData, type: number | undefined): Content {
  const t = v.contentType ?? type ?? ContentType.Text;
  if (t === ContentType.Text) return { content_type: "Text", text: v.content ?? "" };
  if (t === ContentType.MultiPart) {
    return {
      content_type: "MultiPart",
      multi_part: (v.parts ?? []).map((p) => valueToContent(p, p.contentType)),
    };
  }
  const list = v.attachments ?? [];
  if (list.length === 1) return { content_type: NAMES[t] ?? "Image", image: image(list[0]) };
  return {
    content_type: "MultiPart",
    multi_part: list.map((a) => ({ content_type: NAMES[t] ?? "Image", image: image(a) })),
  };
}

/** An item's columns by field name (the first turn of a multi-turn item). */
export function itemColumns(
  values: FieldData[],
  fields: FieldSchema[],
): { byName: Record<string, Content>; byKey: Record<string, Content> } {
  const schema = new Map(fields.map((f) => [f.key, f]));
  const byName: Record<string, Content> = {};
  const byKey: Record<string, Content> = {};
  for (const v of values) {
    const f = schema.get(v.key);
    const c = valueToContent(v, f?.contentType);
    byKey[v.key] = c;
    byName[f?.name ?? v.key] = c;
  }
  return { byName, byKey };
}

/**
 * Fields for a consumer (a target's variables, an evaluator's inputs): each mapping's
 * `field_name` gets the source column `from_field_name` (a set field's name or key, or a
 * target output), or `const_value`. Without mappings, every column by name.
 */
export function mapFields(
  mappings: FieldMapping[] | undefined,
  sources: Record<string, Content>[],
): Record<string, Content> {
  if (!mappings?.length) return Object.assign({}, ...sources.slice().reverse());
  const out: Record<string, Content> = {};
  for (const m of mappings) {
    if (!m.field_name) continue;
    if (m.const_value !== undefined && m.const_value !== "" && !m.from_field_name) {
      out[m.field_name] = { content_type: "Text", text: m.const_value };
      continue;
    }
    const from = m.from_field_name ?? m.field_name;
    for (const src of sources) {
      if (from in src) {
        out[m.field_name] = src[from];
        break;
      }
    }
  }
  return out;
}
