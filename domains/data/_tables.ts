/** Row shapes of the dataset tables, for Kysely (bigint columns read as strings). */

/** `datasets`. `spec` and `features` are JSON text. */
export interface DatasetRow {
  id: string;
  space_id: string;
  schema_id: string;
  name: string;
  description: string;
  category: number;
  biz_category: string;
  status: number;
  security_level: number;
  visibility: number;
  spec: string;
  features: string;
  latest_version: string;
  next_version_num: number;
  item_count: number;
  change_uncommitted: number;
  created_by: string;
  updated_by: string;
  created_at: Date;
  updated_at: Date;
  deleted_at: string | number;
}

/** `dataset_schemas`. `fields` is JSON text. */
export interface SchemaRow {
  id: string;
  space_id: string;
  dataset_id: string;
  fields: string;
  immutable: number;
  update_version: number;
  created_by: string;
  updated_by: string;
  created_at: Date;
  updated_at: Date;
}

/** `dataset_versions`. */
export interface VersionRow {
  id: string;
  space_id: string;
  dataset_id: string;
  schema_id: string;
  version: string;
  version_num: number;
  description: string;
  dataset_brief: string;
  item_count: number;
  created_by: string;
  created_at: Date;
}

/**
 * `dataset_items`: one revision of an item, in versions `add_vn <= v < del_vn`. `payload` is
 * the values as JSON text, or null when they are in object storage under `storage_key`.
 */
export interface ItemRow {
  id: string;
  space_id: string;
  dataset_id: string;
  item_id: string;
  item_key: string | null;
  add_vn: number;
  del_vn: number;
  payload: string | null;
  storage_key: string | null;
  bytes: number;
  created_by: string;
  updated_by: string;
  created_at: Date;
  updated_at: Date;
}

/** The data schema. */
export interface DataTables {
  datasets: DatasetRow;
  dataset_schemas: SchemaRow;
  dataset_versions: VersionRow;
  dataset_items: ItemRow;
}
