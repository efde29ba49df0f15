/**
 * The model service the routes use: the catalogue as a workspace member sees it. Every
 * workspace sees the same catalogue, but only its members may read it, like every other
 * workspace-scoped read.
 */
import type { Authz } from "../foundation/authz.ts";
import type { ModelCatalogue } from "./catalogue.ts";
import type { ListModelsQuery, Model, ModelPage } from "./types.ts";

/** Models, for members of a workspace. */
export interface ModelService {
  /** A page of the catalogue; the caller must be a member of `query.workspaceId`. */
  list(userId: bigint, query: ListModelsQuery & { workspaceId: bigint }): Promise<ModelPage>;
  /** One model; `llm resource not found` when the id is unknown. */
  get(userId: bigint, ids: { workspaceId: bigint; modelId: bigint }): Promise<Model>;
}

/** Creates the model service. */
export function createModelService(
  deps: { catalogue: ModelCatalogue; authz: Authz },
): ModelService {
  return {
    async list(userId, query) {
      await deps.authz.requireMember(userId, query.workspaceId);
      return deps.catalogue.list(query);
    },
    async get(userId, ids) {
      await deps.authz.requireMember(userId, ids.workspaceId);
      return deps.catalogue.get(ids.modelId, ids.workspaceId);
    },
  };
}
