/**
 * The data domain on the wire (`/api/data/v1/...`): fields, datasets, items and versions to
 * the IDL's shapes (int64 values as bigint, written as strings), and requests to domain
 * inputs. Item values are shown through a schema: values of deleted fields are hidden, names,
 * content types and default formats are filled in from the fields.
 */
import type { FieldInput } from "../../domains/data/schema.ts";
import type { FieldDataInput, ItemInput } from "../../domains/data/validate.ts";
import {
  type Dataset,
  type DatasetSchema,
  type DatasetVersion,
  type DatasetWithSchema,
  type FieldData,
  type FieldSchema,
  FieldStatus,
  type Item,
  type ItemError,
  type ItemErrorGroup,
  type MultiModalSpec,
  SNAPSHOT_COMPLETED,
} from "../../domains/data/types.ts";
import { groupErrors } from "../../domains/data/validate.ts";

type Wire = Record<string, unknown>;

/** `MultiModalSpec` as sent. */
export interface MultiModalSpecWire {
  max_file_count?: number;
  max_file_size?: number;
  supported_formats?: string[];
  max_part_count?: number;
}

/** A `FieldSchema` as sent. */
export function fieldFromWire(f: {
  key?: string;
  name: string;
  description?: string;
  content_type: number;
  default_format?: number;
  schemaKey?: number;
  schema_key?: number;
  text_schema?: string;
  multi_model_spec?: MultiModalSpecWire;
  hidden?: boolean;
  status?: number;
}): FieldInput {
  const s = f.multi_model_spec;
  return {
    key: f.key || undefined,
    name: f.name,
    description: f.description,
    contentType: f.content_type,
    defaultFormat: f.default_format,
    schemaKey: f.schemaKey ?? f.schema_key,
    textSchema: f.text_schema || undefined,
    multiModalSpec: s && {
      maxFileCount: s.max_file_count,
      maxFileSize: s.max_file_size,
      supportedFormats: s.supported_formats,
      maxPartCount: s.max_part_count,
    },
    hidden: f.hidden,
    status: f.status,
  };
}

/** A `FieldSchema` answered. */
export function fieldToWire(f: FieldSchema): Wire {
  return {
    key: f.key,
    name: f.name,
    description: f.description,
    content_type: f.contentType,
    ...(f.defaultFormat !== undefined ? { default_format: f.defaultFormat } : {}),
    ...(f.schemaKey ? { schemaKey: f.schemaKey } : {}),
    ...(f.textSchema ? { text_schema: f.textSchema } : {}),
    ...(f.multiModalSpec ? { multi_model_spec: specToWire(f.multiModalSpec) } : {}),
    hidden: f.hidden,
    status: f.status,
  };
}

function specToWire(s: MultiModalSpec): Wire {
  return {
    ...(s.maxFileCount !== undefined ? { max_file_count: BigInt(s.maxFileCount) } : {}),
    ...(s.maxFileSize !== undefined ? { max_file_size: BigInt(s.maxFileSize) } : {}),
    ...(s.supportedFormats ? { supported_formats: s.supportedFormats } : {}),
    ...(s.maxPartCount !== undefined ? { max_part_count: s.maxPartCount } : {}),
  };
}

/** A dataset's `spec` and `features` answered. */
export function limitsToWire(d: Dataset): { spec: Wire; features: Wire } {
  return {
    spec: {
      max_item_count: BigInt(d.spec.maxItemCount),
      max_field_count: d.spec.maxFieldCount,
      max_item_size: BigInt(d.spec.maxItemSize),
    },
    features: {
      editSchema: d.features.editSchema,
      repeatedData: d.features.repeatedData,
      multiModal: d.features.multiModal,
    },
  };
}

/** A `DatasetSchema` answered. */
export function schemaToWire(s: DatasetSchema): Wire {
  return {
    id: s.id,
    space_id: s.spaceId,
    dataset_id: s.datasetId,
    fields: s.fields.map(fieldToWire),
    immutable: s.immutable,
    created_by: s.createdBy.toString(),
    created_at: BigInt(s.createdAt.getTime()),
    updated_by: s.updatedBy.toString(),
    updated_at: BigInt(s.updatedAt.getTime()),
    update_version: BigInt(s.updateVersion),
  };
}

/** A `Dataset` answered, with its schema (deleted fields left out). */
export function datasetToWire({ dataset: d, schema }: DatasetWithSchema): Wire {
  const live = {
    ...schema,
    fields: schema.fields.filter((f) => f.status === FieldStatus.Available),
  };
  return {
    id: d.id,
    space_id: d.spaceId,
    schema_id: schema.id,
    name: d.name,
    description: d.description,
    status: d.status,
    category: d.category,
    biz_category: d.bizCategory,
    schema: schemaToWire(live),
    security_level: d.securityLevel,
    visibility: d.visibility,
    ...limitsToWire(d),
    latest_version: d.latestVersion,
    next_version_num: BigInt(d.nextVersionNum),
    item_count: BigInt(d.itemCount),
    created_by: d.createdBy.toString(),
    created_at: BigInt(d.createdAt.getTime()),
    updated_by: d.updatedBy.toString(),
    updated_at: BigInt(d.updatedAt.getTime()),
    change_uncommitted: d.changeUncommitted,
  };
}

