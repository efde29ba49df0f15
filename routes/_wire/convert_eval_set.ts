/**
 * Evaluation sets on the wire (`/api/evaluation/v1/evaluation_sets...`): an evaluation set is
 * a dataset of category Evaluation, shown in the evaluation API's shapes: content types as
 * strings ("Text", "Image", "Audio", "Video", "MultiPart"), values as `Content`, items as
 * turns of `field_data_list` (one turn, id 0, for a single-turn set), metadata in `base_info`.
 */
import type { FieldInput } from "../../domains/data/schema.ts";
import type { FieldDataInput, ItemInput } from "../../domains/data/validate.ts";
import {
  type Attachment,
  ContentType,
  type DatasetSchema,
  type DatasetVersion,
  type DatasetWithSchema,
  type FieldData,
  type FieldSchema,
  FieldStatus,
  type Item,
  PROVIDER_S3,
} from "../../domains/data/types.ts";
import {
  fieldFromWire,
  fieldToWire,
  limitsToWire,
  type MultiModalSpecWire,
} from "./convert_data.ts";

type Wire = Record<string, unknown>;

const NAMES: Record<number, string> = {
  [ContentType.Text]: "Text",
  [ContentType.Image]: "Image",
  [ContentType.Audio]: "Audio",
  [ContentType.Video]: "Video",
  [ContentType.MultiPart]: "MultiPart",
};
const TYPES: Record<string, number> = Object.fromEntries(
  Object.entries(NAMES).map(([n, s]) => [s.toLowerCase(), Number(n)]),
);

/** The content type of a name ("Text", "image", ...); undefined when unknown. */
export function contentTypeOf(name: string | undefined): number | undefined {
  return name === undefined ? undefined : TYPES[name.toLowerCase()];
}

/** An evaluation `FieldSchema` as sent. */
export interface EvalFieldWire {
  key?: string;
  name?: string;
  description?: string;
  content_type?: string;
  default_display_format?: number;
  status?: number;
  schema_key?: number;
  text_schema?: string;
  multi_model_spec?: MultiModalSpecWire;
  hidden?: boolean;
}

/** An evaluation field as a data field input; an unknown content type is -1 (refused). */
export function evalFieldFromWire(f: EvalFieldWire): FieldInput {
  return fieldFromWire({
    key: f.key,
    name: f.name ?? "",
    description: f.description,
    content_type: contentTypeOf(f.content_type ?? "Text") ?? -1,
    default_format: f.default_display_format,
    schema_key: f.schema_key,
    text_schema: f.text_schema,
    multi_model_spec: f.multi_model_spec,
    hidden: f.hidden,
    status: f.status,
  });
}

/** A field answered in the evaluation API's shape. */
export function evalFieldToWire(f: FieldSchema): Wire {
  const { content_type: _c, default_format: _d, schemaKey: _s, ...rest } = fieldToWire(f);
  return {
    ...rest,
    content_type: NAMES[f.contentType],
    ...(f.defaultFormat !== undefined ? { default_display_format: f.defaultFormat } : {}),
    ...(f.schemaKey ? { schema_key: f.schemaKey } : {}),
    isRequired: false,
  };
}

/** `BaseInfo` of an entity. */
export function baseInfo(
  o: { createdBy: bigint; updatedBy?: bigint; createdAt: Date; updatedAt?: Date },
): Wire {
  return {
    created_by: { user_id: `${o.createdBy}` },
    updated_by: { user_id: `${o.updatedBy ?? o.createdBy}` },
    created_at: BigInt(o.createdAt.getTime()),
    updated_at: BigInt((o.updatedAt ?? o.createdAt).getTime()),
  };
}

/** An `EvaluationSetSchema` answered (live fields). */
export function evalSchemaToWire(s: DatasetSchema): Wire {
  return {
    id: s.id,
    workspace_id: s.spaceId,
    evaluation_set_id: s.datasetId,
    field_schemas: s.fields.filter((f) => f.status === FieldStatus.Available).map(evalFieldToWire),
    base_info: baseInfo(s),
  };
}

/** An `EvaluationSet` answered; its `evaluation_set_version` is the draft's. */
export function evalSetToWire({ dataset: d, schema }: DatasetWithSchema): Wire {
  return {
    id: d.id,
    workspace_id: d.spaceId,
    name: d.name,
    description: d.description,
    status: d.status,
    ...limitsToWire(d),
    item_count: BigInt(d.itemCount),
    change_uncommitted: d.changeUncommitted,
    biz_category: d.bizCategory,
    type: "default",
    evaluation_set_version: {
      id: d.id,
      workspace_id: d.spaceId,
      evaluation_set_id: d.id,
      version: "",
      version_num: BigInt(d.nextVersionNum),
      description: "",
      evaluation_set_schema: evalSchemaToWire(schema),
      item_count: BigInt(d.itemCount),
    },
    latest_version: d.latestVersion,
    next_version_num: BigInt(d.nextVersionNum),
    base_info: baseInfo(d),
  };
}

