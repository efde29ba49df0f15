/**
 * What an OAuth app's access token may do, at the domain level over the embedded database
 * (no route adds or removes workspace members, so this is where both are reachable): an app
 * scoped to one of its owner's two workspaces acts in that one only, removing the owner from
 * a workspace stops the app there at once, and tokens end with their expiry or their app.
 */
import assert from "node:assert/strict";
import type { Kysely } from "kysely";
import { exportSPKI, generateKeyPair, SignJWT } from "jose";
import { createSqliteDatabase } from "../../infra/db/sqlite.ts";
import { DB_MIGRATIONS } from "../../infra/db/migrations.ts";
import { DOMAIN_MIGRATIONS } from "../../domains/migrations.ts";
import { createMemoryCache } from "../../infra/memory/cache.ts";
import { createMemoryBroadcast } from "../../infra/memory/broadcast.ts";
import { createLocalIdGenerator } from "../../infra/idgen/local.ts";
import { AppError, Codes } from "../../domains/errors.ts";
import { createAuthz } from "../../domains/foundation/authz.ts";
import { createOAuthAppService } from "../../domains/foundation/oauth_apps.ts";
import { withWorkspaceScope } from "../../domains/foundation/workspace_scope.ts";
import type { FoundationTables } from "../../domains/foundation/_tables.ts";

const OWNER = 11n;
const HOME = 101n;
const TEAM = 202n;
const AUD = "loop.test:8888";

Deno.test("oauth grants: workspace scope, owner removal, expiry and deletion", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "coze_oauth_grants_" });
  const db = createSqliteDatabase({ path: `${dir}/loop.db` });
  try {
    await db.migrate({ ...DB_MIGRATIONS, ...DOMAIN_MIGRATIONS });
    const q: Kysely<FoundationTables> = db.session<FoundationTables>();
    for (const space of [HOME, TEAM]) {
      await q.insertInto("space_users").values({
        space_id: space.toString(),
        user_id: OWNER.toString(),
        role: "owner",
        created_at: new Date(),
      }).execute();
    }
    const cache = createMemoryCache();
    const broadcast = createMemoryBroadcast();
    const authz = createAuthz({ db, cache, broadcast });
    let clock = Math.floor(Date.now() / 1000);
    const apps = createOAuthAppService({
      db,
      ids: createLocalIdGenerator({ serverId: 78 }),
      cache,
      authz,
      broadcast,
      nowSeconds: () => clock,
    });
    const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
    const pem = await exportSPKI(publicKey);

    /** A new app of OWNER (scoped to `spaces`) and an access token of it. */
    const appWithToken = async (spaces: bigint[], ttl?: number) => {
      const app = await apps.create(OWNER, { name: "svc", workspaceIds: spaces });
      const key = await apps.addKey(OWNER, app.id, { publicKey: pem });
      const jwt = await new SignJWT({ jti: crypto.randomUUID() })
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: key.keyId })
        .setIssuer(app.clientId).setAudience(AUD).setIssuedAt(clock).setExpirationTime(clock + 600)
        .sign(privateKey);
      const { accessToken } = await apps.exchange(jwt, { audiences: [AUD], durationSeconds: ttl });
      return { app, token: accessToken };
    };
    /** Whether the token's caller may act in `space`, as every domain asks. */
    const allowed = async (token: string, space: bigint) => {
      const grant = await apps.verify(token);
      assert.ok(grant, "token valid");
      assert.equal(grant.userId, OWNER, "an app acts as its owner");
      const check = () => authz.requireMember(grant.userId, space);
      return await (grant.workspaceIds.length
        ? withWorkspaceScope(grant.workspaceIds, check)
        : check())
        .then(() => true, (err) => {
          assert.ok(err instanceof AppError && err.code === Codes.noPermission, String(err));
          return false;
        });
    };

    await t.step("a scoped app acts in its workspaces only", async () => {
      const { token } = await appWithToken([HOME]);
      assert.equal(await allowed(token, HOME), true);
      assert.equal(await allowed(token, TEAM), false);
      await withWorkspaceScope([HOME], () => {
        assert.equal(authz.knownRole(OWNER, TEAM), null, "the synchronous check agrees");
      });
      assert.equal(await authz.roleOf(OWNER, TEAM), "owner", "outside the scope: unchanged");
    });

    await t.step("removing the owner from a workspace stops the app there at once", async () => {
      const { token } = await appWithToken([]);
      assert.equal(await allowed(token, TEAM), true);
      await q.deleteFrom("space_users").where("space_id", "=", TEAM.toString())
        .where("user_id", "=", OWNER.toString()).execute();
      await authz.forget(OWNER, TEAM); // what a membership change must do
      assert.equal(await allowed(token, TEAM), false);
      assert.equal(await allowed(token, HOME), true);
    });

    await t.step("a token ends at its expiry, and with its app", async () => {
      const { app, token } = await appWithToken([], 120);
      assert.ok(await apps.verify(token));
      clock += 121;
      assert.equal(await apps.verify(token), null, "expired");
      clock -= 121;
      const other = await appWithToken([]);
      await apps.remove(OWNER, other.app.id);
      assert.equal(await apps.verify(other.token), null, "app deleted");
      await apps.remove(OWNER, app.id);
    });
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
});
