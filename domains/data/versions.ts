/**
 * Versions: committing the draft makes an immutable version (a semantic version above the
 * latest, a description) in one transaction holding the dataset's row lock, so no item write
 * interleaves: the version takes the draft's number (every revision then in the draft has
 * `add_vn <= n < del_vn`), its item count and its schema (made immutable: later edits make a
 * new schema row), and the draft moves on to number n + 1. Nothing is copied, so a commit
 * costs the same at 30,000 items as at one. List, get and batch get read versions.
 */
import type { Database } from "../../infra/db/mod.ts";
import type { IdGenerator } from "../../infra/idgen/mod.ts";
import { AlreadyExistsError } from "../../infra/errors.ts";
import { AppError, Codes, invalidParam } from "../errors.ts";
import type { Authz } from "../foundation/authz.ts";
import type { DatasetAccess, LoadOptions } from "./access.ts";
import { decodePage, encodeToken, type PageRequest } from "./paging.ts";
import type { DatasetRepo } from "./repo.ts";
import { checkNextVersion } from "./semver.ts";
import type { Dataset, DatasetVersion, DatasetWithSchema } from "./types.ts";

/** A version with its dataset (described by the version's schema). */
export interface VersionedDataset {
  version: DatasetVersion;
  dataset: DatasetWithSchema;
}

/** The version service. */
export interface VersionService {
  commit(userId: bigint, input: {
    workspaceId?: bigint;
    datasetId: bigint;
    version: string;
    description?: string;
  }): Promise<DatasetVersion>;
  list(
    userId: bigint,
    q: PageRequest & { workspaceId?: bigint; datasetId: bigint; versionLike?: string },
  ): Promise<{ versions: DatasetVersion[]; total: number; nextPageToken: string }>;
  get(userId: bigint, versionId: bigint, o?: LoadOptions): Promise<VersionedDataset>;
  batchGet(
    userId: bigint,
    workspaceId: bigint,
    versionIds: bigint[],
    withDeleted?: boolean,
  ): Promise<VersionedDataset[]>;
  /** A version of a dataset already loaded for the caller; `not found` otherwise. */
  versionOf(dataset: Dataset, versionId: bigint): Promise<DatasetVersion>;
}

/** Creates the service. */
export function createVersionService(deps: {
  db: Database;
  ids: IdGenerator;
  authz: Authz;
  repo: DatasetRepo;
  access: DatasetAccess;
  now?: () => Date;
}): VersionService {
  const { repo, access } = deps;
  const now = deps.now ?? (() => new Date());
  const notFound = (id: bigint) => new AppError(Codes.dataNotFound, `version ${id} not found`);
  const withSchemas = async (list: { version: DatasetVersion; dataset: Dataset }[]) => {
    const schemas = await repo.schemasByIds(list.map((x) => x.version.schemaId));
    return list.map(({ version, dataset }) => ({
      version,
      dataset: { dataset, schema: schemas.get(version.schemaId)! },
    }));
  };

  return {
    async commit(userId, input) {
      if ((input.description ?? "").length > 2048) {
        throw invalidParam("desc", "at most 2048 characters");
      }
      const id = await deps.ids.genId();
      try {
        return await deps.db.transaction(async () => {
          const d = await access.dataset(userId, input.datasetId, {
            workspaceId: input.workspaceId,
            forUpdate: true,
          });
          checkNextVersion(d.latestVersion, input.version);
          const at = now();
          const v: DatasetVersion = {
            id,
            spaceId: d.spaceId,
            datasetId: d.id,
            schemaId: d.schemaId,
            version: input.version,
            versionNum: d.nextVersionNum,
            description: input.description ?? "",
            datasetBrief: JSON.stringify({
              id: `${d.id}`,
              name: d.name,
              description: d.description,
              category: d.category,
              biz_category: d.bizCategory,
              spec: d.spec,
              features: d.features,
            }),
            itemCount: d.itemCount,
            createdBy: userId,
            createdAt: at,
          };
          await repo.insertVersion(v);
          await repo.updateDataset(d.id, {
            latest_version: v.version,
            next_version_num: d.nextVersionNum + 1,
            change_uncommitted: 0,
            updated_by: userId.toString(),
            updated_at: at,
          });
          await repo.updateSchema(d.schemaId, { immutable: 1 });
          return v;
        });
      } catch (err) {
        if (err instanceof AlreadyExistsError) {
          throw invalidParam("version", `${input.version} already exists`);
        }
        throw err;
      }
    },
    async list(userId, q) {
      const d = await access.dataset(userId, q.datasetId, { workspaceId: q.workspaceId });
      const page = decodePage({ ...q, orderBy: undefined }, []);
      const r = await repo.listVersions(d.id, { like: q.versionLike?.slice(0, 128), page });
      const last = r.versions.length === page.limit ? r.versions.at(-1) : undefined;
      return {
        versions: r.versions,
        total: r.total,
        nextPageToken: encodeToken(
          page,
          last && { time: last.createdAt, id: BigInt(last.versionNum) },
        ),
      };
    },
    async get(userId, versionId, o = {}) {
      if (o.workspaceId !== undefined) await deps.authz.requireMember(userId, o.workspaceId);
      const v = await repo.versionById(versionId);
      if (!v || (o.workspaceId !== undefined && v.spaceId !== o.workspaceId)) {
        throw notFound(versionId);
      }
      let d: Dataset;
      try {
        d = await access.dataset(userId, v.datasetId, { ...o, workspaceId: v.spaceId });
      } catch (err) {
        // Not a member of the version's workspace: the version is not found either.
        if (err instanceof AppError && o.workspaceId === undefined) throw notFound(versionId);
        throw err;
      }
      return (await withSchemas([{ version: v, dataset: d }]))[0];
    },
    async batchGet(userId, workspaceId, versionIds, withDeleted) {
      await deps.authz.requireMember(userId, workspaceId);
      const versions = await repo.versionsByIds(workspaceId, [...new Set(versionIds)]);
      const datasets = new Map(
        (await repo.datasetsByIds(workspaceId, versions.map((v) => v.datasetId), withDeleted))
          .map((d) => [d.id, d]),
      );
      const order = new Map(versionIds.map((id, i) => [id, i]));
      const found = versions.filter((v) => datasets.has(v.datasetId))
        .sort((a, b) => order.get(a.id)! - order.get(b.id)!)
        .map((v) => ({ version: v, dataset: datasets.get(v.datasetId)! }));
      return await withSchemas(found);
    },
    async versionOf(dataset, versionId) {
      const v = await repo.versionById(versionId);
      if (!v || v.datasetId !== dataset.id) throw notFound(versionId);
      return v;
    },
  };
}
