/**
 * Test helpers for end-to-end tests over HTTP: a registered user with a session cookie and
 * a personal workspace, and personal access tokens.
 */
import assert from "node:assert/strict";
import type { ServerProcess } from "../_server.ts";

/** A registered user as a client sees it. */
export interface TestUser {
  email: string;
  password: string;
  /** `session_key=<token>`, ready for a Cookie header. */
  cookie: string;
  userId: string;
  /** The personal workspace. */
  spaceId: string;
}

/** The session cookie from a response's Set-Cookie headers, as `session_key=<value>`. */
export function sessionCookie(res: Response): string | undefined {
  for (const c of res.headers.getSetCookie()) {
    const m = /^session_key=([^;]*)/.exec(c);
    if (m && m[1]) return `session_key=${m[1]}`;
  }
  return undefined;
}

/** POSTs JSON (optionally with a cookie or bearer token) and returns status and parsed body. */
export async function post(
  server: ServerProcess,
  path: string,
  body: unknown,
  auth: { cookie?: string; token?: string } = {},
  method = "POST",
  // deno-lint-ignore no-explicit-any
): Promise<{ status: number; body: any; res: Response }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      ...(auth.cookie ? { cookie: auth.cookie } : {}),
      ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch { /* not JSON */ }
  return { status: res.status, body: parsed, res };
}

/** Registers a fresh user; returns its cookie, id and personal workspace. */
export async function registerUser(server: ServerProcess): Promise<TestUser> {
  const email = `u${crypto.randomUUID().slice(0, 12)}@example.com`;
  const password = "password-123";
  const r = await post(server, "/api/foundation/v1/users/register", { email, password });
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  const cookie = sessionCookie(r.res);
  assert.ok(cookie, "register sets the session cookie");
  const spaces = await post(server, "/api/foundation/v1/spaces/list", {}, { cookie });
  assert.equal(spaces.body.code, 0, JSON.stringify(spaces.body));
  return {
    email,
    password,
    cookie,
    userId: r.body.user_info.user_id,
    spaceId: spaces.body.spaces[0].id,
  };
}

/** Creates a personal access token for the user; returns its value. */
export async function createToken(
  server: ServerProcess,
  cookie: string,
  body: Record<string, unknown> = { name: "test", duration_day: "1" },
): Promise<string> {
  const r = await post(server, "/api/auth/v1/personal_access_tokens", body, { cookie });
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return r.body.token;
}
