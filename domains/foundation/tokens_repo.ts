/** Queries on personal access tokens. */
import type { Kysely } from "kysely";
import type { Database } from "../../infra/db/mod.ts";
import type { FoundationTables, TokenRow } from "./_tables.ts";

/** A personal access token as stored (never its value, only its hash). */
export interface AccessToken {
  id: bigint;
  userId: bigint;
  name: string;
  tokenHash: string;
  status: "active" | "revoked";
  /** Unix seconds; 0 = never expires. */
  expireAt: number;
  /** Unix seconds; -1 = never used. */
  lastUsedAt: number;
  createdAt: number;
  updatedAt: number;
}

/** Data access for access tokens. */
export interface TokensRepo {
  insert(t: AccessToken): Promise<void>;
  byId(userId: bigint, id: bigint): Promise<AccessToken | undefined>;
  byHash(hash: string): Promise<AccessToken | undefined>;
  listActive(userId: bigint, limit: number, offset: number): Promise<AccessToken[]>;
  rename(userId: bigint, id: bigint, name: string, at: number): Promise<boolean>;
  revoke(userId: bigint, id: bigint, at: number): Promise<boolean>;
  touch(id: bigint, at: number): Promise<void>;
}

/** Creates the repository. */
export function createTokensRepo(db: Database): TokensRepo {
  const q = (): Kysely<FoundationTables> => db.session<FoundationTables>();
  return {
    async insert(t) {
      await q().insertInto("personal_access_tokens").values({
        id: t.id.toString(),
        user_id: t.userId.toString(),
        name: t.name,
        token_hash: t.tokenHash,
        status: t.status,
        expire_at: t.expireAt,
        last_used_at: t.lastUsedAt,
        created_at: t.createdAt,
        updated_at: t.updatedAt,
      }).execute();
    },
    async byId(userId, id) {
      const r = await q().selectFrom("personal_access_tokens").selectAll()
        .where("id", "=", id.toString()).where("user_id", "=", userId.toString())
        .where("status", "=", "active").executeTakeFirst();
      return r && toToken(r);
    },
    async byHash(hash) {
      const r = await q().selectFrom("personal_access_tokens").selectAll()
        .where("token_hash", "=", hash).executeTakeFirst();
      return r && toToken(r);
    },
    async listActive(userId, limit, offset) {
      const rows = await q().selectFrom("personal_access_tokens").selectAll()
        .where("user_id", "=", userId.toString()).where("status", "=", "active")
        .orderBy("id", "desc").limit(limit).offset(offset).execute();
      return rows.map(toToken);
    },
    async rename(userId, id, name, at) {
      const r = await q().updateTable("personal_access_tokens").set({ name, updated_at: at })
        .where("id", "=", id.toString()).where("user_id", "=", userId.toString())
        .where("status", "=", "active").executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async revoke(userId, id, at) {
      const r = await q().updateTable("personal_access_tokens")
        .set({ status: "revoked", updated_at: at })
        .where("id", "=", id.toString()).where("user_id", "=", userId.toString())
        .where("status", "=", "active").executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async touch(id, at) {
      await q().updateTable("personal_access_tokens").set({ last_used_at: at })
        .where("id", "=", id.toString()).execute();
    },
  };
}

function toToken(r: TokenRow): AccessToken {
  return {
    id: BigInt(r.id),
    userId: BigInt(r.user_id),
    name: r.name,
    tokenHash: r.token_hash,
    status: r.status as AccessToken["status"],
    expireAt: Number(r.expire_at),
    lastUsedAt: Number(r.last_used_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}
