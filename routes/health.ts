/**
 * `GET /ping` (liveness, as Coze Loop) and `GET /healthz` (readiness: every dependency, from
 * the last probe round of the health service's timer, with its age; a call runs no probe).
 */
import { OpenAPIHono as Hono } from "@hono/zod-openapi";
import type { HealthService } from "../domains/system/health.ts";
import type { AppEnv } from "./_env.ts";

/** The health routes. */
export function healthRoutes(health: HealthService): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/ping", (c) => c.text("pong"));
  app.get("/healthz", (c) => {
    const report = health.report();
    c.header("Cache-Control", "no-store");
    return c.json(report, report.status === "ok" ? 200 : 503);
  });
  return app;
}
