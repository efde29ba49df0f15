/**
 * `/api/data/v1/tags...` and `/api/data/v1/tag_spec`: annotation label definitions (tags) of a
 * workspace, versioned with change logs (web UI; `coze.loop.data.tag` TagService).
 */
import { z } from "@hono/zod-openapi";
import type { TagService } from "../../domains/data/tags.ts";
import { TAG_CONTENT_TYPES, TAG_DOMAIN_TYPES, TAG_TYPES } from "../../domains/data/tags_types.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, int64, routeGroup } from "../_wire/routes.ts";
import { id64, jsonBody } from "../_wire/schemas.ts";
import { tagFieldsFromWire, tagInfoWire } from "../_wire/convert_tag.ts";
import { pagingIn, tagFieldsIn, tagInfoOut, tagNameIn } from "./_schemas_data_tags.ts";
import type { RouteApp } from "../_env.ts";

const tags = ["data: tags"];
const base = "/api/data/v1/tags";
const idParam = z.object({ tag_key_id: id64 });
const tagKeyIds = z.array(id64).min(1).max(200);
const list = {
  next_page_token: z.string().openapi({ description: "empty on the last page" }),
  total: int64,
};

const create = apiRoute({
  method: "post",
  path: base,
  tags,
  summary: "Create a tag (version 0.0.1 unless `version` says)",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      tag_key_name: tagNameIn,
      ...tagFieldsIn,
      tag_type: z.enum(TAG_TYPES).optional(),
    })),
  },
}, { tag_key_id: int64 });
const update = apiRoute({
  method: "patch",
  path: `${base}/{tag_key_id}`,
  tags,
  summary: "Write a new version of a tag (absent fields keep their values), with its change log",
  request: {
    params: idParam,
    body: jsonBody(z.object({
      workspace_id: id64,
      tag_key_name: tagNameIn,
      ...tagFieldsIn,
    })),
  },
});
const batchUpdateStatus = apiRoute({
  method: "post",
  path: `${base}/batch_update_status`,
  tags,
  summary: "Enable or disable tags (a new version each); failures by tag_key_id",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      tag_key_ids: tagKeyIds,
      to_status: z.enum(["active", "inactive"]),
    })),
  },
}, {
  err_info: z.record(z.string(), z.string()).openapi({
    description: "tag_key_id -> why its status did not change (empty when all did)",
  }),
});
const search = apiRoute({
  method: "post",
  path: `${base}/search`,
  tags,
  summary: "Search the workspace's tags (latest versions, active and inactive)",
  request: {
    body: jsonBody(z.object({
      workspace_id: id64,
      tag_key_name_like: tagNameIn.optional(),
      created_bys: z.array(z.string().max(32)).max(100).optional(),
      domain_types: z.array(z.enum(TAG_DOMAIN_TYPES)).max(10).optional(),
      content_types: z.array(z.enum(TAG_CONTENT_TYPES)).max(10).optional(),
      tag_key_name: tagNameIn.optional(),
      ...pagingIn,
    })),
  },
}, { tagInfos: z.array(tagInfoOut), ...list });
const detail = apiRoute({
  method: "post",
  path: `${base}/{tag_key_id}/detail`,
  tags,
  summary: "A tag's versions with their change logs (all, newest first, unless paged)",
  request: {
    params: idParam,
    body: jsonBody(z.object({ workspace_id: id64, ...pagingIn })),
  },
}, { tags: z.array(tagInfoOut), ...list });
const spec = apiRoute({
  method: "get",
  path: "/api/data/v1/tag_spec",
  tags,
  summary: "Limits of a tag's values: levels, values per level, values in all",
  request: { query: z.object({ workspace_id: id64 }) },
}, {
  max_height: z.number().int(),
  max_width: z.number().int(),
  max_total: z.number().int(),
});
const batchGet = apiRoute({
  method: "post",
  path: `${base}/batch_get`,
  tags,
  summary: "Latest versions of tags, in the order asked (unknown ids left out)",
  request: { body: jsonBody(z.object({ workspace_id: id64, tag_key_ids: tagKeyIds })) },
}, { tag_info_list: z.array(tagInfoOut) });
const archiveOption = apiRoute({
  method: "post",
  path: `${base}/{tag_key_id}/archive_option_tag`,
  tags,
  summary: "Turn an option list into a managed tag",
  request: {
    params: idParam,
    body: jsonBody(z.object({
      workspace_id: id64,
      name: tagNameIn,
      description: tagFieldsIn.description,
    })),
  },
});

/** The tag routes. */
export function dataTagRoutes(deps: { tags: TagService }): RouteApp {
  const app = routeGroup();
  const uid = (c: { get(k: "caller"): { userId: bigint } }) => c.get("caller").userId;
  const page = (b: z.infer<z.ZodObject<typeof pagingIn>>) => ({
    pageNumber: b.page_number,
    pageSize: b.page_size,
    pageToken: b.page_token,
    orderBy: b.order_by && { field: b.order_by.field, isAsc: b.order_by.is_asc },
  });
  app.openapi(create, async (c) => {
    const b = c.req.valid("json");
    const id = await deps.tags.create(uid(c), b.workspace_id, {
      ...tagFieldsFromWire(b),
      tagType: b.tag_type,
    });
    return apiOk(c, { tag_key_id: id });
  });
  app.openapi(update, async (c) => {
    const b = c.req.valid("json");
    await deps.tags.update(
      uid(c),
      b.workspace_id,
      c.req.valid("param").tag_key_id,
      tagFieldsFromWire(b),
    );
    return apiOk(c);
  });
  app.openapi(batchUpdateStatus, async (c) => {
    const b = c.req.valid("json");
    const failed = await deps.tags.batchUpdateStatus(
      uid(c),
      b.workspace_id,
      b.tag_key_ids,
      b.to_status,
    );
    return apiOk(c, { err_info: Object.fromEntries([...failed].map(([k, v]) => [`${k}`, v])) });
  });
  app.openapi(search, async (c) => {
    const b = c.req.valid("json");
    const r = await deps.tags.search(uid(c), b.workspace_id, {
      name: b.tag_key_name,
      nameLike: b.tag_key_name_like,
      createdBys: b.created_bys,
      domainTypes: b.domain_types,
      contentTypes: b.content_types,
    }, page(b));
    return apiOk(c, {
      tagInfos: r.tags.map(tagInfoWire),
      next_page_token: r.nextPageToken,
      total: BigInt(r.total),
    });
  });
  app.openapi(detail, async (c) => {
    const b = c.req.valid("json");
    const r = await deps.tags.detail(uid(c), b.workspace_id, c.req.valid("param").tag_key_id, {
      ...page(b),
    });
    return apiOk(c, {
      tags: r.tags.map(tagInfoWire),
      next_page_token: r.nextPageToken,
      total: BigInt(r.total),
    });
  });
  app.openapi(spec, async (c) => {
    const s = await deps.tags.spec(uid(c), c.req.valid("query").workspace_id);
    return apiOk(c, { max_height: s.maxHeight, max_width: s.maxWidth, max_total: s.maxTotal });
  });
  app.openapi(batchGet, async (c) => {
    const b = c.req.valid("json");
    const found = await deps.tags.batchGet(uid(c), b.workspace_id, b.tag_key_ids);
    return apiOk(c, { tag_info_list: found.map(tagInfoWire) });
  });
  app.openapi(archiveOption, async (c) => {
    const b = c.req.valid("json");
    await deps.tags.archiveOption(uid(c), b.workspace_id, c.req.valid("param").tag_key_id, {
      name: b.name,
      description: b.description,
    });
    return apiOk(c);
  });
  return app;
}
