/** Queries on OAuth apps, their public keys, exchanged JWT ids and issued access tokens. */
import type { Kysely } from "kysely";
import type { Database } from "../../infra/db/mod.ts";
import type {
  OAuthAccessTokenRow,
  OAuthAppKeyRow,
  OAuthAppRow,
  OAuthTables,
} from "./_oauth_tables.ts";

/** Signature algorithms a registered public key can be used with. */
export type KeyAlgorithm = "RS256" | "ES256";

/** A public key registered on an app; `keyId` is the JWT header's `kid`. */
export interface OAuthPublicKey {
  keyId: string;
  algorithm: KeyAlgorithm;
  /** SPKI PEM. */
  publicKey: string;
  createdAt: number;
}

/** An OAuth app as stored. */
export interface OAuthApp {
  id: bigint;
  ownerUserId: bigint;
  name: string;
  description: string;
  clientId: string;
  /** Workspaces the app may act in; empty = every workspace of its owner at use time. */
  workspaceIds: bigint[];
  createdAt: number;
  updatedAt: number;
}

/** An access token issued to an app (its hash, never its value). */
export interface AppAccessToken {
  id: bigint;
  appId: bigint;
  userId: bigint;
  tokenHash: string;
  /** Unix seconds. */
  expireAt: number;
  createdAt: number;
}

/** Data access for OAuth apps. */
export interface OAuthAppsRepo {
  insertApp(app: OAuthApp): Promise<void>;
  /** The app if `ownerUserId` owns it. */
  appOf(ownerUserId: bigint, id: bigint): Promise<OAuthApp | undefined>;
  appById(id: bigint): Promise<OAuthApp | undefined>;
  appByClientId(clientId: string): Promise<OAuthApp | undefined>;
  listApps(ownerUserId: bigint, limit: number, offset: number): Promise<OAuthApp[]>;
  countApps(ownerUserId: bigint): Promise<number>;
  /** Deletes the app with its keys, JWT ids and tokens; false when not the owner's. */
  deleteApp(ownerUserId: bigint, id: bigint): Promise<boolean>;
  keysOf(appIds: bigint[]): Promise<Map<bigint, OAuthPublicKey[]>>;
  keyOf(appId: bigint, keyId: string): Promise<OAuthPublicKey | undefined>;
  /** Throws AlreadyExistsError when the app has this key already. */
  insertKey(appId: bigint, key: OAuthPublicKey): Promise<void>;
  deleteKey(appId: bigint, keyId: string): Promise<boolean>;
  /** Records a JWT id; throws AlreadyExistsError when it was recorded before. */
  recordJwtId(appId: bigint, jti: string, expireAt: number): Promise<void>;
  insertToken(t: AppAccessToken): Promise<void>;
  tokenByHash(hash: string): Promise<AppAccessToken | undefined>;
  /** Drops the app's JWT ids and tokens that expired before `now`. */
  purgeExpired(appId: bigint, now: number): Promise<void>;
}

