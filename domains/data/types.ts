/**
 * Entities of the data domain (datasets, their schemas, items and versions), with the wire's
 * integer enums (the data API writes content types, categories and statuses as integers) and
 * the reference's default limits.
 */

/** `DatasetCategory`: an evaluation set is a dataset of category Evaluation. */
export const Category = { General: 1, Training: 2, Validation: 3, Evaluation: 4 } as const;
/** A dataset category. */
export type Category = (typeof Category)[keyof typeof Category];

/** `ContentType` of a field or a value. */
export const ContentType = { Text: 1, Image: 2, Audio: 3, Video: 4, MultiPart: 100 } as const;
/** A content type. */
export type ContentType = (typeof ContentType)[keyof typeof ContentType];

/** `SchemaKey`: a built-in JSON schema of a text field. */
export const SchemaKey = { String: 1, Integer: 2, Float: 3, Bool: 4, Message: 5 } as const;
/** A built-in schema. */
export type SchemaKey = (typeof SchemaKey)[keyof typeof SchemaKey];

/** `FieldStatus`. */
export const FieldStatus = { Available: 1, Deleted: 2 } as const;
/** `DatasetStatus` (the ones this server sets). */
export const DatasetStatus = { Available: 1, Deleted: 2 } as const;
/** `StorageProvider` of an attachment: only the server's own object storage (S3) is read. */
export const PROVIDER_S3 = 5;
/** `SnapshotStatus.Completed`: a version is readable as soon as it is committed. */
export const SNAPSHOT_COMPLETED = 3;

/** `ItemErrorType` values this server reports. */
export const ItemErrorType = {
  MismatchSchema: 1,
  EmptyData: 2,
  ExceedMaxItemSize: 3,
  ExceedDatasetCapacity: 4,
  ExceedMaxNestedDepth: 8,
  ExceedMaxImageCount: 10,
  ExceedMaxImageSize: 11,
  GetImageFailed: 12,
  IllegalExtension: 13,
  ExceedMaxPartCount: 14,
} as const;
/** An item error type. */
export type ItemErrorType = (typeof ItemErrorType)[keyof typeof ItemErrorType];

/** `MultiModalSpec` of a field. */
export interface MultiModalSpec {
  maxFileCount?: number;
  maxFileSize?: number;
  supportedFormats?: string[];
  maxPartCount?: number;
}

/** `FieldSchema`: one column. `key` is stable across schema changes. */
export interface FieldSchema {
  key: string;
  name: string;
  description: string;
  contentType: ContentType;
  defaultFormat?: number;
  schemaKey?: SchemaKey;
  /** A JSON schema (text, as given) that text values must match. */
  textSchema?: string;
  multiModalSpec?: MultiModalSpec;
  hidden: boolean;
  status: 1 | 2;
}

/** `DatasetSpec`: the limits of a dataset. */
export interface DatasetSpec {
  maxItemCount: number;
  maxFieldCount: number;
  /** Bytes of an item's content (texts, attachment names and keys). */
  maxItemSize: number;
  maxItemDataNestedDepth?: number;
}

/** `DatasetFeatures`. */
export interface DatasetFeatures {
  editSchema: boolean;
  repeatedData: boolean;
  multiModal: boolean;
}

/** The reference's default spec (conf/data.yaml): general sets. */
export const DEFAULT_SPEC: DatasetSpec = {
  maxItemCount: 30_000,
  maxFieldCount: 50,
  maxItemSize: 204_800,
};
/** The reference's default spec of evaluation sets. */
export const EVALUATION_SPEC: DatasetSpec = { ...DEFAULT_SPEC, maxItemCount: 5_000 };
/** The reference's default features. */
export const DEFAULT_FEATURES: DatasetFeatures = {
  editSchema: true,
  repeatedData: false,
  multiModal: true,
};

/** The default spec of a category. */
export function specOf(category: Category): DatasetSpec {
  return category === Category.Evaluation ? EVALUATION_SPEC : DEFAULT_SPEC;
}

/** A dataset's schema row: fields, and whether a committed version uses it. */
export interface DatasetSchema {
  id: bigint;
  spaceId: bigint;
  datasetId: bigint;
  fields: FieldSchema[];
  immutable: boolean;
  updateVersion: number;
  createdBy: bigint;
  updatedBy: bigint;
  createdAt: Date;
  updatedAt: Date;
}

/** A dataset (its current, draft, state). */
export interface Dataset {
  id: bigint;
  spaceId: bigint;
  schemaId: bigint;
  name: string;
  description: string;
  category: Category;
  bizCategory: string;
  status: number;
  securityLevel: number;
  visibility: number;
  spec: DatasetSpec;
  features: DatasetFeatures;
  latestVersion: string;
  nextVersionNum: number;
  itemCount: number;
  changeUncommitted: boolean;
  createdBy: bigint;
  updatedBy: bigint;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: number;
}

/** A dataset with its schema. */
export interface DatasetWithSchema {
  dataset: Dataset;
  schema: DatasetSchema;
}

/** An attachment: an object of the workspace (`uri` is its key relative to the workspace). */
export interface Attachment {
  provider: number;
  name: string;
  uri: string;
  /** A presigned download URL, added when read (never stored). */
  url?: string;
}

/** `FieldData`: one value of an item (`parts` for multi-part values). */
export interface FieldData {
  key: string;
  contentType?: ContentType;
  format?: number;
  content?: string;
  attachments?: Attachment[];
  parts?: FieldData[];
}

/** `ItemData`: one turn of a multi-turn item. */
export interface Turn {
  id: bigint;
  data: FieldData[];
}

/** An item's values: single-turn `data` or multi-turn `turns`. */
export interface ItemContent {
  data?: FieldData[];
  turns?: Turn[];
}

/** An item as stored for one range of versions (a revision). */
export interface Item extends ItemContent {
  /** The revision's row id. */
  id: bigint;
  spaceId: bigint;
  datasetId: bigint;
  /** Stable across revisions. */
  itemId: bigint;
  itemKey?: string;
  /** The first version the revision belongs to, and the first it no longer does. */
  addVn: number;
  delVn: number;
  createdBy: bigint;
  updatedBy: bigint;
  createdAt: Date;
  updatedAt: Date;
}

/** An immutable version. */
export interface DatasetVersion {
  id: bigint;
  spaceId: bigint;
  datasetId: bigint;
  schemaId: bigint;
  version: string;
  versionNum: number;
  description: string;
  /** The dataset's metadata when committed, as JSON text. */
  datasetBrief: string;
  itemCount: number;
  createdBy: bigint;
  createdAt: Date;
}

/** One invalid item (by its index in the request). */
export interface ItemError {
  index: number;
  type: ItemErrorType;
  message: string;
}

/** `ItemErrorGroup`: errors of one type, with at most five details. */
export interface ItemErrorGroup {
  type: ItemErrorType;
  summary: string;
  errorCount: number;
  details: { message?: string; index?: number; startIndex?: number; endIndex?: number }[];
}

/** Largest version number: the `del_vn` of a revision still in the draft. */
export const LIVE_VN = 2_147_483_647;
