/** `GET /ping` (liveness, as Coze Loop) and `GET /healthz` (every dependency). */
import { OpenAPIHono as Hono } from "@hono/zod-openapi";
import type { HealthService } from "../domains/system/health.ts";
import type { AppEnv } from "./_env.ts";

/** The health routes. */
export function healthRoutes(health: HealthService): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/ping", (c) => c.text("pong"));
  app.get("/healthz", async (c) => {
    const report = await health.check();
    return c.json(report, report.status === "ok" ? 200 : 503);
  });
  return app;
}
