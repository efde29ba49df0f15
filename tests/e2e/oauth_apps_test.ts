/**
 * OAuth JWT apps end to end: apps and keys over the web API, the SDKs' JWT bearer grant at
 * `/api/permission/oauth2/token` (accepted and refused JWTs, in the error shape the SDKs
 * read), the access token on `/v1/loop`, deletion stopping it in every process, workspace
 * scope, and isolation between users.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { type ServerProcess, startPeer, startServer } from "../_server.ts";
import { post, registerUser, type TestUser } from "./_client.ts";
import {
  APPS,
  createApp,
  exchange,
  JWT_GRANT,
  loopCall,
  newKey,
  sdkJwt,
  type TestApp,
} from "./_oauth.ts";

/** Exchanges a fresh SDK-style JWT of `app`; returns the access token. */
async function tokenOf(server: ServerProcess, app: TestApp): Promise<string> {
  const r = await exchange(server, await sdkJwt(server, app));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.access_token;
}

/** Asserts a refusal in the shape both SDKs read as an authentication error. */
function assertRefused(
  r: { status: number; body: Record<string, unknown>; res: Response },
  status: number,
  error: string,
  message: RegExp,
): void {
  const what = JSON.stringify(r.body);
  assert.equal(r.status, status, what);
  assert.equal(r.body.error, error, what);
  assert.equal(r.body.error_code, error, what);
  assert.match(String(r.body.error_message), message, what);
  assert.notEqual(r.body.code, 0, what);
  assert.ok(r.res.headers.get("x-tt-logid"), "x-tt-logid names the request");
}

