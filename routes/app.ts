/** The Hono application: middleware, then every route group. */
import { Hono } from "hono";
import type { HealthService } from "../domains/system/health.ts";
import type { Logger } from "../infra/log.ts";
import { type AppEnv, errorResponse, requestContext } from "./_middleware.ts";
import { healthRoutes } from "./health.ts";

/** What the routes need from the domains. */
export interface AppDeps {
  logger: Logger;
  health: HealthService;
}

/** Builds the application. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", requestContext(deps.logger));
  app.onError(errorResponse);
  app.notFound((c) =>
    c.json({ code: 602000201, msg: `No route for ${c.req.method} ${c.req.path}` }, 404)
  );
  app.route("/", healthRoutes(deps.health));
  return app;
}
