/** Queries on users, workspaces and memberships. */
import type { Kysely } from "kysely";
import type { Database } from "../../infra/db/mod.ts";
import type { FoundationTables, SpaceRow, UserRow } from "./_tables.ts";
import type { Space, SpaceRole, User } from "./types.ts";

/** Data access for accounts and workspaces. */
export interface UsersRepo {
  insertUser(u: User & { passwordHash: string }): Promise<void>;
  insertSpace(s: Space): Promise<void>;
  insertMember(spaceId: bigint, userId: bigint, role: SpaceRole, at: Date): Promise<void>;
  userById(id: bigint): Promise<User | undefined>;
  userWithHashByEmail(email: string): Promise<(User & { passwordHash: string }) | undefined>;
  updateUser(
    id: bigint,
    patch: Partial<Pick<User, "name" | "nickName" | "description" | "avatarUri">> & {
      passwordHash?: string;
    },
    at: Date,
  ): Promise<void>;
  spacesOfUser(userId: bigint, limit: number, offset: number): Promise<Space[]>;
  countSpacesOfUser(userId: bigint): Promise<number>;
  spaceById(id: bigint): Promise<Space | undefined>;
}

/** Creates the repository on the ambient session (joins the caller's transaction). */
export function createUsersRepo(db: Database): UsersRepo {
  const q = (): Kysely<FoundationTables> => db.session<FoundationTables>();
  return {
    async insertUser(u) {
      await q().insertInto("users").values({
        id: u.id.toString(),
        name: u.name,
        nick_name: u.nickName,
        email: u.email,
        password_hash: u.passwordHash,
        description: u.description,
        avatar_uri: u.avatarUri,
        status: u.status,
        created_at: u.createdAt,
        updated_at: u.updatedAt,
      }).execute();
    },
    async insertSpace(s) {
      await q().insertInto("spaces").values({
        id: s.id.toString(),
        name: s.name,
        description: s.description,
        space_type: s.spaceType,
        owner_user_id: s.ownerUserId.toString(),
        created_at: s.createdAt,
        updated_at: s.updatedAt,
      }).execute();
    },
    async insertMember(spaceId, userId, role, at) {
      await q().insertInto("space_users").values({
        space_id: spaceId.toString(),
        user_id: userId.toString(),
        role,
        created_at: at,
      }).execute();
    },
    async userById(id) {
      const r = await q().selectFrom("users").selectAll().where("id", "=", id.toString())
        .executeTakeFirst();
      return r && toUser(r);
    },
    async userWithHashByEmail(email) {
      const r = await q().selectFrom("users").selectAll().where("email", "=", email)
        .executeTakeFirst();
      return r && { ...toUser(r), passwordHash: r.password_hash };
    },
    async updateUser(id, patch, at) {
      const values: Partial<UserRow> = { updated_at: at };
      if (patch.name !== undefined) values.name = patch.name;
      if (patch.nickName !== undefined) values.nick_name = patch.nickName;
      if (patch.description !== undefined) values.description = patch.description;
      if (patch.avatarUri !== undefined) values.avatar_uri = patch.avatarUri;
      if (patch.passwordHash !== undefined) values.password_hash = patch.passwordHash;
      await q().updateTable("users").set(values).where("id", "=", id.toString()).execute();
    },
    async spacesOfUser(userId, limit, offset) {
      const rows = await q().selectFrom("spaces")
        .innerJoin("space_users", "space_users.space_id", "spaces.id")
        .selectAll("spaces")
        .where("space_users.user_id", "=", userId.toString())
        .orderBy("spaces.space_type", "asc").orderBy("spaces.id", "asc")
        .limit(limit).offset(offset).execute();
      return rows.map(toSpace);
    },
    async countSpacesOfUser(userId) {
      const r = await q().selectFrom("space_users")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where("user_id", "=", userId.toString()).executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async spaceById(id) {
      const r = await q().selectFrom("spaces").selectAll().where("id", "=", id.toString())
        .executeTakeFirst();
      return r && toSpace(r);
    },
  };
}

function toUser(r: UserRow): User {
  return {
    id: BigInt(r.id),
    name: r.name,
    nickName: r.nick_name,
    email: r.email,
    description: r.description,
    avatarUri: r.avatar_uri,
    status: r.status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toSpace(r: SpaceRow): Space {
  return {
    id: BigInt(r.id),
    name: r.name,
    description: r.description,
    spaceType: Number(r.space_type),
    ownerUserId: BigInt(r.owner_user_id),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
