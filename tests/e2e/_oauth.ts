/**
 * Test helpers for OAuth JWT apps: an app with a registered key pair, JWTs signed the way the
 * official SDKs sign them, and the token request they send.
 */
import assert from "node:assert/strict";
import { exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import type { ServerProcess } from "../_server.ts";
import { post, type TestUser } from "./_client.ts";

/** Where apps are managed. */
export const APPS = "/api/permission/oauth2/apps";
/** The token endpoint. */
export const TOKEN = "/api/permission/oauth2/token";
/** The SDKs' grant type. */
export const JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/** A key pair as a test holds it. */
export interface TestKey {
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
  publicPem: string;
  alg: "RS256" | "ES256";
}

/** An app with one registered key, as its owner sees it. */
export interface TestApp {
  id: string;
  clientId: string;
  keyId: string;
  key: TestKey;
}

/** A fresh key pair. */
export async function newKey(alg: "RS256" | "ES256" = "RS256"): Promise<TestKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, publicPem: await exportSPKI(publicKey), alg };
}

/** Creates an app for `owner` and registers a new key on it. */
export async function createApp(
  server: ServerProcess,
  owner: TestUser,
  body: Record<string, unknown> = {},
): Promise<TestApp> {
  const created = await post(server, APPS, { name: `app-${crypto.randomUUID()}`, ...body }, owner);
  assert.equal(created.body.code, 0, JSON.stringify(created.body));
  const key = await newKey();
  const added = await post(
    server,
    `${APPS}/${created.body.app.id}/public_keys`,
    { public_key: key.publicPem },
    owner,
  );
  assert.equal(added.body.code, 0, JSON.stringify(added.body));
  return {
    id: created.body.app.id,
    clientId: created.body.client_id,
    keyId: added.body.key_id,
    key,
  };
}

/** What the SDKs put in `aud`: the host[:port] of their base URL. */
export function audienceOf(server: ServerProcess): string {
  return new URL(server.url).host;
}

/**
 * A JWT as the SDKs sign it (header alg/typ/kid; iss, aud, iat, exp = iat + 3600, 32-hex
 * jti); `claims` overrides or (as undefined) removes claims.
 */
export async function sdkJwt(
  server: ServerProcess,
  app: { clientId: string; keyId: string; key: TestKey },
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jti = Array.from(crypto.getRandomValues(new Uint8Array(16)))
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  const payload: Record<string, unknown> = {
    iss: app.clientId,
    aud: audienceOf(server),
    iat: now,
    exp: now + 3600,
    jti,
    ...claims,
  };
  for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
  return await new SignJWT(payload as JWTPayload)
    .setProtectedHeader({ alg: app.key.alg, typ: "JWT", kid: app.keyId, ...header })
    .sign(app.key.privateKey);
}

/** The token request of the Python SDK (`body` replaces its JSON body). */
export async function exchange(
  server: ServerProcess,
  jwt: string | undefined,
  body: unknown = { duration_seconds: 900, grant_type: JWT_GRANT, scope: null },
  // deno-lint-ignore no-explicit-any
): Promise<{ status: number; body: any; res: Response }> {
  return await post(server, TOKEN, body, jwt === undefined ? {} : { token: jwt });
}

/** An SDK-style call: upload a small file into `spaceId` with `token`. */
export async function loopCall(
  server: ServerProcess,
  token: string | undefined,
  spaceId: string,
  // deno-lint-ignore no-explicit-any
): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append("workspace_id", spaceId);
  form.append("file", new Blob(["hello"]), `probe-${crypto.randomUUID()}.txt`);
  const res = await fetch(`${server.url}/v1/loop/files/upload`, {
    method: "POST",
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    body: form,
  });
  return { status: res.status, body: await res.json() };
}
