/**
 * Access tokens issued to OAuth apps: random values shown once, stored as SHA-256 hashes,
 * valid for minutes to a day. Checked on every SDK call like personal access tokens: the
 * token's record is cached in Redis, and it and its app's state for a few seconds in the
 * process. Deleting an app is broadcast, so every process refuses its tokens at once.
 */
import type { IdGenerator } from "../../infra/idgen/mod.ts";
import type { Cache } from "../../infra/redis/cache.ts";
import type { Broadcast } from "../../infra/redis/broadcast.ts";
import { hashToken } from "./tokens.ts";
import type { OAuthApp, OAuthAppsRepo } from "./oauth_apps_repo.ts";

/** Prefix of app access tokens (personal ones start with `pat_`). */
export const APP_TOKEN_PREFIX = "oat_";
/** Lifetime of an access token when the request names none (the SDKs' default). */
export const DEFAULT_TOKEN_TTL_S = 900;
/** Longest lifetime of an access token (the SDKs document 86399 s). */
export const MAX_TOKEN_TTL_S = 86_399;

const CACHE_TTL_MS = 5 * 60_000;
// Bounds staleness if a broadcast is missed, as for personal access tokens.
const LOCAL_TTL_MS = 5_000;
const LOCAL_MAX = 10_000;
const DELETED_CHANNEL = "oauth_app_deleted";

/** Who an app access token acts as, and where. */
export interface AppGrant {
  /** The app's owner. */
  userId: bigint;
  appId: bigint;
  /** Workspaces the token may act in; empty = every workspace of the owner. */
  workspaceIds: bigint[];
}

/** Issues and checks app access tokens. */
export interface AppTokens {
  issue(app: OAuthApp, ttlSeconds?: number): Promise<{ token: string; expireAt: number }>;
  /** The grant of a token, or null when unknown, expired, or its app deleted. */
  verify(token: string): Promise<AppGrant | null>;
  /** Makes every token of a deleted app fail at once, in every process. */
  forgetApp(appId: bigint): Promise<void>;
}

interface CachedToken {
  appId: string;
  userId: string;
  expireAt: number;
}

type CachedApp = { deleted: true } | { deleted: false; workspaceIds: string[] };

/** Creates the token issuer. */
export function createAppTokens(deps: {
  repo: OAuthAppsRepo;
  ids: IdGenerator;
  cache: Cache;
  broadcast?: Broadcast;
  now: () => number;
}): AppTokens {
  const { repo, cache } = deps;
  const tokens = new Map<string, { value: CachedToken; until: number }>();
  const apps = new Map<string, { value: CachedApp; until: number }>();
  deps.broadcast?.subscribe(DELETED_CHANNEL, (id) => apps.delete(id));
  const remember = <T>(m: Map<string, { value: T; until: number }>, k: string, value: T) => {
    if (m.size >= LOCAL_MAX) m.clear();
    m.set(k, { value, until: Date.now() + LOCAL_TTL_MS });
    return value;
  };

  const tokenRecord = async (hash: string): Promise<CachedToken | null> => {
    const hit = tokens.get(hash);
    if (hit && hit.until > Date.now()) return hit.value;
    let t = await cache.get<CachedToken>(`oat:${hash}`);
    if (!t) {
      const row = await repo.tokenByHash(hash);
      if (!row) return null;
      t = { appId: row.appId.toString(), userId: row.userId.toString(), expireAt: row.expireAt };
      const left = (row.expireAt - deps.now()) * 1000;
      if (left > 0) await cache.set(`oat:${hash}`, t, { ttlMs: Math.min(CACHE_TTL_MS, left) });
    }
    return remember(tokens, hash, t);
  };

  // The app's state is read from the database (a primary-key lookup per app and process every
  // few seconds) rather than cached in Redis, so a deletion racing with a lookup can leave a
  // process wrong for seconds at most.
  const appState = async (id: string): Promise<CachedApp> => {
    const hit = apps.get(id);
    if (hit && hit.until > Date.now()) return hit.value;
    const app = await repo.appById(BigInt(id));
    return remember(
      apps,
      id,
      app ? { deleted: false, workspaceIds: app.workspaceIds.map(String) } : { deleted: true },
    );
  };

  return {
    async issue(app, ttlSeconds) {
      const ttl = Math.min(ttlSeconds || DEFAULT_TOKEN_TTL_S, MAX_TOKEN_TTL_S);
      const at = deps.now();
      const token = APP_TOKEN_PREFIX +
        Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
      const expireAt = at + ttl;
      await repo.insertToken({
        id: await deps.ids.genId(),
        appId: app.id,
        userId: app.ownerUserId,
        tokenHash: hashToken(token),
        expireAt,
        createdAt: at,
      });
      return { token, expireAt };
    },
    async verify(token) {
      if (!token.startsWith(APP_TOKEN_PREFIX) || token.length > 128) return null;
      const t = await tokenRecord(hashToken(token));
      if (!t || t.expireAt <= deps.now()) return null;
      const app = await appState(t.appId);
      if (app.deleted) return null;
      return {
        userId: BigInt(t.userId),
        appId: BigInt(t.appId),
        workspaceIds: app.workspaceIds.map((s) => BigInt(s)),
      };
    },
    async forgetApp(appId) {
      apps.delete(appId.toString());
      await deps.broadcast?.publish(DELETED_CHANNEL, appId.toString());
    },
  };
}
