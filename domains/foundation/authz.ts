/**
 * Workspace authorization, shared by every domain: a user may act on a workspace only as a
 * member of it. Memberships are cached in the process for a few seconds (every SDK call
 * asks) over a Redis cache of a minute; a change is broadcast so every process forgets it at
 * once. A missing workspace and a foreign one get the same answer so ids cannot be probed.
 * A request whose credential is limited to some workspaces (workspace_scope.ts) is a member
 * of no other.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../infra/db/mod.ts";
import type { Cache } from "../../infra/redis/cache.ts";
import type { Broadcast } from "../../infra/redis/broadcast.ts";
import { noPermission } from "../errors.ts";
import type { FoundationTables } from "./_tables.ts";
import type { SpaceRole } from "./types.ts";
import { inWorkspaceScope } from "./workspace_scope.ts";

const TTL_MS = 60_000;
const LOCAL_TTL_MS = 5_000;
const LOCAL_MAX = 50_000;
const CHANNEL = "membership_changed";

/** The authorization service. */
export interface Authz {
  /** The caller's role; throws `no permission` when not a member. */
  requireMember(userId: bigint, spaceId: bigint): Promise<SpaceRole>;
  /** The caller's role, or null when not a member. */
  roleOf(userId: bigint, spaceId: bigint): Promise<SpaceRole | null>;
  /**
   * The caller's role as this process knows it right now (null: not a member), or undefined
   * when only `roleOf` can tell. The synchronous fast path of hot SDK calls.
   */
  knownRole(userId: bigint, spaceId: bigint): SpaceRole | null | undefined;
  /** Forgets a cached membership (after it changes). */
  forget(userId: bigint, spaceId: bigint): Promise<void>;
}

/** Creates the authorization service. */
export function createAuthz(deps: { db: Database; cache: Cache; broadcast?: Broadcast }): Authz {
  const key = (u: bigint, s: bigint) => `member:${s}:${u}`;
  const local = new Map<string, { role: SpaceRole | null; until: number }>();
  deps.broadcast?.subscribe(CHANNEL, (k) => local.delete(k));
  const remember = (k: string, role: SpaceRole | null) => {
    if (local.size >= LOCAL_MAX) local.clear();
    local.set(k, { role, until: Date.now() + LOCAL_TTL_MS });
    return role;
  };
  const roleOf = async (userId: bigint, spaceId: bigint): Promise<SpaceRole | null> => {
    if (userId <= 0n || spaceId <= 0n || !inWorkspaceScope(spaceId)) return null;
    const k = key(userId, spaceId);
    const hit = local.get(k);
    if (hit && hit.until > Date.now()) return hit.role;
    const cached = await deps.cache.get<string>(k);
    if (cached !== undefined) return remember(k, cached === "none" ? null : cached as SpaceRole);
    const db: Kysely<FoundationTables> = deps.db.session<FoundationTables>();
    const row = await db.selectFrom("space_users").select("role")
      .where("space_id", "=", spaceId.toString()).where("user_id", "=", userId.toString())
      .executeTakeFirst();
    const role = (row?.role as SpaceRole | undefined) ?? null;
    await deps.cache.set(k, role ?? "none", { ttlMs: TTL_MS });
    return remember(k, role);
  };
  return {
    roleOf,
    knownRole(userId, spaceId) {
      if (!inWorkspaceScope(spaceId)) return null;
      const hit = local.get(key(userId, spaceId));
      return hit && hit.until > Date.now() ? hit.role : undefined;
    },
    async requireMember(userId, spaceId) {
      const role = await roleOf(userId, spaceId);
      if (!role) throw noPermission(`workspace ${spaceId}`);
      return role;
    },
    async forget(userId, spaceId) {
      const k = key(userId, spaceId);
      local.delete(k);
      await deps.cache.del(k);
      await deps.broadcast?.publish(CHANNEL, k);
    },
  };
}
