/**
 * Builds every domain service from the infrastructure; main.ts calls this once. Domains get
 * only the interfaces they use.
 */
import type { Infra } from "../infra/build.ts";
import type { Logger } from "../infra/log.ts";
import { createHealthService, type HealthService } from "./system/health.ts";
import { type Authz, createAuthz } from "./foundation/authz.ts";
import { type AccountService, createAccountService } from "./foundation/accounts.ts";
import { createSessionService, type SessionService } from "./foundation/sessions.ts";
import { createTokenService, type TokenService } from "./foundation/tokens.ts";
import { createWorkspaceService, type WorkspaceService } from "./foundation/workspaces.ts";

/** Every domain service. */
export interface Services {
  health: HealthService;
  authz: Authz;
  sessions: SessionService;
  accounts: AccountService;
  workspaces: WorkspaceService;
  tokens: TokenService;
}

/** Builds the services. */
export function createServices(
  infra: Infra,
  options: { logger: Logger; sessionSecret: string },
): Services {
  const { db, cache, ids, limiter } = infra;
  const authz = createAuthz({ db, cache });
  const sessions = createSessionService({ secret: options.sessionSecret, cache });
  return {
    health: createHealthService(infra.dependencies),
    authz,
    sessions,
    accounts: createAccountService({ db, ids, sessions, limiter }),
    workspaces: createWorkspaceService({ db, authz }),
    tokens: createTokenService({ db, ids, cache, logger: options.logger }),
  };
}