/** An `EvaluationSetVersion` answered, with the version's schema. */
export function evalVersionToWire(v: DatasetVersion, schema?: DatasetSchema): Wire {
  return {
    id: v.id,
    workspace_id: v.spaceId,
    evaluation_set_id: v.datasetId,
    version: v.version,
    version_num: BigInt(v.versionNum),
    description: v.description,
    ...(schema ? { evaluation_set_schema: evalSchemaToWire(schema) } : {}),
    item_count: BigInt(v.itemCount),
    base_info: baseInfo(v),
  };
}

function media(a: Attachment): Wire {
  return { name: a.name, uri: a.uri, ...(a.url ? { url: a.url } : {}) };
}

/** A value as `Content`. */
export function contentToWire(v: FieldData, f: FieldSchema): Wire {
  const format = v.format ?? f.defaultFormat;
  const base = format ? { format } : {};
  const one = (type: number | undefined, x: FieldData): Wire => {
    if (type === ContentType.Text) return { content_type: "Text", text: x.content ?? "" };
    const list = x.attachments ?? [];
    const key = type === ContentType.Audio
      ? "audio"
      : type === ContentType.Video
      ? "video"
      : "image";
    const name = NAMES[type ?? ContentType.Image];
    if (list.length === 1) return { content_type: name, [key]: media(list[0]) };
    return {
      content_type: "MultiPart",
      multi_part: list.map((a) => ({ content_type: name, [key]: media(a) })),
    };
  };
  if (f.contentType === ContentType.MultiPart) {
    return {
      ...base,
      content_type: "MultiPart",
      multi_part: (v.parts ?? []).map((p) => one(p.contentType, p)),
    };
  }
  return { ...base, ...one(f.contentType, v) };
}

/** An `EvaluationSetItem` answered, through `schema`. */
export function evalItemToWire(it: Item, schema: DatasetSchema): Wire {
  const fields = new Map(
    schema.fields.filter((f) => f.status === FieldStatus.Available).map((f) => [f.key, f]),
  );
  const list = (values: FieldData[]) =>
    values.filter((v) => fields.has(v.key)).map((v) => {
      const f = fields.get(v.key)!;
      return { key: v.key, name: f.name, content: contentToWire(v, f) };
    });
  const turns = it.turns
    ? it.turns.map((t) => ({ id: t.id, field_data_list: list(t.data) }))
    : [{ id: 0n, field_data_list: list(it.data ?? []) }];
  return {
    id: it.id,
    workspace_id: it.spaceId,
    evaluation_set_id: it.datasetId,
    schema_id: schema.id,
    item_id: it.itemId,
    ...(it.itemKey !== undefined ? { item_key: it.itemKey } : {}),
    turns,
    base_info: baseInfo(it),
  };
}

/** `Content` as sent. */
export interface ContentWire {
  content_type?: string;
  format?: number;
  text?: string;
  image?: { name?: string; uri?: string };
  audio?: { name?: string; uri?: string };
  video?: { name?: string; uri?: string };
  multi_part?: ContentWire[];
}

function attachmentOf(c: ContentWire) {
  const m = c.image ?? c.audio ?? c.video;
  return m?.uri ? [{ provider: PROVIDER_S3, name: m.name, uri: m.uri }] : [];
}

function valueFromContent(
  d: { key?: string; name?: string; content?: ContentWire },
): FieldDataInput {
  const c = d.content ?? {};
  const type = contentTypeOf(c.content_type);
  const base = { key: d.key || undefined, name: d.name || undefined, format: c.format };
  if (type === ContentType.MultiPart || (c.multi_part && type === undefined)) {
    return {
      ...base,
      parts: (c.multi_part ?? []).map((p) => {
        const t = contentTypeOf(p.content_type);
        return t === ContentType.Text
          ? { contentType: t, content: p.text }
          : { contentType: t ?? -1, attachments: attachmentOf(p) };
      }),
    };
  }
  if (type !== undefined && type !== ContentType.Text) {
    return { ...base, attachments: attachmentOf(c) };
  }
  return { ...base, content: c.text };
}

/** Turns as sent: one turn for a single-turn set (its values), every turn for a multi-turn. */
export function evalItemFromWire(
  i: {
    item_key?: string;
    turns?: {
      id?: bigint;
      field_data_list?: { key?: string; name?: string; content?: ContentWire }[];
    }[];
  },
  multiTurn: boolean,
): ItemInput {
  const turns = (i.turns ?? []).map((t) => ({
    id: t.id || undefined,
    data: (t.field_data_list ?? []).map(valueFromContent),
  }));
  if (multiTurn) return { itemKey: i.item_key, repeatedData: turns };
  return {
    itemKey: i.item_key,
    data: turns.flatMap((t) => t.data),
  };
}
