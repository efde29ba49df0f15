/** Types shared by every route module: what middleware puts on `c.var`. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Logger } from "../infra/log.ts";
import type { SessionClaims } from "../domains/foundation/sessions.ts";

/** The authenticated caller. */
export interface Caller {
  userId: bigint;
  /** Set for web sessions (cookie), absent for personal access tokens. */
  session?: SessionClaims;
}

/** Hono environment of our app. */
export type AppEnv = {
  Variables: {
    requestId: string;
    logger: Logger;
    caller: Caller;
    /** Why the JSON body could not be read (see routes/_wire/body.ts). */
    bodyError?: string;
    /** Why the request failed, for its access-log line (set by routes/_middleware.ts). */
    failure?: { code?: number; reason?: string };
  };
};

/** A route group. */
export type RouteApp = OpenAPIHono<AppEnv>;
