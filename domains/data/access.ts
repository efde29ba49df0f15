/**
 * Loading a dataset for a caller: membership of its workspace is checked here, in the domain,
 * for every dataset-scoped operation. A caller who names a workspace must be a member of it
 * (`no permission` otherwise) and the dataset must be in it; a dataset in a workspace the
 * caller is not a member of is "not found", so ids cannot be probed.
 */
import { AppError, Codes } from "../errors.ts";
import type { Authz } from "../foundation/authz.ts";
import type { DatasetRepo } from "./repo.ts";
import type { Dataset, DatasetWithSchema } from "./types.ts";

/** `dataset <id> not found`. */
export function datasetNotFound(id: bigint): AppError {
  return new AppError(Codes.dataNotFound, `dataset ${id} not found`);
}

/** How to load a dataset. */
export interface LoadOptions {
  /** The workspace the caller names (checked, and the dataset must be in it). */
  workspaceId?: bigint;
  withDeleted?: boolean;
  /** Lock the row until the transaction ends (writers of one dataset queue up). */
  forUpdate?: boolean;
}

/** Loads datasets for callers. */
export interface DatasetAccess {
  /** The dataset, after the membership check. */
  dataset(userId: bigint, id: bigint, o?: LoadOptions): Promise<Dataset>;
  /** The dataset with its current schema, after the membership check. */
  withSchema(userId: bigint, id: bigint, o?: LoadOptions): Promise<DatasetWithSchema>;
  /** The dataset with its current schema, for a trusted caller (a job), no user check. */
  trusted(id: bigint, o?: LoadOptions): Promise<DatasetWithSchema>;
}

/** Creates the loader. */
export function createDatasetAccess(deps: { repo: DatasetRepo; authz: Authz }): DatasetAccess {
  const { repo, authz } = deps;
  const dataset = async (userId: bigint, id: bigint, o: LoadOptions = {}) => {
    if (o.workspaceId !== undefined) await authz.requireMember(userId, o.workspaceId);
    const d = await repo.datasetById(id, o);
    if (!d || (o.workspaceId !== undefined && d.spaceId !== o.workspaceId)) {
      throw datasetNotFound(id);
    }
    if (o.workspaceId === undefined && !(await authz.roleOf(userId, d.spaceId))) {
      throw datasetNotFound(id);
    }
    return d;
  };
  const schemaOf = async (d: Dataset): Promise<DatasetWithSchema> => {
    const schema = (await repo.schemasByIds([d.schemaId])).get(d.schemaId);
    if (!schema) throw new Error(`dataset ${d.id} has no schema ${d.schemaId}`);
    return { dataset: d, schema };
  };
  return {
    dataset,
    async withSchema(userId, id, o) {
      return await schemaOf(await dataset(userId, id, o));
    },
    async trusted(id, o = {}) {
      const d = await repo.datasetById(id, o);
      if (!d) throw datasetNotFound(id);
      return await schemaOf(d);
    },
  };
}
