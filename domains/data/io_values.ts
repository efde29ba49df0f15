/**
 * A field's value as a file cell and back: text as it is; an image, audio or video value as
 * a JSON list of attachments (`[{"name", "uri"}]`, or a bare object key); a multi-part value
 * as a JSON list of parts (`[{"content_type", "content" | "attachments"}]`, content types as
 * numbers or names). Exports write what imports read, so a file round-trips.
 */
import type { FieldDataInput } from "./validate.ts";
import { ContentType, type FieldData, type FieldSchema } from "./types.ts";

const TYPE_NAMES: Record<string, number> = {
  text: ContentType.Text,
  image: ContentType.Image,
  audio: ContentType.Audio,
  video: ContentType.Video,
};

/** A cell's text as a value of `field`; throws when a media value is not readable. */
export function cellToValue(field: FieldSchema, text: string): FieldDataInput {
  const base = { key: field.key };
  if (field.contentType === ContentType.Text) return { ...base, content: text };
  const t = text.trim();
  if (!t) return base;
  if (field.contentType === ContentType.MultiPart) {
    const parts = parseJson(t, field);
    if (!Array.isArray(parts)) throw new Error(`field "${field.name}": not a JSON list of parts`);
    return {
      ...base,
      parts: parts.map((p: Record<string, unknown>) => ({
        contentType: typeOf(p?.content_type ?? p?.type),
        content: typeof p?.content === "string" ? p.content : undefined,
        attachments: attachmentsOf(p?.attachments ?? p?.image ?? []),
      })),
    };
  }
  if (!t.startsWith("[") && !t.startsWith("{")) return { ...base, attachments: [{ uri: t }] };
  return { ...base, attachments: attachmentsOf(parseJson(t, field)) };
}

/** A value as a cell's text (a JSON value for media and multi-part fields). */
export function valueToCell(field: FieldSchema, v: FieldData | undefined): string | unknown[] {
  if (!v) return field.contentType === ContentType.Text ? "" : [];
  if (field.contentType === ContentType.Text) return v.content ?? "";
  if (field.contentType === ContentType.MultiPart) {
    return (v.parts ?? []).map((p) => ({
      content_type: p.contentType,
      ...(p.content !== undefined ? { content: p.content } : {}),
      ...(p.attachments ? { attachments: p.attachments.map(plainAttachment) } : {}),
    }));
  }
  return (v.attachments ?? []).map(plainAttachment);
}

function plainAttachment(a: { name: string; uri: string }): { name: string; uri: string } {
  return { name: a.name, uri: a.uri };
}

function parseJson(t: string, field: FieldSchema): unknown {
  try {
    return JSON.parse(t);
  } catch {
    throw new Error(`field "${field.name}": not JSON`);
  }
}

function typeOf(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string") return TYPE_NAMES[v.toLowerCase()] ?? (Number(v) || undefined);
  return undefined;
}

function attachmentsOf(v: unknown): FieldDataInput["attachments"] {
  const list = Array.isArray(v) ? v : [v];
  return list.map((a) =>
    typeof a === "string"
      ? { uri: a }
      : { name: str(a?.name), uri: str(a?.uri), provider: num(a?.provider) }
  );
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === "number" ? v : undefined;
}
