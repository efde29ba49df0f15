/**
 * `GET /ping` (liveness, as Coze Loop) and `GET /healthz` (readiness: every dependency, from
 * the last probe round of the health service's timer, with its age; a call runs no probe).
 */
import { OpenAPIHono as Hono, z } from "@hono/zod-openapi";
import type { HealthService } from "../domains/system/health.ts";
import type { AppEnv } from "./_env.ts";
import { errorResponses } from "./_wire/routes.ts";

const tags = ["system"];

const healthReport = z.object({
  status: z.enum(["ok", "degraded", "starting"]).openapi({
    description: "`starting`: no probe round has finished yet",
  }),
  dependencies: z.array(
    z.object({
      name: z.string(),
      address: z.string(),
      status: z.enum(["up", "down"]),
      latency_ms: z.number(),
      error: z.string().optional().openapi({ description: "the last probe's failure" }),
    }).strict(),
  ),
  probed_at: z.string().optional().openapi({ description: "end of the last round, ISO 8601" }),
  age_ms: z.number().openapi({ description: "ms since the last round (-1 before the first)" }),
  probes: z.number().int().openapi({ description: "rounds finished since start-up" }),
}).strict().openapi("HealthReport");

/** The health routes. */
export function healthRoutes(health: HealthService): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/ping",
    tags,
    summary: "Liveness: answers `pong`",
    security: [],
    responses: {
      200: { description: "`pong`", content: { "text/plain": { schema: z.literal("pong") } } },
      ...errorResponses([500]),
    },
  });
  app.get("/ping", (c) => c.text("pong"));
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/healthz",
    tags,
    summary: "Readiness: every dependency as of the last probe round (not cached by clients)",
    security: [],
    responses: {
      200: {
        description: "Every dependency is up",
        content: { "application/json": { schema: healthReport } },
      },
      503: {
        description: "A dependency is down, or no probe round has finished yet",
        content: { "application/json": { schema: healthReport } },
      },
      ...errorResponses([500]),
    },
  });
  app.get("/healthz", (c) => {
    const report = health.report();
    c.header("Cache-Control", "no-store");
    return c.json(report, report.status === "ok" ? 200 : 503);
  });
  return app;
}
