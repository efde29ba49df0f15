/**
 * OAuth apps: a user's service identities for the SDKs' JWT flow (oauth_jwt.ts has the wire
 * facts). An app has a public client id, public keys (the private halves never reach the
 * server) and a scope: the workspaces it may act in, all of its owner's when none are named.
 * Its access tokens act as its owner, so removing the owner from a workspace (authz.ts,
 * checked on every call) or deleting the app stops them at once.
 */
import type { Database } from "../../infra/db/mod.ts";
import type { IdGenerator } from "../../infra/idgen/mod.ts";
import type { Cache } from "../../infra/redis/cache.ts";
import type { Broadcast } from "../../infra/redis/broadcast.ts";
import type { Logger } from "../../infra/log.ts";
import { AlreadyExistsError } from "../../infra/errors.ts";
import { AppError, Codes, invalidParam, notFound } from "../errors.ts";
import type { Authz } from "./authz.ts";
import {
  createOAuthAppsRepo,
  type KeyAlgorithm,
  type OAuthApp,
  type OAuthPublicKey,
} from "./oauth_apps_repo.ts";
import {
  CLOCK_SKEW_S,
  OAuthError,
  parsePublicKey,
  peekAssertion,
  verifyAssertion,
} from "./oauth_jwt.ts";
import { type AppGrant, createAppTokens } from "./oauth_access.ts";

export type { KeyAlgorithm, OAuthApp, OAuthPublicKey } from "./oauth_apps_repo.ts";
export type { AppGrant } from "./oauth_access.ts";

/** Apps a user may own. */
export const MAX_APPS_PER_USER = 50;
/** Public keys an app may have (several allow rotating one). */
export const MAX_KEYS_PER_APP = 10;
/** Workspaces an app's scope may name. */
export const MAX_SCOPE_WORKSPACES = 100;

/** An app with its public keys. */
export interface OAuthAppView extends OAuthApp {
  publicKeys: OAuthPublicKey[];
}

/** The OAuth app service. */
export interface OAuthAppService {
  /** Creates an app; every workspace of its scope must be one of the owner's. */
  create(userId: bigint, input: {
    name: string;
    description?: string;
    workspaceIds?: bigint[];
  }): Promise<OAuthAppView>;
  list(userId: bigint, page: { pageSize?: number; pageNumber?: number }): Promise<{
    apps: OAuthAppView[];
    total: number;
  }>;
  get(userId: bigint, id: bigint): Promise<OAuthAppView>;
  /** Deletes the app; its access tokens stop working at once. */
  remove(userId: bigint, id: bigint): Promise<void>;
  /** Registers a PEM public key; its id is the `kid` the app's JWTs must name. */
  addKey(
    userId: bigint,
    appId: bigint,
    input: { publicKey: string; algorithm?: KeyAlgorithm },
  ): Promise<OAuthPublicKey>;
  /** Removes a public key (tokens issued with it stay valid until they expire). */
  removeKey(userId: bigint, appId: bigint, keyId: string): Promise<void>;
  /**
   * The JWT bearer grant: checks `jwt` and issues an access token (throws OAuthError).
   * `audiences` are the hosts the request reached this server by.
   */
  exchange(jwt: string, input: {
    audiences: string[];
    durationSeconds?: number;
    clientId?: string;
  }): Promise<{ accessToken: string; expireAt: number }>;
  /** The grant of an app access token, or null when unknown, expired or its app deleted. */
  verify(token: string): Promise<AppGrant | null>;
}

