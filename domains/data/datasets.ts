/**
 * Datasets: create (name unique per workspace and category among live datasets, fields,
 * limits defaulting to the reference's by category), list, get, batch get, update, soft
 * delete, and the schema (read; edit, where fields left out become deleted, an incompatible
 * change needs an empty draft, and a schema some version uses is never changed in place: the
 * edit makes a new schema row and the versions keep theirs).
 */
import type { Database } from "../../infra/db/mod.ts";
import type { IdGenerator } from "../../infra/idgen/mod.ts";
import { AlreadyExistsError } from "../../infra/errors.ts";
import { AppError, Codes, invalidParam } from "../errors.ts";
import type { Authz } from "../foundation/authz.ts";
import type { DatasetAccess, LoadOptions } from "./access.ts";
import { decodePage, encodeToken, type PageRequest } from "./paging.ts";
import { type DatasetFilter, type DatasetRepo } from "./repo.ts";
import { type FieldInput, incompatibleFields, mergeFields, newFields } from "./schema.ts";
import {
  Category,
  type Dataset,
  type DatasetFeatures,
  type DatasetSpec,
  DatasetStatus,
  type DatasetWithSchema,
  DEFAULT_FEATURES,
  type FieldSchema,
  FieldStatus,
  specOf,
} from "./types.ts";

/** What creating a dataset takes. */
export interface CreateDatasetInput {
  workspaceId: bigint;
  name: string;
  description?: string;
  category?: number;
  bizCategory?: string;
  fields: FieldInput[];
  securityLevel?: number;
  visibility?: number;
  spec?: Partial<DatasetSpec>;
  features?: Partial<DatasetFeatures>;
}

/** The dataset service. */
export interface DatasetService {
  create(userId: bigint, input: CreateDatasetInput): Promise<DatasetWithSchema>;
  list(
    userId: bigint,
    q: DatasetFilter & PageRequest & { workspaceId: bigint },
  ): Promise<{ datasets: DatasetWithSchema[]; total: number; nextPageToken: string }>;
  get(userId: bigint, id: bigint, o?: LoadOptions): Promise<DatasetWithSchema>;
  batchGet(
    userId: bigint,
    workspaceId: bigint,
    ids: bigint[],
    withDeleted?: boolean,
  ): Promise<DatasetWithSchema[]>;
  update(
    userId: bigint,
    id: bigint,
    patch: { workspaceId?: bigint; name?: string; description?: string },
  ): Promise<void>;
  remove(userId: bigint, id: bigint, workspaceId?: bigint): Promise<void>;
  /** The current fields (deleted ones too when asked). */
  schema(userId: bigint, id: bigint, o?: LoadOptions): Promise<FieldSchema[]>;
  updateSchema(
    userId: bigint,
    id: bigint,
    input: { workspaceId?: bigint; fields: FieldInput[] },
  ): Promise<void>;
}

