/** `/api/foundation/v1/users/*`: register, login, logout, password reset, session, profile. */
import { z } from "@hono/zod-openapi";
import { getConnInfo } from "hono/deno";
import type { Context } from "hono";
import type { AccountService } from "../../domains/foundation/accounts.ts";
import { clearSessionCookie, setSessionCookie } from "../_auth.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, int64, routeGroup } from "../_wire/routes.ts";
import { userInfoOut } from "./_schemas_foundation.ts";
import { jsonBody } from "../_wire/schemas.ts";
import { userInfo } from "../_wire/convert.ts";
import type { RouteApp } from "../_env.ts";

const tags = ["foundation: users"];
const base = "/api/foundation/v1/users";
const credentials = z.object({
  email: z.string().trim().email().max(255),
  password: z.string().min(1).max(128),
}).strict();

/** Paths reachable without a session. */
export const PUBLIC_USER_PATHS = [`${base}/register`, `${base}/login_by_password`];

const signedInFields = {
  user_info: userInfoOut,
  expire_time: int64.openapi({ description: "when the session expires, epoch seconds" }),
};

const register = apiRoute(
  {
    method: "post",
    path: `${base}/register`,
    tags,
    summary: "Create an account, its personal workspace and a session (session_key cookie)",
    request: {
      body: jsonBody(credentials.extend({
        // The domain checks the length (its message names the rule).
        password: credentials.shape.password.openapi({ minLength: 8 }),
      })),
    },
  },
  signedInFields,
  { public: true, statuses: [429] },
);
const login = apiRoute(
  {
    method: "post",
    path: `${base}/login_by_password`,
    tags,
    summary: "Log in; sets the session_key cookie",
    request: { body: jsonBody(credentials) },
  },
  signedInFields,
  { public: true, statuses: [429] },
);
const logout = apiRoute({
  method: "post",
  path: `${base}/logout`,
  tags,
  summary: "End this session, server-side",
});
const resetPassword = apiRoute({
  method: "post",
  path: `${base}/reset_password`,
  tags,
  summary: "Set a new password for the signed-in account; ends all its sessions",
  request: {
    body: jsonBody(
      z.object({
        email: z.string().trim().email().max(255),
        password: z.string().min(1).max(128),
        code: z.string().max(64).optional(),
      }).strict(),
    ),
  },
});
const session = apiRoute({
  method: "get",
  path: `${base}/session`,
  tags,
  summary: "The signed-in user",
}, { user_info: userInfoOut });
const updateProfile = apiRoute({
  method: "put",
  path: `${base}/{user_id}/update_profile`,
  tags,
  summary: "Update one's own profile",
  request: {
    params: z.object({ user_id: z.string().regex(/^\d{1,19}$/, "expected a user id") }),
    body: jsonBody(
      z.object({
        user_id: z.string().optional(),
        name: z.string().trim().max(64).optional(),
        nick_name: z.string().trim().min(1).max(128).optional(),
        description: z.string().max(1024).optional(),
        avatar_uri: z.string().max(1024).optional(),
      }).strict(),
    ),
  },
}, { user_info: userInfoOut });

/** The user routes. */
export function userRoutes(
  accounts: AccountService,
  options: { secureCookies: boolean },
): RouteApp {
  const app = routeGroup();
  const signedIn = (c: Context, s: { token: string; claims: { expiresAt: number } }) =>
    setSessionCookie(c, s.token, options.secureCookies);

  app.openapi(register, async (c) => {
    const s = await accounts.register({
      ...c.req.valid("json"),
      clientAddress: clientAddressOf(c),
    });
    signedIn(c, s);
    return apiOk(c, { user_info: userInfo(s.user), expire_time: expireTime(s.claims.expiresAt) });
  });
  app.openapi(login, async (c) => {
    const s = await accounts.login({ ...c.req.valid("json"), clientAddress: clientAddressOf(c) });
    signedIn(c, s);
    return apiOk(c, { user_info: userInfo(s.user), expire_time: expireTime(s.claims.expiresAt) });
  });
  app.openapi(logout, async (c) => {
    await accounts.logout(c.get("caller").session!);
    clearSessionCookie(c);
    return apiOk(c);
  });
  app.openapi(resetPassword, async (c) => {
    const { email, password } = c.req.valid("json");
    await accounts.resetPassword(c.get("caller").session!, { email, password });
    clearSessionCookie(c);
    return apiOk(c);
  });
  app.openapi(session, async (c) => {
    const user = await accounts.currentUser(c.get("caller").session!);
    return apiOk(c, { user_info: userInfo(user) });
  });
  app.openapi(updateProfile, async (c) => {
    const b = c.req.valid("json");
    const user = await accounts.updateProfile(
      c.get("caller").userId,
      BigInt(c.req.valid("param").user_id),
      { name: b.name, nickName: b.nick_name, description: b.description, avatarUri: b.avatar_uri },
    );
    return apiOk(c, { user_info: userInfo(user) });
  });
  return app;
}

function expireTime(expiresAtMs: number): bigint {
  return BigInt(Math.floor(expiresAtMs / 1000));
}

// The peer address of the connection; proxies' X-Forwarded-For is not trusted by default.
function clientAddressOf(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}
