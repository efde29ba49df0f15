/**
 * The workspaces the current request may act in, when its credential is limited to some (an
 * OAuth app's access token). Held in the request's async context rather than passed along,
 * so that every domain's membership check (authz.ts) applies it without a new parameter on
 * every call; outside a scope nothing is limited and membership alone decides.
 */
import { AsyncLocalStorage } from "node:async_hooks";

const scope = new AsyncLocalStorage<ReadonlySet<bigint>>();

/** Runs `fn` (and everything it starts) limited to `workspaceIds`. */
export function withWorkspaceScope<T>(workspaceIds: readonly bigint[], fn: () => T): T {
  return scope.run(new Set(workspaceIds), fn);
}

/** False when the current request is limited to workspaces that do not include `spaceId`. */
export function inWorkspaceScope(spaceId: bigint): boolean {
  const allowed = scope.getStore();
  return allowed === undefined || allowed.has(spaceId);
}