/** Creates the service. */
export function createDatasetService(deps: {
  db: Database;
  ids: IdGenerator;
  authz: Authz;
  repo: DatasetRepo;
  access: DatasetAccess;
  now?: () => Date;
  /** Largest (and default) item count of datasets other than evaluation sets. */
  maxItems?: number;
}): DatasetService {
  const { db, repo, access } = deps;
  const now = deps.now ?? (() => new Date());
  const nameTaken = (name: string) =>
    new AppError(
      Codes.datasetNameExists,
      `Cannot name a dataset "${name}": the name is taken in this workspace and category`,
    );
  const withSchemas = async (list: Dataset[]): Promise<DatasetWithSchema[]> => {
    const schemas = await repo.schemasByIds(list.map((d) => d.schemaId));
    return list.map((d) => ({ dataset: d, schema: schemas.get(d.schemaId)! }));
  };

  return {
    async create(userId, input) {
      await deps.authz.requireMember(userId, input.workspaceId);
      const name = checkName(input.name);
      const category = (input.category ?? Category.General) as Category;
      const spec = specFor(category, input.spec, deps.maxItems);
      const features = { ...DEFAULT_FEATURES, ...input.features };
      const fields = newFields(input.fields, { spec, features });
      const [id, schemaId] = await deps.ids.genIds(2);
      const { dataset, schema } = newDataset(userId, {
        ...input,
        id,
        schemaId,
        name,
        category,
        spec,
        features,
        fields,
        at: now(),
      });
      try {
        await db.transaction(async () => {
          await repo.insertDataset(dataset);
          await repo.insertSchema(schema);
        });
      } catch (err) {
        if (err instanceof AlreadyExistsError) throw nameTaken(name);
        throw err;
      }
      return { dataset, schema };
    },
    async list(userId, q) {
      await deps.authz.requireMember(userId, q.workspaceId);
      const page = decodePage(q, ["created_at", "updated_at"]);
      const r = await repo.listDatasets(q.workspaceId, { ...q, name: q.name?.slice(0, 255) }, page);
      const last = r.datasets.length === page.limit ? r.datasets.at(-1) : undefined;
      return {
        datasets: await withSchemas(r.datasets),
        total: r.total,
        nextPageToken: encodeToken(
          page,
          last &&
            {
              time: page.timeColumn === "updated_at" ? last.updatedAt : last.createdAt,
              id: last.id,
            },
        ),
      };
    },
    get: (userId, id, o) => access.withSchema(userId, id, o),
    async batchGet(userId, workspaceId, ids, withDeleted) {
      await deps.authz.requireMember(userId, workspaceId);
      const found = new Map(
        (await repo.datasetsByIds(workspaceId, ids, withDeleted)).map((d) => [d.id, d]),
      );
      const ordered = [...new Set(ids)].map((id) => found.get(id)).filter((d) => !!d);
      return await withSchemas(ordered);
    },
    async update(userId, id, patch) {
      const d = await access.dataset(userId, id, { workspaceId: patch.workspaceId });
      const name = patch.name === undefined || patch.name === ""
        ? undefined
        : checkName(patch.name);
      if ((patch.description ?? "").length > 2048) {
        throw invalidParam("description", "at most 2048 characters");
      }
      try {
        await repo.updateDataset(d.id, {
          ...(name !== undefined ? { name } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          updated_by: userId.toString(),
          updated_at: now(),
        });
      } catch (err) {
        if (err instanceof AlreadyExistsError) throw nameTaken(name ?? d.name);
        throw err;
      }
    },
    async remove(userId, id, workspaceId) {
      const d = await access.dataset(userId, id, { workspaceId });
      await repo.updateDataset(d.id, {
        deleted_at: Date.now(),
        status: DatasetStatus.Deleted,
        updated_by: userId.toString(),
        updated_at: now(),
      });
    },
    async schema(userId, id, o = {}) {
      const { schema } = await access.withSchema(userId, id, { workspaceId: o.workspaceId });
      return o.withDeleted
        ? schema.fields
        : schema.fields.filter((f) => f.status === FieldStatus.Available);
    },
    async updateSchema(userId, id, input) {
      await access.dataset(userId, id, { workspaceId: input.workspaceId });
      await db.transaction(async () => {
        // The row lock orders this edit with item writes and commits of the same dataset.
        const { dataset: d, schema } = await access.trusted(id, { forUpdate: true });
        if (!d.features.editSchema) {
          throw new AppError(Codes.datasetNotEditable, `dataset ${id}: its schema is not editable`);
        }
        const fields = mergeFields(schema.fields, input.fields, d);
        const changed = incompatibleFields(schema.fields, fields);
        if (changed.length && d.itemCount > 0) {
          throw new AppError(
            Codes.datasetSchemaIncompatible,
            `Cannot change field(s) ${changed.map((n) => `"${n}"`).join(", ")} of dataset ${id}: ` +
              `a new content type or a stricter JSON schema is only allowed while the draft has ` +
              `no items (it has ${d.itemCount})`,
          );
        }
        const at = now();
        if (schema.immutable) {
          const schemaId = await deps.ids.genId();
          await repo.insertSchema({
            ...schema,
            id: schemaId,
            fields,
            immutable: false,
            updateVersion: 0,
            updatedBy: userId,
            createdAt: at,
            updatedAt: at,
          });
          await repo.updateDataset(d.id, { schema_id: schemaId.toString() });
        } else {
          await repo.updateSchema(schema.id, {
            fields: JSON.stringify(fields),
            update_version: schema.updateVersion + 1,
            updated_by: userId.toString(),
            updated_at: at,
          });
        }
        await repo.updateDataset(d.id, {
          change_uncommitted: 1,
          updated_by: userId.toString(),
          updated_at: at,
        });
      });
    },
  };
}

/** A dataset as created (no items, no version), with its first schema. */
export function newDataset(userId: bigint, o: {
  id: bigint;
  schemaId: bigint;
  workspaceId: bigint;
  name: string;
  description?: string;
  category: Category;
  bizCategory?: string;
  securityLevel?: number;
  visibility?: number;
  spec: DatasetSpec;
  features: DatasetFeatures;
  fields: FieldSchema[];
  at: Date;
}): DatasetWithSchema {
  const by = { createdBy: userId, updatedBy: userId, createdAt: o.at, updatedAt: o.at };
  return {
    dataset: {
      id: o.id,
      spaceId: o.workspaceId,
      schemaId: o.schemaId,
      name: o.name,
      description: o.description ?? "",
      category: o.category,
      bizCategory: o.bizCategory ?? "",
      status: DatasetStatus.Available,
      securityLevel: o.securityLevel ?? 2,
      visibility: o.visibility ?? 2,
      spec: o.spec,
      features: o.features,
      latestVersion: "",
      nextVersionNum: 1,
      itemCount: 0,
      changeUncommitted: false,
      ...by,
      deletedAt: 0,
    },
    schema: {
      id: o.schemaId,
      spaceId: o.workspaceId,
      datasetId: o.id,
      fields: o.fields,
      immutable: false,
      updateVersion: 0,
      ...by,
    },
  };
}

function checkName(name: string): string {
  const n = name.trim();
  if (!n || n.length > 255) throw invalidParam("name", "1..255 characters");
  return n;
}

// A caller may set stricter limits than its category's defaults, never looser ones.
function specFor(
  category: Category,
  given: Partial<DatasetSpec> = {},
  maxItems?: number,
): DatasetSpec {
  const base = { ...specOf(category) };
  if (maxItems && category !== Category.Evaluation) base.maxItemCount = maxItems;
  const spec = { ...base };
  for (const k of ["maxItemCount", "maxFieldCount", "maxItemSize"] as const) {
    const v = given[k];
    if (v === undefined || v === 0) continue;
    if (!Number.isInteger(v) || v < 1 || v > base[k]) {
      throw invalidParam(`spec.${snake(k)}`, `1..${base[k]} for this category`);
    }
    spec[k] = v;
  }
  return spec;
}

function snake(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
