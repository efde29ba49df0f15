/** Workspaces as their members see them: the list of one's workspaces and a single one. */
import { noPermission } from "../errors.ts";
import type { Authz } from "./authz.ts";
import type { Database } from "../../infra/db/mod.ts";
import { createUsersRepo } from "./users_repo.ts";
import type { Space } from "./types.ts";

/** The workspace service. */
export interface WorkspaceService {
  list(userId: bigint, page: { pageSize?: number; pageNumber?: number }): Promise<{
    spaces: Space[];
    total: number;
  }>;
  get(userId: bigint, spaceId: bigint): Promise<Space>;
}

/** Creates the workspace service. */
export function createWorkspaceService(deps: { db: Database; authz: Authz }): WorkspaceService {
  const repo = createUsersRepo(deps.db);
  return {
    async list(userId, page) {
      const size = page.pageSize ?? 20;
      const number = page.pageNumber ?? 1;
      const [spaces, total] = await Promise.all([
        repo.spacesOfUser(userId, size, (number - 1) * size),
        repo.countSpacesOfUser(userId),
      ]);
      return { spaces, total };
    },
    async get(userId, spaceId) {
      await deps.authz.requireMember(userId, spaceId);
      const space = await repo.spaceById(spaceId);
      if (!space) throw noPermission(`workspace ${spaceId}`);
      return space;
    },
  };
}
