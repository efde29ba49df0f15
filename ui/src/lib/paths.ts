/**
 * The console's URL paths, following the official Coze Loop frontend where it has one
 * (`/auth/login`, `/console/enterprise/personal/space/:id/pe/prompts`, ...). Every page and
 * every state of a page is a link: pages take their state from the path and the query.
 */

/** Where the official frontend keeps a personal account's pages. */
export const CONSOLE_ROOT = "/console/enterprise/personal";

/** The login page; `next` is where to go afterwards (a console path). */
export function loginPath(next?: string): string {
  return next && next !== "/" ? `/auth/login?next=${encodeURIComponent(next)}` : "/auth/login";
}

/** The register page; `next` as for loginPath. */
export function registerPath(next?: string): string {
  return next && next !== "/"
    ? `/auth/register?next=${encodeURIComponent(next)}`
    : "/auth/register";
}

/** Ends the session, then shows the login page. */
export const LOGOUT_PATH = "/auth/logout";

/** A workspace's root (the official frontend opens its prompts). */
export function spacePath(spaceId: string): string {
  return `${CONSOLE_ROOT}/space/${encodeURIComponent(spaceId)}`;
}

/** The prompt list of a workspace. */
export function promptsPath(spaceId: string): string {
  return `${spacePath(spaceId)}/pe/prompts`;
}

/** One prompt's page. */
export function promptPath(spaceId: string, promptId: string): string {
  return `${promptsPath(spaceId)}/${encodeURIComponent(promptId)}`;
}

/** The playground of a workspace. */
export function playgroundPath(spaceId: string): string {
  return `${spacePath(spaceId)}/pe/playground`;
}

/** The trace list of a workspace; `traceId` (and `spanId`) open one trace (and span). */
export function tracesPath(
  spaceId: string,
  open: { traceId?: string; spanId?: string } = {},
): string {
  const q = new URLSearchParams();
  if (open.traceId) q.set("trace_id", open.traceId);
  if (open.spanId) q.set("span_id", open.spanId);
  const query = q.toString();
  return `${spacePath(spaceId)}/observation/traces${query ? `?${query}` : ""}`;
}

/** Profile and password. */
export const ACCOUNT_PATH = `${CONSOLE_ROOT}/account`;
/** Personal access tokens (coze.cn keeps them under open/oauth/pats). */
export const TOKENS_PATH = `${CONSOLE_ROOT}/open/oauth/pats`;
/** OAuth apps for the SDKs' JWT flow (the path the SDKs' READMEs name). */
export const OAUTH_APPS_PATH = `${CONSOLE_ROOT}/open/oauth/apps`;

/** The workspace id in a console path, if it names one. */
export function spaceIdOf(pathname: string): string | undefined {
  const prefix = `${CONSOLE_ROOT}/space/`;
  if (!pathname.startsWith(prefix)) return undefined;
  const id = pathname.slice(prefix.length).split("/")[0];
  return id ? decodeURIComponent(id) : undefined;
}

/**
 * The same page in another workspace: the workspace id in `pathname` replaced, the rest of
 * the path kept up to its section (a prompt of one workspace does not exist in another),
 * the query dropped.
 */
export function switchSpacePath(pathname: string, spaceId: string): string {
  const current = spaceIdOf(pathname);
  if (current === undefined) return promptsPath(spaceId);
  const rest = pathname.slice(spacePath(current).length).split("/").filter(
    Boolean,
  );
  return rest.length >= 2 ? `${spacePath(spaceId)}/${rest[0]}/${rest[1]}` : promptsPath(spaceId);
}

/**
 * A safe place to go after logging in: a path of this site only (never `//host` or
 * `https://...`, which would make the login page an open redirect), and never back to the
 * auth pages.
 */
export function safeNext(next: string | null | undefined): string | undefined {
  if (
    !next || !next.startsWith("/") || next.startsWith("//") ||
    next.includes("\\")
  ) {
    return undefined;
  }
  if (next.startsWith("/auth/")) return undefined;
  return next;
}
