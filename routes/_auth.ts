/**
 * Authentication middleware: the `session_key` cookie for `/api` (web UI) and
 * `Authorization: Bearer <personal access token or OAuth app access token>` for `/v1/loop`
 * (SDKs). Both put the caller on `c.var.caller`; workspace membership is checked by the
 * domains.
 */
import type { MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Context } from "hono";
import { unauthenticated } from "../domains/errors.ts";
import { SESSION_TTL_MS, type SessionService } from "../domains/foundation/sessions.ts";
import type { TokenService } from "../domains/foundation/tokens.ts";
import type { OAuthAppService } from "../domains/foundation/oauth_apps.ts";
import { APP_TOKEN_PREFIX } from "../domains/foundation/oauth_access.ts";
import { withWorkspaceScope } from "../domains/foundation/workspace_scope.ts";
import type { AppEnv } from "./_env.ts";

/** Name of the web session cookie (WIRE.md). */
export const SESSION_COOKIE = "session_key";

/** Requires a valid web session, except on `publicPaths`. */
export function sessionAuth(
  sessions: SessionService,
  publicPaths: Set<string>,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (publicPaths.has(c.req.path)) return await next();
    const token = getCookie(c, SESSION_COOKIE);
    if (!token) throw unauthenticated("not logged in");
    const claims = await sessions.verify(token);
    if (!claims) {
      deleteCookie(c, SESSION_COOKIE, { path: "/" });
      throw unauthenticated("session expired or revoked, log in again");
    }
    c.set("caller", { userId: claims.userId, session: claims });
    await next();
  };
}

/** Requires a valid personal access token, or an access token of an OAuth app (`apps`). */
export function tokenAuth(
  tokens: TokenService,
  apps?: Pick<OAuthAppService, "verify">,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw unauthenticated("missing Authorization: Bearer <personal access token>");
    if (apps && m[1].startsWith(APP_TOKEN_PREFIX)) {
      const grant = await apps.verify(m[1]);
      if (!grant) throw unauthenticated("invalid, expired or revoked token");
      // The app acts as its owner, and in its workspaces only when it names some.
      c.set("caller", { userId: grant.userId });
      if (grant.workspaceIds.length === 0) return await next();
      return await withWorkspaceScope(grant.workspaceIds, next);
    }
    const userId = tokens.peek(m[1]) ?? await tokens.verify(m[1]);
    if (userId === null) throw unauthenticated("invalid, expired or revoked token");
    c.set("caller", { userId });
    await next();
  };
}

/** Sets the session cookie (HttpOnly, Path=/, 7 days). */
export function setSessionCookie(c: Context, token: string, secure: boolean): void {
  setCookie(c, SESSION_COOKIE, token, {
    path: "/",
    httpOnly: true,
    secure,
    sameSite: "Lax",
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
}

/** Clears the session cookie. */
export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
}
