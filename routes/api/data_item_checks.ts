/**
 * `POST /api/data/v1/dataset_items/validate`: items checked without being written, against
 * a dataset (`dataset_id` in the body: the path has no place for it) or against the fields
 * of a dataset about to be created; answers the valid indexes and the errors of the others.
 */
import { z } from "@hono/zod-openapi";
import type { DataServices } from "../../domains/data/mod.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, routeGroup } from "../_wire/routes.ts";
import { id64, jsonBody } from "../_wire/schemas.ts";
import { errorGroupsToWire, fieldFromWire, itemFromWire } from "../_wire/convert_data.ts";
import { fieldSchemaIn, itemErrorGroupOut, itemIn } from "./_schemas_data.ts";
import type { RouteApp } from "../_env.ts";

const validate = apiRoute({
  method: "post",
  path: "/api/data/v1/dataset_items/validate",
  tags: ["data: items"],
  summary: "Check up to 500 items against a dataset, or against fields of a new one",
  description: "The checks of a write (values, sizes, attachments, capacity); nothing is written.",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      items: z.array(itemIn).min(1).max(500),
      dataset_id: id64.optional(),
      dataset_category: z.number().int().optional(),
      dataset_fields: z.array(fieldSchemaIn).max(200).optional(),
      ignore_current_item_count: z.boolean().optional(),
    })),
  },
}, {
  valid_item_indices: z.array(z.number().int()),
  errors: z.array(itemErrorGroupOut),
});

/** The item check route. */
export function dataItemCheckRoutes(data: DataServices): RouteApp {
  const app = routeGroup();
  app.openapi(validate, async (c) => {
    const b = c.req.valid("json");
    const r = await data.itemChecks.validate(c.get("caller").userId, {
      workspaceId: b.workspace_id,
      datasetId: b.dataset_id,
      category: b.dataset_category,
      fields: b.dataset_fields?.map(fieldFromWire),
      items: b.items.map(itemFromWire),
      ignoreCurrentItemCount: b.ignore_current_item_count,
    });
    return apiOk(c, { valid_item_indices: r.validIndices, errors: errorGroupsToWire(r.errors) });
  });
  return app;
}