Deno.test({
  name: "e2e oauth apps: JWT bearer grant and /v1/loop authentication",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const server = await startServer();
    try {
      const a = await registerUser(server);
      const app = await createApp(server, a);

      await t.step("the Python SDK's request gets a token /v1/loop accepts", async () => {
        const before = Math.floor(Date.now() / 1000);
        const r = await exchange(server, await sdkJwt(server, app));
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.match(r.body.access_token, /^oat_[A-Za-z0-9_-]{43}$/);
        assert.equal(r.body.token_type, "Bearer");
        assert.equal(typeof r.body.expires_in, "number", "a number: Go reads it as int64");
        assert.ok(r.body.expires_in >= before + 900 && r.body.expires_in <= before + 902);
        assert.equal(r.res.headers.get("cache-control"), "no-store");
        const ok = await loopCall(server, r.body.access_token, a.spaceId);
        assert.equal(ok.body.code, 0, JSON.stringify(ok.body));
        const web = await post(server, "/api/foundation/v1/spaces/list", {}, {
          token: r.body.access_token,
        });
        assert.equal(web.status, 401, "app tokens are for /v1/loop, not the web API");
      });

      await t.step("the Go SDK's request; ES256 keys; the TTL is capped at 86399 s", async () => {
        const before = Math.floor(Date.now() / 1000);
        const goBody = { client_id: app.clientId, grant_type: JWT_GRANT, duration_seconds: 600 };
        const r = await exchange(server, await sdkJwt(server, app, { exp: before + 600 }), goBody);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.ok(r.body.expires_in >= before + 600 && r.body.expires_in <= before + 602);
        const es = await newKey("ES256");
        const added = await post(server, `${APPS}/${app.id}/public_keys`, {
          public_key: es.publicPem.replaceAll("\n", "\\n"), // as pasted from an env variable
          algorithm: "ES256",
        }, a);
        assert.equal(added.body.code, 0, JSON.stringify(added.body));
        assert.equal(added.body.public_key.algorithm, "ES256");
        const esApp = { ...app, keyId: added.body.key_id, key: es };
        const long = await exchange(server, await sdkJwt(server, esApp), {
          grant_type: JWT_GRANT,
          duration_seconds: 7 * 86_400,
        });
        assert.equal(long.status, 200, JSON.stringify(long.body));
        assert.ok(long.body.expires_in <= Math.floor(Date.now() / 1000) + 86_399);
        assert.equal((await loopCall(server, long.body.access_token, a.spaceId)).body.code, 0);
      });

      await t.step("refused JWTs, in the error shape the SDKs read", async (st) => {
        const now = Math.floor(Date.now() / 1000);
        const stranger = { ...app, key: await newKey() };
        const cases: [string, Promise<string>, number, string, RegExp][] = [
          ["bad signature", sdkJwt(server, stranger), 401, "invalid_grant", /signature/],
          [
            "unknown iss",
            sdkJwt(server, app, { iss: "0".repeat(32) }),
            401,
            "invalid_client",
            /client id/,
          ],
          ["wrong aud", sdkJwt(server, app, { aud: "api.coze.cn" }), 401, "invalid_grant", /aud/],
          [
            "expired",
            sdkJwt(server, app, { iat: now - 7200, exp: now - 3600 }),
            401,
            "invalid_grant",
            /expired/,
          ],
          [
            "iat in the future",
            sdkJwt(server, app, { iat: now + 600, exp: now + 1200 }),
            401,
            "invalid_grant",
            /iat/,
          ],
          [
            "lifetime over a day",
            sdkJwt(server, app, { exp: now + 2 * 86_400 }),
            401,
            "invalid_grant",
            /lifetime/,
          ],
          ["no jti", sdkJwt(server, app, { jti: undefined }), 401, "invalid_grant", /jti/],
          ["no exp", sdkJwt(server, app, { exp: undefined }), 401, "invalid_grant", /exp/],
          [
            "unknown kid",
            sdkJwt(server, app, {}, { kid: "no-such-key" }),
            401,
            "invalid_grant",
            /kid/,
          ],
          ["not a JWT", Promise.resolve("not-a-jwt"), 401, "invalid_grant", /malformed/],
        ];
        for (const [what, jwt, status, error, message] of cases) {
          const r = await exchange(server, await jwt);
          await st.step(what, () => assertRefused(r, status, error, message));
        }
        const hs = await exchange(
          server,
          // An HMAC "signature" with the public key as the secret: the classic confusion.
          [
            btoa(JSON.stringify({ alg: "HS256", typ: "JWT", kid: app.keyId })),
            btoa(JSON.stringify({ iss: app.clientId })),
            "x",
          ].join(".").replaceAll("=", ""),
        );
        assertRefused(hs, 401, "invalid_grant", /alg/);
        assertRefused(await exchange(server, undefined), 400, "invalid_request", /missing JWT/);
        const refresh = await exchange(server, await sdkJwt(server, app), {
          grant_type: "refresh_token",
        });
        assertRefused(refresh, 400, "unsupported_grant_type", /not supported/);
        const mismatch = await exchange(server, await sdkJwt(server, app), {
          grant_type: JWT_GRANT,
          client_id: "someone-else",
        });
        assertRefused(mismatch, 401, "invalid_client", /iss/);
      });

      await t.step("a jti is accepted once", async () => {
        const jwt = await sdkJwt(server, app);
        assert.equal((await exchange(server, jwt)).status, 200);
        assertRefused(await exchange(server, jwt), 401, "invalid_grant", /jti already used/);
      });

      await t.step("workspaces: the owner's only, and the app's scope", async () => {
        const b = await registerUser(server);
        const token = await tokenOf(server, app);
        const foreign = await loopCall(server, token, b.spaceId);
        assert.equal(foreign.body.code, 602000101, "not a workspace of the owner");
        const scoped = await createApp(server, a, { workspace_ids: [a.spaceId] });
        const own = await post(server, `${APPS}/${scoped.id}`, undefined, a, "GET");
        assert.deepEqual(own.body.app.workspace_ids, [a.spaceId]);
        const st = await tokenOf(server, scoped);
        assert.equal((await loopCall(server, st, a.spaceId)).body.code, 0);
        assert.equal((await loopCall(server, st, b.spaceId)).body.code, 602000101);
        const outside = await post(server, APPS, { name: "x", workspace_ids: [b.spaceId] }, a);
        assert.equal(outside.body.code, 602000101, "an app can name only its owner's workspaces");
      });

      await t.step("keys: duplicates, removal, and keys that are refused", async () => {
        const again = await post(server, `${APPS}/${app.id}/public_keys`, {
          public_key: app.key.publicPem,
        }, a);
        assert.equal(again.body.code, 602000204, JSON.stringify(again.body));
        const weak = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey
          .export({ format: "pem", type: "spki" }) as string;
        for (const bad of ["not a key", weak]) {
          const r = await post(server, `${APPS}/${app.id}/public_keys`, { public_key: bad }, a);
          assert.equal(r.body.code, 602000202, JSON.stringify(r.body));
        }
        const second = await createApp(server, a);
        const jwt = await sdkJwt(server, second);
        const del = await post(
          server,
          `${APPS}/${second.id}/public_keys/${encodeURIComponent(second.keyId)}`,
          undefined,
          a,
          "DELETE",
        );
        assert.equal(del.body.code, 0, JSON.stringify(del.body));
        assertRefused(await exchange(server, jwt), 401, "invalid_grant", /kid/);
      });

      await t.step("another user cannot see, change or delete my app", async () => {
        const b = await registerUser(server);
        const token = await tokenOf(server, app);
        const list = await post(server, `${APPS}/list`, {}, b);
        assert.equal(list.body.code, 0);
        assert.deepEqual(list.body.apps, []);
        const mine = await post(server, `${APPS}/list`, { page_size: 50 }, a);
        assert.ok(mine.body.apps.some((x: { id: string }) => x.id === app.id));
        assert.ok(!JSON.stringify(mine.body).includes("PRIVATE"), "no private key anywhere");
        for (
          const [path, method, body] of [
            [`${APPS}/${app.id}`, "GET", undefined],
            [`${APPS}/${app.id}`, "DELETE", undefined],
            [`${APPS}/${app.id}/public_keys`, "POST", { public_key: (await newKey()).publicPem }],
            [`${APPS}/${app.id}/public_keys/${app.keyId}`, "DELETE", undefined],
          ] as const
        ) {
          const r = await post(server, path, body, b, method);
          assert.equal(r.body.code, 602000205, `${method} ${path}: ${JSON.stringify(r.body)}`);
        }
        assert.equal((await loopCall(server, token, a.spaceId)).body.code, 0, "still valid");
        const anonymous = await post(server, `${APPS}/list`, {});
        assert.equal(anonymous.status, 401);
      });

      await t.step("deleting the app stops its tokens at once", async () => {
        const doomed = await createApp(server, a);
        const token = await tokenOf(server, doomed);
        assert.equal((await loopCall(server, token, a.spaceId)).body.code, 0);
        const del = await post(server, `${APPS}/${doomed.id}`, undefined, a, "DELETE");
        assert.equal(del.body.code, 0);
        const after = await loopCall(server, token, a.spaceId);
        assert.equal(after.status, 401);
        assert.equal(after.body.code, 602000103);
        assertRefused(
          await exchange(server, await sdkJwt(server, doomed)),
          401,
          "invalid_client",
          /client id/,
        );
        const gone = await post(server, `${APPS}/${doomed.id}`, undefined, a, "GET");
        assert.equal(gone.body.code, 602000205);
      });
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "e2e oauth apps: deleting an app reaches every server process at once",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const one = await startServer();
    const two = await startPeer(one);
    try {
      const a: TestUser = await registerUser(one);
      const app = await createApp(one, a);
      // The other process issues the token and has verified (and cached) it.
      const token = await tokenOf(two, app);
      assert.equal((await loopCall(two, token, a.spaceId)).body.code, 0);
      assert.equal((await loopCall(one, token, a.spaceId)).body.code, 0);
      const deletedAt = Date.now();
      assert.equal((await post(one, `${APPS}/${app.id}`, undefined, a, "DELETE")).body.code, 0);
      let status = 0;
      while (Date.now() - deletedAt < 3_000 && status !== 401) {
        status = (await loopCall(two, token, a.spaceId)).status;
      }
      assert.equal(status, 401, "refused by the other process well before its 5 s cache expires");
    } finally {
      await one.stop();
      await two.stop();
    }
  },
});
