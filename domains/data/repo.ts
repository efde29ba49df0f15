/**
 * Queries on datasets, schemas and versions (ambient session: joins the caller's
 * transaction). Item revisions have their own (repo_items.ts).
 */
import { type Kysely, type SelectQueryBuilder, sql } from "kysely";
import type { Database } from "../../infra/db/mod.ts";
import type { DatasetRow, DataTables, SchemaRow, VersionRow } from "./_tables.ts";
import type { Page } from "./paging.ts";
import { afterCursor } from "./_cursor.ts";
import type { Dataset, DatasetSchema, DatasetVersion } from "./types.ts";

/** Filters of the dataset list. */
export interface DatasetFilter {
  ids?: bigint[];
  category?: number;
  name?: string;
  createdBys?: string[];
  bizCategories?: string[];
}

type DatasetQuery = SelectQueryBuilder<DataTables, "datasets", object>;

/** Data access for datasets, schemas and versions. */
export function createDatasetRepo(db: Database) {
  const q = (): Kysely<DataTables> => db.session<DataTables>();
  return {
    async insertDataset(d: Dataset): Promise<void> {
      await q().insertInto("datasets").values(datasetRow(d)).execute();
    },
    async datasetById(
      id: bigint,
      o: { forUpdate?: boolean; withDeleted?: boolean } = {},
    ): Promise<Dataset | undefined> {
      let sel = q().selectFrom("datasets").selectAll().where("id", "=", id.toString());
      if (!o.withDeleted) sel = sel.where("deleted_at", "=", 0);
      const r = await (o.forUpdate ? sel.forUpdate() : sel).executeTakeFirst();
      return r && toDataset(r);
    },
    async datasetsByIds(space: bigint, ids: bigint[], withDeleted = false): Promise<Dataset[]> {
      if (!ids.length) return [];
      let sel = q().selectFrom("datasets").selectAll().where("space_id", "=", space.toString())
        .where("id", "in", ids.map(String));
      if (!withDeleted) sel = sel.where("deleted_at", "=", 0);
      return (await sel.execute()).map(toDataset);
    },
    async listDatasets(
      space: bigint,
      f: DatasetFilter,
      page: Page,
    ): Promise<{ datasets: Dataset[]; total: number }> {
      const base = filtered(
        q().selectFrom("datasets").where("space_id", "=", space.toString())
          .where("deleted_at", "=", 0),
        f,
      );
      const dir = page.asc ? "asc" : "desc";
      let sel = base.selectAll();
      const col = page.timeColumn;
      const after = page.after;
      if (after) {
        sel = sel.where((eb) => afterCursor(eb, { ...page, after }, { id: "id", time: col }));
      }
      if (col) sel = sel.orderBy(col, dir);
      const [rows, count] = await Promise.all([
        sel.orderBy("id", dir).limit(page.limit).offset(page.after ? 0 : page.offset).execute(),
        base.select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow(),
      ]);
      return { datasets: rows.map(toDataset), total: Number(count.n) };
    },
    async updateDataset(id: bigint, patch: Partial<DatasetRow>): Promise<void> {
      await q().updateTable("datasets").set(patch).where("id", "=", id.toString()).execute();
    },
    async insertSchema(s: DatasetSchema): Promise<void> {
      await q().insertInto("dataset_schemas").values(schemaRow(s)).execute();
    },
    async updateSchema(id: bigint, patch: Partial<SchemaRow>): Promise<void> {
      await q().updateTable("dataset_schemas").set(patch).where("id", "=", id.toString())
        .execute();
    },
    async schemasByIds(ids: bigint[]): Promise<Map<bigint, DatasetSchema>> {
      if (!ids.length) return new Map();
      const rows = await q().selectFrom("dataset_schemas").selectAll()
        .where("id", "in", [...new Set(ids.map(String))]).execute();
      return new Map(rows.map((r) => [BigInt(r.id), toSchema(r)]));
    },
    async insertVersion(v: DatasetVersion): Promise<void> {
      await q().insertInto("dataset_versions").values(versionRow(v)).execute();
    },
    async versionsByIds(space: bigint, ids: bigint[]): Promise<DatasetVersion[]> {
      if (!ids.length) return [];
      const rows = await q().selectFrom("dataset_versions").selectAll()
        .where("space_id", "=", space.toString()).where("id", "in", ids.map(String)).execute();
      return rows.map(toVersion);
    },
    async versionById(id: bigint): Promise<DatasetVersion | undefined> {
      const r = await q().selectFrom("dataset_versions").selectAll()
        .where("id", "=", id.toString()).executeTakeFirst();
      return r && toVersion(r);
    },
    async listVersions(
      datasetId: bigint,
      o: { like?: string; page: Page },
    ): Promise<{ versions: DatasetVersion[]; total: number }> {
      let base = q().selectFrom("dataset_versions").where("dataset_id", "=", datasetId.toString());
      if (o.like) base = base.where(sql<boolean>`version like ${likeOf(o.like)} escape '!'`);
      const page = o.page;
      const dir = page.asc ? "asc" : "desc";
      let sel = base.selectAll();
      // A version list's cursor is the last version number.
      if (page.after) sel = sel.where("version_num", page.asc ? ">" : "<", Number(page.after.id));
      const [rows, count] = await Promise.all([
        sel.orderBy("version_num", dir).limit(page.limit).offset(page.after ? 0 : page.offset)
          .execute(),
        base.select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow(),
      ]);
      return { versions: rows.map(toVersion), total: Number(count.n) };
    },
  };
}

