/**
 * Workspace authorization, shared by every domain: a user may act on a workspace only as a
 * member of it. Memberships are cached briefly in Redis; a missing workspace and a foreign
 * one get the same answer so ids cannot be probed.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../infra/db/mod.ts";
import type { Cache } from "../../infra/redis/cache.ts";
import { noPermission } from "../errors.ts";
import type { FoundationTables } from "./_tables.ts";
import type { SpaceRole } from "./types.ts";

const TTL_MS = 60_000;

/** The authorization service. */
export interface Authz {
  /** The caller's role; throws `no permission` when not a member. */
  requireMember(userId: bigint, spaceId: bigint): Promise<SpaceRole>;
  /** The caller's role, or null when not a member. */
  roleOf(userId: bigint, spaceId: bigint): Promise<SpaceRole | null>;
  /** Forgets a cached membership (after it changes). */
  forget(userId: bigint, spaceId: bigint): Promise<void>;
}

/** Creates the authorization service. */
export function createAuthz(deps: { db: Database; cache: Cache }): Authz {
  const key = (u: bigint, s: bigint) => `member:${s}:${u}`;
  const roleOf = async (userId: bigint, spaceId: bigint): Promise<SpaceRole | null> => {
    if (userId <= 0n || spaceId <= 0n) return null;
    const cached = await deps.cache.get<string>(key(userId, spaceId));
    if (cached !== undefined) return cached === "none" ? null : cached as SpaceRole;
    const db: Kysely<FoundationTables> = deps.db.session<FoundationTables>();
    const row = await db.selectFrom("space_users").select("role")
      .where("space_id", "=", spaceId.toString()).where("user_id", "=", userId.toString())
      .executeTakeFirst();
    const role = (row?.role as SpaceRole | undefined) ?? null;
    await deps.cache.set(key(userId, spaceId), role ?? "none", { ttlMs: TTL_MS });
    return role;
  };
  return {
    roleOf,
    async requireMember(userId, spaceId) {
      const role = await roleOf(userId, spaceId);
      if (!role) throw noPermission(`workspace ${spaceId}`);
      return role;
    },
    async forget(userId, spaceId) {
      await deps.cache.del(key(userId, spaceId));
    },
  };
}