/** Creates the OAuth app service. */
export function createOAuthAppService(deps: {
  db: Database;
  ids: IdGenerator;
  cache: Cache;
  authz: Authz;
  broadcast?: Broadcast;
  logger?: Logger;
  nowSeconds?: () => number;
}): OAuthAppService {
  const repo = createOAuthAppsRepo(deps.db);
  const now = deps.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const tokens = createAppTokens({ ...deps, repo, now });

  const withKeys = async (apps: OAuthApp[]): Promise<OAuthAppView[]> => {
    const keys = await repo.keysOf(apps.map((a) => a.id));
    return apps.map((a) => ({ ...a, publicKeys: keys.get(a.id) ?? [] }));
  };
  const own = async (userId: bigint, id: bigint): Promise<OAuthApp> => {
    const app = await repo.appOf(userId, id);
    if (!app) throw notFound(`OAuth app ${id}`);
    return app;
  };

  return {
    async create(userId, input) {
      const name = input.name.trim();
      if (!name || name.length > 128) throw invalidParam("name", "must be 1 to 128 characters");
      const description = (input.description ?? "").trim();
      if (description.length > 1024) throw invalidParam("description", "at most 1024 characters");
      const workspaceIds = [...new Set(input.workspaceIds ?? [])];
      if (workspaceIds.length > MAX_SCOPE_WORKSPACES) {
        throw invalidParam("workspace_ids", `at most ${MAX_SCOPE_WORKSPACES}`);
      }
      for (const space of workspaceIds) await deps.authz.requireMember(userId, space);
      if (await repo.countApps(userId) >= MAX_APPS_PER_USER) {
        throw new AppError(
          Codes.bizInvalid,
          `Cannot create OAuth app "${name}": you have ` +
            `${MAX_APPS_PER_USER} apps already, delete one first`,
        );
      }
      const at = now();
      const app: OAuthApp = {
        id: await deps.ids.genId(),
        ownerUserId: userId,
        name,
        description,
        clientId: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("hex"),
        workspaceIds,
        createdAt: at,
        updatedAt: at,
      };
      await repo.insertApp(app);
      return { ...app, publicKeys: [] };
    },
    async list(userId, page) {
      const size = page.pageSize ?? 20;
      const [apps, total] = await Promise.all([
        repo.listApps(userId, size, ((page.pageNumber ?? 1) - 1) * size),
        repo.countApps(userId),
      ]);
      return { apps: await withKeys(apps), total };
    },
    async get(userId, id) {
      return (await withKeys([await own(userId, id)]))[0];
    },
    async remove(userId, id) {
      if (!(await repo.deleteApp(userId, id))) throw notFound(`OAuth app ${id}`);
      await tokens.forgetApp(id);
      deps.logger?.info("deleted OAuth app", { app_id: id, user_id: userId });
    },
    async addKey(userId, appId, input) {
      const app = await own(userId, appId);
      const parsed = await parsePublicKey(input.publicKey, input.algorithm);
      const count = (await repo.keysOf([app.id])).get(app.id)?.length ?? 0;
      if (count >= MAX_KEYS_PER_APP) {
        throw new AppError(
          Codes.bizInvalid,
          `Cannot add a public key: the app has ` +
            `${MAX_KEYS_PER_APP} already, remove one first`,
        );
      }
      const key = { ...parsed, createdAt: now() };
      try {
        await repo.insertKey(app.id, key);
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
        throw new AppError(
          Codes.resourceDuplicated,
          `Cannot add the public key: the app has it already (key id ${key.keyId})`,
        );
      }
      return key;
    },
    async removeKey(userId, appId, keyId) {
      const app = await own(userId, appId);
      if (!(await repo.deleteKey(app.id, keyId))) throw notFound(`public key ${keyId}`);
    },
    async exchange(jwt, input) {
      const { clientId, keyId } = peekAssertion(jwt);
      if (input.clientId && input.clientId !== clientId) {
        throw new OAuthError("invalid_client", "client_id does not match the JWT's iss");
      }
      const app = await repo.appByClientId(clientId);
      if (!app) throw new OAuthError("invalid_client", `unknown client id ${clip(clientId)}`);
      const key = await repo.keyOf(app.id, keyId);
      if (!key) {
        throw new OAuthError(
          "invalid_grant",
          `unknown public key id (kid) ${clip(keyId)}: register the key on the app first`,
        );
      }
      const at = now();
      const { jti, exp } = await verifyAssertion(jwt, {
        clientId,
        key,
        audiences: input.audiences,
        now: at,
      });
      try {
        // Kept until the JWT can no longer pass the expiry check, which allows for skew.
        await repo.recordJwtId(app.id, jti, exp + CLOCK_SKEW_S);
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
        throw new OAuthError("invalid_grant", "JWT jti already used: sign a new JWT per request");
      }
      await repo.purgeExpired(app.id, at);
      const issued = await tokens.issue(app, input.durationSeconds);
      deps.logger?.info("issued OAuth access token", {
        app_id: app.id,
        user_id: app.ownerUserId,
        expire_at: issued.expireAt,
      });
      return { accessToken: issued.token, expireAt: issued.expireAt };
    },
    verify: (token) => tokens.verify(token),
  };
}

// Client-supplied identifiers in messages stay short.
function clip(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}...` : s;
}