/** Creates the repository. */
export function createOAuthAppsRepo(db: Database): OAuthAppsRepo {
  const q = (): Kysely<OAuthTables> => db.session<OAuthTables>();
  const app = () => q().selectFrom("oauth_apps").selectAll();
  return {
    async insertApp(a) {
      await q().insertInto("oauth_apps").values({
        id: a.id.toString(),
        owner_user_id: a.ownerUserId.toString(),
        name: a.name,
        description: a.description,
        client_id: a.clientId,
        workspace_ids: JSON.stringify(a.workspaceIds.map(String)),
        created_at: a.createdAt,
        updated_at: a.updatedAt,
      }).execute();
    },
    async appOf(ownerUserId, id) {
      const r = await app().where("id", "=", id.toString())
        .where("owner_user_id", "=", ownerUserId.toString()).executeTakeFirst();
      return r && toApp(r);
    },
    async appById(id) {
      const r = await app().where("id", "=", id.toString()).executeTakeFirst();
      return r && toApp(r);
    },
    async appByClientId(clientId) {
      const r = await app().where("client_id", "=", clientId).executeTakeFirst();
      return r && toApp(r);
    },
    async listApps(ownerUserId, limit, offset) {
      const rows = await app().where("owner_user_id", "=", ownerUserId.toString())
        .orderBy("id", "desc").limit(limit).offset(offset).execute();
      return rows.map(toApp);
    },
    async countApps(ownerUserId) {
      const r = await q().selectFrom("oauth_apps").select((eb) => eb.fn.countAll().as("n"))
        .where("owner_user_id", "=", ownerUserId.toString()).executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async deleteApp(ownerUserId, id) {
      const appId = id.toString();
      return await db.transaction(async () => {
        const r = await q().deleteFrom("oauth_apps").where("id", "=", appId)
          .where("owner_user_id", "=", ownerUserId.toString()).executeTakeFirst();
        if (Number(r.numDeletedRows) === 0) return false;
        await q().deleteFrom("oauth_app_keys").where("app_id", "=", appId).execute();
        await q().deleteFrom("oauth_jwt_ids").where("app_id", "=", appId).execute();
        await q().deleteFrom("oauth_access_tokens").where("app_id", "=", appId).execute();
        return true;
      });
    },
    async keysOf(appIds) {
      const out = new Map<bigint, OAuthPublicKey[]>(appIds.map((id) => [id, []]));
      if (appIds.length === 0) return out;
      const rows = await q().selectFrom("oauth_app_keys").selectAll()
        .where("app_id", "in", appIds.map(String)).orderBy("created_at").execute();
      for (const r of rows) out.get(BigInt(r.app_id))?.push(toKey(r));
      return out;
    },
    async keyOf(appId, keyId) {
      const r = await q().selectFrom("oauth_app_keys").selectAll()
        .where("app_id", "=", appId.toString()).where("key_id", "=", keyId).executeTakeFirst();
      return r && toKey(r);
    },
    async insertKey(appId, k) {
      await q().insertInto("oauth_app_keys").values({
        app_id: appId.toString(),
        key_id: k.keyId,
        algorithm: k.algorithm,
        public_key: k.publicKey,
        created_at: k.createdAt,
      }).execute();
    },
    async deleteKey(appId, keyId) {
      const r = await q().deleteFrom("oauth_app_keys").where("app_id", "=", appId.toString())
        .where("key_id", "=", keyId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async recordJwtId(appId, jti, expireAt) {
      await q().insertInto("oauth_jwt_ids")
        .values({ app_id: appId.toString(), jti, expire_at: expireAt }).execute();
    },
    async insertToken(t) {
      await q().insertInto("oauth_access_tokens").values({
        id: t.id.toString(),
        app_id: t.appId.toString(),
        user_id: t.userId.toString(),
        token_hash: t.tokenHash,
        expire_at: t.expireAt,
        created_at: t.createdAt,
      }).execute();
    },
    async tokenByHash(hash) {
      const r = await q().selectFrom("oauth_access_tokens").selectAll()
        .where("token_hash", "=", hash).executeTakeFirst();
      return r && toToken(r);
    },
    async purgeExpired(appId, now) {
      const id = appId.toString();
      await q().deleteFrom("oauth_jwt_ids").where("app_id", "=", id)
        .where("expire_at", "<", now).execute();
      await q().deleteFrom("oauth_access_tokens").where("app_id", "=", id)
        .where("expire_at", "<", now).execute();
    },
  };
}

function toApp(r: OAuthAppRow): OAuthApp {
  return {
    id: BigInt(r.id),
    ownerUserId: BigInt(r.owner_user_id),
    name: r.name,
    description: r.description,
    clientId: r.client_id,
    workspaceIds: (JSON.parse(r.workspace_ids || "[]") as string[]).map((s) => BigInt(s)),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function toKey(r: OAuthAppKeyRow): OAuthPublicKey {
  return {
    keyId: r.key_id,
    algorithm: r.algorithm as KeyAlgorithm,
    publicKey: r.public_key,
    createdAt: Number(r.created_at),
  };
}

function toToken(r: OAuthAccessTokenRow): AppAccessToken {
  return {
    id: BigInt(r.id),
    appId: BigInt(r.app_id),
    userId: BigInt(r.user_id),
    tokenHash: r.token_hash,
    expireAt: Number(r.expire_at),
    createdAt: Number(r.created_at),
  };
}