type ValueWire = {
  key?: string;
  name?: string;
  content_type?: number;
  format?: number;
  content?: string;
  attachments?: { provider?: number; name?: string; uri?: string }[];
  parts?: ValueWire[];
};

function valueFromWire(v: ValueWire): FieldDataInput {
  return {
    key: v.key || undefined,
    name: v.name || undefined,
    contentType: v.content_type,
    format: v.format,
    content: v.content,
    attachments: v.attachments,
    parts: v.parts?.map(valueFromWire),
  };
}

/** A `DatasetItem` as sent. */
export function itemFromWire(i: {
  item_key?: string;
  data?: ValueWire[];
  repeated_data?: { id?: bigint; data?: ValueWire[] }[];
}): ItemInput {
  return {
    itemKey: i.item_key,
    data: i.data?.map(valueFromWire),
    repeatedData: i.repeated_data?.map((t) => ({ id: t.id, data: t.data?.map(valueFromWire) })),
  };
}

/** A `DatasetItem` answered, through `schema`. */
export function itemToWire(it: Item, schema: DatasetSchema): Wire {
  const fields = new Map(
    schema.fields.filter((f) => f.status === FieldStatus.Available).map((f) => [f.key, f]),
  );
  const values = (list: FieldData[]) =>
    list.filter((v) => fields.has(v.key)).map((v) => valueToWire(v, fields.get(v.key)!));
  return {
    id: it.id,
    space_id: it.spaceId,
    dataset_id: it.datasetId,
    schema_id: schema.id,
    item_id: it.itemId,
    ...(it.itemKey !== undefined ? { item_key: it.itemKey } : {}),
    ...(it.turns
      ? { repeated_data: it.turns.map((t) => ({ id: t.id, data: values(t.data) })) }
      : { data: values(it.data ?? []) }),
    created_by: it.createdBy.toString(),
    created_at: BigInt(it.createdAt.getTime()),
    updated_by: it.updatedBy.toString(),
    updated_at: BigInt(it.updatedAt.getTime()),
  };
}

function valueToWire(v: FieldData, f: FieldSchema): Wire {
  return {
    key: v.key,
    name: f.name,
    content_type: f.contentType,
    ...(v.format ?? f.defaultFormat ? { format: v.format ?? f.defaultFormat } : {}),
    ...(v.content !== undefined ? { content: v.content } : {}),
    ...(v.attachments ? { attachments: v.attachments } : {}),
    ...(v.parts
      ? {
        parts: v.parts.map((p) => ({
          name: f.name,
          content_type: p.contentType,
          ...(p.content !== undefined ? { content: p.content } : {}),
          ...(p.attachments ? { attachments: p.attachments } : {}),
        })),
      }
      : {}),
  };
}

/** A `DatasetVersion` answered. */
export function versionToWire(v: DatasetVersion): Wire {
  return {
    id: v.id,
    space_id: v.spaceId,
    dataset_id: v.datasetId,
    schema_id: v.schemaId,
    version: v.version,
    version_num: BigInt(v.versionNum),
    description: v.description,
    dataset_brief: v.datasetBrief,
    item_count: BigInt(v.itemCount),
    snapshot_status: SNAPSHOT_COMPLETED,
    created_by: v.createdBy.toString(),
    created_at: BigInt(v.createdAt.getTime()),
  };
}

/** The items a request names: its path's dataset (and version), its workspace. */
export function itemTargetOf(
  path: { dataset_id: bigint; version_id?: bigint },
  request: { workspace_id?: bigint },
): { datasetId: bigint; versionId?: bigint; workspaceId?: bigint } {
  return {
    datasetId: path.dataset_id,
    ...(path.version_id !== undefined ? { versionId: path.version_id } : {}),
    workspaceId: request.workspace_id,
  };
}

/** A batch create's answer: `added_items` (index -> item id, by index) and `errors`. */
export function batchCreateToWire(
  r: { added: Map<number, bigint>; errors: ItemError[] },
): { added_items: Record<string, bigint>; errors: Wire[] } {
  return {
    added_items: Object.fromEntries([...r.added].sort((x, y) => x[0] - y[0])),
    errors: errorGroupsToWire(r.errors),
  };
}

/** `ItemErrorGroup`s answered. */
export function errorGroupsToWire(errors: ItemError[]): Wire[] {
  return groupErrors(errors).map(errorGroupToWire);
}

/** An `ItemErrorGroup` answered (row ranges where the group has them). */
export function errorGroupToWire(g: ItemErrorGroup): Wire {
  return {
    type: g.type,
    summary: g.summary,
    error_count: g.errorCount,
    details: g.details.map((d) => ({
      ...(d.message !== undefined ? { message: d.message } : {}),
      ...(d.index !== undefined ? { index: d.index } : {}),
      ...(d.startIndex !== undefined ? { start_index: d.startIndex } : {}),
      ...(d.endIndex !== undefined ? { end_index: d.endIndex } : {}),
    })),
  };
}