/** The repository's type. */
export type DatasetRepo = ReturnType<typeof createDatasetRepo>;

// An explicit escape character: MySQL's default one (backslash) is none in SQLite.
function likeOf(s: string): string {
  return `%${s.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

function filtered(sel: DatasetQuery, f: DatasetFilter): DatasetQuery {
  if (f.ids?.length) sel = sel.where("id", "in", f.ids.map(String));
  if (f.category !== undefined) sel = sel.where("category", "=", f.category);
  if (f.name) sel = sel.where(sql<boolean>`name like ${likeOf(f.name)} escape '!'`);
  if (f.createdBys?.length) sel = sel.where("created_by", "in", f.createdBys);
  if (f.bizCategories?.length) sel = sel.where("biz_category", "in", f.bizCategories);
  return sel;
}

type Audit = Pick<Dataset, "createdBy" | "updatedBy" | "createdAt" | "updatedAt">;
type AuditRow = Pick<DatasetRow, "created_by" | "updated_by" | "created_at" | "updated_at">;

// Who made a row and when, and who changed it last: the same columns on datasets and schemas.
function auditRow(a: Audit): AuditRow {
  return {
    created_by: a.createdBy.toString(),
    updated_by: a.updatedBy.toString(),
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  };
}

function auditOf(r: AuditRow): Audit {
  return {
    createdBy: BigInt(r.created_by),
    updatedBy: BigInt(r.updated_by),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function datasetRow(d: Dataset): DatasetRow {
  return {
    id: d.id.toString(),
    space_id: d.spaceId.toString(),
    schema_id: d.schemaId.toString(),
    name: d.name,
    description: d.description,
    category: d.category,
    biz_category: d.bizCategory,
    status: d.status,
    security_level: d.securityLevel,
    visibility: d.visibility,
    spec: JSON.stringify(d.spec),
    features: JSON.stringify(d.features),
    latest_version: d.latestVersion,
    next_version_num: d.nextVersionNum,
    item_count: d.itemCount,
    change_uncommitted: d.changeUncommitted ? 1 : 0,
    ...auditRow(d),
    deleted_at: d.deletedAt,
  };
}

function toDataset(r: DatasetRow): Dataset {
  return {
    id: BigInt(r.id),
    spaceId: BigInt(r.space_id),
    schemaId: BigInt(r.schema_id),
    name: r.name,
    description: r.description,
    category: Number(r.category) as Dataset["category"],
    bizCategory: r.biz_category,
    status: Number(r.status),
    securityLevel: Number(r.security_level),
    visibility: Number(r.visibility),
    spec: JSON.parse(r.spec),
    features: JSON.parse(r.features),
    latestVersion: r.latest_version,
    nextVersionNum: Number(r.next_version_num),
    itemCount: Number(r.item_count),
    changeUncommitted: Number(r.change_uncommitted) === 1,
    ...auditOf(r),
    deletedAt: Number(r.deleted_at),
  };
}

function schemaRow(s: DatasetSchema): SchemaRow {
  return {
    id: s.id.toString(),
    space_id: s.spaceId.toString(),
    dataset_id: s.datasetId.toString(),
    fields: JSON.stringify(s.fields),
    immutable: s.immutable ? 1 : 0,
    update_version: s.updateVersion,
    ...auditRow(s),
  };
}

function toSchema(r: SchemaRow): DatasetSchema {
  return {
    id: BigInt(r.id),
    spaceId: BigInt(r.space_id),
    datasetId: BigInt(r.dataset_id),
    fields: JSON.parse(r.fields),
    immutable: Number(r.immutable) === 1,
    updateVersion: Number(r.update_version),
    ...auditOf(r),
  };
}

function versionRow(v: DatasetVersion): VersionRow {
  return {
    id: v.id.toString(),
    space_id: v.spaceId.toString(),
    dataset_id: v.datasetId.toString(),
    schema_id: v.schemaId.toString(),
    version: v.version,
    version_num: v.versionNum,
    description: v.description,
    dataset_brief: v.datasetBrief,
    item_count: v.itemCount,
    created_by: v.createdBy.toString(),
    created_at: v.createdAt,
  };
}

function toVersion(r: VersionRow): DatasetVersion {
  return {
    id: BigInt(r.id),
    spaceId: BigInt(r.space_id),
    datasetId: BigInt(r.dataset_id),
    schemaId: BigInt(r.schema_id),
    version: r.version,
    versionNum: Number(r.version_num),
    description: r.description,
    datasetBrief: r.dataset_brief,
    itemCount: Number(r.item_count),
    createdBy: BigInt(r.created_by),
    createdAt: r.created_at,
  };
}
