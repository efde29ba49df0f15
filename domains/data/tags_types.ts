/**
 * Tags: annotation label definitions of a workspace (Coze Loop's `data.domain.tag`). A tag is
 * a chain of immutable versions sharing one `tag_key_id`; the latest version is `active` or
 * `inactive`, every older one `deprecated`, and each records what changed from the one before.
 */

/** Tag (and tag value) statuses; `deprecated` marks every version but the latest. */
export const TAG_STATUSES = ["active", "inactive", "deprecated"] as const;
/** A tag status. */
export type TagStatus = typeof TAG_STATUSES[number];

/** `tag`: managed on the tags page; `option`: a single-choice list kept outside it. */
export const TAG_TYPES = ["tag", "option"] as const;
/** A tag type. */
export type TagType = typeof TAG_TYPES[number];

/** What an annotation with the tag holds. */
export const TAG_CONTENT_TYPES = [
  "categorical",
  "boolean",
  "continuous_number",
  "free_text",
] as const;
/** A tag content type. */
export type TagContentType = typeof TAG_CONTENT_TYPES[number];

/** Where a tag is used: datasets, observation (spans), evaluation. */
export const TAG_DOMAIN_TYPES = ["data", "observe", "evaluation"] as const;
/** A tag domain type. */
export type TagDomainType = typeof TAG_DOMAIN_TYPES[number];

/** What a change log entry is about. */
export const CHANGE_TARGETS = [
  "tag",
  "tag_name",
  "tag_description",
  "tag_status",
  "tag_type",
  "tag_content_type",
  "tag_value_name",
  "tag_value_status",
] as const;
/** A change log target. */
export type ChangeTarget = typeof CHANGE_TARGETS[number];

/** What happened to the target. */
export const OPERATIONS = ["create", "update", "delete"] as const;
/** A change log operation. */
export type Operation = typeof OPERATIONS[number];

/** Bounds of a continuous number tag's score. */
export interface ContinuousNumberSpec {
  minValue?: number;
  minValueDescription?: string;
  maxValue?: number;
  maxValueDescription?: string;
}

/** Constraints on a tag's content. */
export interface TagContentSpec {
  continuousNumberSpec?: ContinuousNumberSpec;
}

/** One change from the previous version. */
export interface ChangeLog {
  target: ChangeTarget;
  operation: Operation;
  beforeValue: string;
  afterValue: string;
  /** The value's name when a tag value changed. */
  targetValue: string;
}

/** A value (category) of a tag version; `tagValueId` is stable across versions. */
export interface TagValue {
  id: bigint;
  tagValueId: bigint;
  name: string;
  description?: string;
  status: TagStatus;
  /** 0 for a top-level value. */
  parentValueId: bigint;
  children: TagValue[];
  createdBy: bigint;
  updatedBy: bigint;
  createdAt: Date;
  updatedAt: Date;
}

/** One version of a tag. */
export interface Tag {
  /** The version's row id. */
  id: bigint;
  workspaceId: bigint;
  tagKeyId: bigint;
  /** 0 for the first version, then +1 per version. */
  versionNum: number;
  /** Semantic version x.y.z. */
  version: string;
  name: string;
  description?: string;
  status: TagStatus;
  tagType: TagType;
  contentType: TagContentType;
  domainTypes: TagDomainType[];
  contentSpec?: TagContentSpec;
  parentKeyId?: bigint;
  values: TagValue[];
  changeLogs: ChangeLog[];
  createdBy: bigint;
  updatedBy: bigint;
  createdAt: Date;
  updatedAt: Date;
}

/** A value as a request gives it: an existing one names its `tagValueId`. */
export interface TagValueInput {
  tagValueId?: bigint;
  name: string;
  description?: string;
  status?: "active" | "inactive";
  children?: TagValueInput[];
}

/** What creating a tag takes. */
export interface TagInput {
  name: string;
  description?: string;
  contentType?: TagContentType;
  contentSpec?: TagContentSpec;
  values?: TagValueInput[];
  domainTypes?: TagDomainType[];
  version?: string;
  tagType?: TagType;
}

/** What updating a tag takes: an absent field keeps its value. */
export type TagUpdate = Omit<TagInput, "tagType">;

/** Limits of a tag's value tree (the reference's defaults: one level of 20 values). */
export interface TagSpec {
  /** Levels of nested values. */
  maxHeight: number;
  /** Values on one level (all parents together). */
  maxWidth: number;
}

/** The reference deployment's default tag spec. */
export const DEFAULT_TAG_SPEC: TagSpec = { maxHeight: 1, maxWidth: 20 };

/** Longest tag or value name (characters). */
export const MAX_TAG_NAME_CHARS = 50;
/** Longest tag or value description (characters). */
export const MAX_TAG_DESCRIPTION_CHARS = 200;

/** Error codes of the data domain used by tags (Coze Loop's 6011... range). */
export const TagCodes = {
  notFound: 601103001,
  nameExists: 601100204,
  conflict: 601104503,
  unchanged: 601100203,
} as const;

/** Paging of a list: a page number, or a token from the previous page (which wins). */
export interface TagPage {
  pageNumber?: number;
  pageSize?: number;
  pageToken?: string;
  orderBy?: { field?: string; isAsc?: boolean };
}

/** A page of tags. */
export interface TagList {
  tags: Tag[];
  total: number;
  nextPageToken: string;
}
