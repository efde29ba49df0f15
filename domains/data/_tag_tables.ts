/** Row shapes of the tag tables, for Kysely (bigint ids read as strings). */

/** `tag_keys`: one row per version of a tag. `spec` and `change_log` are JSON. */
export interface TagKeyRow {
  id: string;
  space_id: string;
  tag_key_id: string;
  version_num: number;
  version: string;
  tag_key_name: string;
  description: string | null;
  status: string;
  tag_type: string;
  content_type: string;
  /** `,observe,evaluation,`: delimited on both sides so one LIKE finds a member. */
  domain_types: string;
  spec: unknown;
  change_log: unknown;
  parent_key_id: string | null;
  created_by: string;
  updated_by: string;
  created_at: Date;
  updated_at: Date;
}

/** `tag_values`: one row per value of a tag version. */
export interface TagValueRow {
  id: string;
  space_id: string;
  tag_key_id: string;
  tag_value_id: string;
  version_num: number;
  tag_value_name: string;
  description: string | null;
  parent_value_id: string;
  /** Pre-order position in the version's tree: the order the request gave. */
  position: number;
  status: string;
  created_by: string;
  updated_by: string;
  created_at: Date;
  updated_at: Date;
}

/** The tag schema. */
export interface TagTables {
  tag_keys: TagKeyRow;
  tag_values: TagValueRow;
  /** The name each managed tag holds in its workspace (unique, case-insensitively). */
  tag_key_names: { space_id: string; tag_key_name: string; tag_key_id: string };
}
