/** `/api/foundation/v1/spaces/*`: the caller's workspaces. */
import { z } from "@hono/zod-openapi";
import type { WorkspaceService } from "../../domains/foundation/workspaces.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, routeGroup } from "../_wire/routes.ts";
import { spaceOut } from "./_schemas_foundation.ts";
import { space } from "../_wire/convert.ts";
import { id64, jsonBody, pageNumber, pageSize } from "../_wire/schemas.ts";
import type { RouteApp } from "../_env.ts";

const tags = ["foundation: workspaces"];

const list = apiRoute({
  method: "post",
  path: "/api/foundation/v1/spaces/list",
  tags,
  summary: "Workspaces the caller is a member of",
  request: {
    body: jsonBody(
      z.object({
        user_id: z.string().optional(),
        page_size: pageSize.optional(),
        page_number: pageNumber.optional(),
      }).strict(),
    ),
  },
}, { spaces: z.array(spaceOut), total: z.number().int() });
const get = apiRoute({
  method: "get",
  path: "/api/foundation/v1/spaces/{space_id}",
  tags,
  summary: "One workspace (members only)",
  request: { params: z.object({ space_id: id64 }) },
}, { space: spaceOut });

/** The workspace routes. */
export function spaceRoutes(workspaces: WorkspaceService): RouteApp {
  const app = routeGroup();
  app.openapi(list, async (c) => {
    const b = c.req.valid("json");
    const r = await workspaces.list(c.get("caller").userId, {
      pageSize: b.page_size,
      pageNumber: b.page_number,
    });
    return apiOk(c, { spaces: r.spaces.map(space), total: r.total });
  });
  app.openapi(get, async (c) => {
    const s = await workspaces.get(c.get("caller").userId, c.req.valid("param").space_id);
    return apiOk(c, { space: space(s) });
  });
  return app;
}
