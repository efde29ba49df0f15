/**
 * The batch create route of items, shared by the data API (`/api/data/v1/datasets/{id}/items`)
 * and the evaluation set API (`.../evaluation_sets/{id}/items`): same limits, options and
 * answer, items in each API's own shape.
 */
import { z } from "@hono/zod-openapi";
import { apiRoute } from "../_wire/routes.ts";
import { jsonBody } from "../_wire/schemas.ts";
import { batchCreateOptionsIn, batchCreateOut } from "./_schemas_data.ts";

/** `POST {base}/batch_create`: up to 100 items of `item`'s shape. */
export function itemsBatchCreateRoute<
  P extends z.ZodObject,
  W extends z.ZodRawShape,
  I extends z.ZodType,
>(o: { base: string; tags: string[]; params: P; workspace: W; item: I }) {
  return apiRoute({
    method: "post",
    path: `${o.base}/batch_create`,
    tags: o.tags,
    summary: "Add up to 100 items: all or nothing, unless skip_invalid_items / allow_partial_add",
    request: {
      params: o.params,
      body: jsonBody(z.object({
        ...o.workspace,
        items: z.array(o.item).min(1).max(100),
        ...batchCreateOptionsIn,
      })),
    },
  }, batchCreateOut);
}
