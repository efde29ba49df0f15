/** `/api/prompt/v1/...`: drafts, commits, labels and label history of prompts (web UI). */
import { z } from "@hono/zod-openapi";
import type { VersioningService } from "../../domains/prompt/versioning.ts";
import type { LabelService } from "../../domains/prompt/labels.ts";
import { apiOk } from "../_wire/json.ts";
import { apiRoute, routeGroup } from "../_wire/routes.ts";
import {
  commitInfoOut,
  detailOut,
  draftInfoOut,
  labelChangeOut,
  labelOut,
} from "./_schemas_prompt.ts";
import { id64, jsonBody } from "../_wire/schemas.ts";
import { commitInfo, draftInfo } from "../_wire/convert_prompt.ts";
import type { RouteApp } from "../_env.ts";

const tags = ["prompt: versions and labels"];
const base = "/api/prompt/v1/prompts/{prompt_id}";
const idParam = z.object({ prompt_id: id64 });
const version = z.string().min(1).max(64);
const labelKeys = z.array(z.string().min(1).max(64)).max(50);

const saveDraft = apiRoute({
  method: "post",
  path: `${base}/drafts/save`,
  tags,
  summary: "Save the caller's draft",
  request: {
    params: idParam,
    body: jsonBody(
      z.object({
        prompt_id: z.unknown().optional(),
        prompt_draft: z.object({
          detail: z.unknown(),
          draft_info: z.object({ base_version: z.string().max(64).optional() }).passthrough()
            .optional(),
        }).strict(),
      }).strict(),
    ),
  },
}, { draft_info: draftInfoOut });
const commit = apiRoute({
  method: "post",
  path: `${base}/drafts/commit`,
  tags,
  summary: "Commit the caller's draft as an immutable version",
  request: {
    params: idParam,
    body: jsonBody(
      z.object({
        prompt_id: z.unknown().optional(),
        commit_version: version,
        commit_description: z.string().max(1024).optional(),
        label_keys: labelKeys.optional(),
      }).strict(),
    ),
  },
});
const revert = apiRoute({
  method: "post",
  path: `${base}/drafts/revert_from_commit`,
  tags,
  summary: "Reset the caller's draft to a version",
  request: {
    params: idParam,
    body: jsonBody(
      z.object({
        prompt_id: z.unknown().optional(),
        commit_version_reverting_from: version,
      }).strict(),
    ),
  },
});
const listCommits = apiRoute({
  method: "post",
  path: `${base}/commits/list`,
  tags,
  summary: "Versions, newest first, with their labels",
  request: {
    params: idParam,
    body: jsonBody(
      z.object({
        prompt_id: z.unknown().optional(),
        with_commit_detail: z.boolean().optional(),
        page_size: z.number().int().min(1).max(100).optional(),
        page_token: z.string().max(32).optional(),
        asc: z.boolean().optional(),
      }).strict(),
    ),
  },
}, {
  prompt_commit_infos: z.array(commitInfoOut),
  commit_version_label_mapping: z.record(z.string(), z.array(labelOut)),
  prompt_commit_detail_mapping: z.record(z.string(), detailOut).optional().openapi({
    description: "with with_commit_detail only",
  }),
  has_more: z.boolean(),
  next_page_token: z.string(),
});
const updateLabels = apiRoute({
  method: "post",
  path: `${base}/commits/{commit_version}/labels_update`,
  tags,
  summary: "Set exactly which labels point at a version",
  request: {
    params: z.object({ prompt_id: id64, commit_version: version }),
    body: jsonBody(
      z.object({
        workspace_id: id64.optional(),
        prompt_id: z.unknown().optional(),
        commit_version: z.string().optional(),
        label_keys: labelKeys,
      }).strict(),
    ),
  },
});
const labelHistory = apiRoute({
  method: "get",
  path: `${base}/labels/history`,
  tags,
  summary: "Every label move of a prompt, newest first",
  request: { params: idParam },
}, { label_changes: z.array(labelChangeOut) });
const createLabel = apiRoute({
  method: "post",
  path: "/api/prompt/v1/labels",
  tags,
  summary: "Create a custom label in a workspace",
  request: {
    body: jsonBody(
      z.object({
        workspace_id: id64,
        label: z.object({
          // Documented as the domain checks it (its message names the rule).
          key: z.string().min(1).max(64).openapi({ pattern: "^[a-z][a-z0-9_]{0,63}$" }),
        }).strict(),
      }).strict(),
    ),
  },
});
const listLabels = apiRoute({
  method: "post",
  path: "/api/prompt/v1/labels/list",
  tags,
  summary: "The workspace's labels, optionally with one prompt's label -> version mapping",
  request: {
    body: jsonBody(
      z.object({
        workspace_id: id64,
        label_key_like: z.string().max(64).optional(),
        with_prompt_version_mapping: z.boolean().optional(),
        prompt_id: id64.optional(),
        page_size: z.number().int().min(1).max(200).optional(),
        page_token: z.string().max(64).optional(),
      }).strict(),
    ),
  },
}, {
  labels: z.array(labelOut),
  prompt_version_mapping: z.record(z.string(), z.string()).optional().openapi({
    description: "label key -> version, with with_prompt_version_mapping and prompt_id",
  }),
  has_more: z.boolean(),
  next_page_token: z.string(),
});

/** The versioning and label routes. */
export function promptVersionRoutes(
  deps: { versioning: VersioningService; labels: LabelService },
): RouteApp {
  const app = routeGroup();
  const uid = (c: { get(k: "caller"): { userId: bigint } }) => c.get("caller").userId;
  app.openapi(saveDraft, async (c) => {
    const b = c.req.valid("json");
    const d = await deps.versioning.saveDraft(uid(c), c.req.valid("param").prompt_id, {
      detail: b.prompt_draft.detail,
      baseVersion: b.prompt_draft.draft_info?.base_version,
    });
    return apiOk(c, { draft_info: draftInfo(d) });
  });
  app.openapi(commit, async (c) => {
    const b = c.req.valid("json");
    await deps.versioning.commit(uid(c), c.req.valid("param").prompt_id, {
      version: b.commit_version,
      description: b.commit_description,
      labelKeys: b.label_keys,
    });
    return apiOk(c);
  });
  app.openapi(revert, async (c) => {
    const b = c.req.valid("json");
    await deps.versioning.revert(
      uid(c),
      c.req.valid("param").prompt_id,
      b.commit_version_reverting_from,
    );
    return apiOk(c);
  });
  app.openapi(listCommits, async (c) => {
    const b = c.req.valid("json");
    const page = await deps.versioning.listCommits(uid(c), c.req.valid("param").prompt_id, {
      pageSize: b.page_size,
      pageToken: b.page_token,
      asc: b.asc,
    });
    return apiOk(c, {
      prompt_commit_infos: page.commits.map(commitInfo),
      commit_version_label_mapping: Object.fromEntries(
        page.commits.map((
          x,
        ) => [x.version, (page.labels.get(x.version) ?? []).map((key) => ({ key }))]),
      ),
      ...(b.with_commit_detail
        ? {
          prompt_commit_detail_mapping: Object.fromEntries(
            page.commits.map((x) => [x.version, x.detail]),
          ),
        }
        : {}),
      has_more: page.hasMore,
      next_page_token: page.nextPageToken,
    });
  });
  app.openapi(updateLabels, async (c) => {
    const p = c.req.valid("param");
    await deps.labels.setForVersion(
      uid(c),
      p.prompt_id,
      p.commit_version,
      c.req.valid("json").label_keys,
    );
    return apiOk(c);
  });
  app.openapi(labelHistory, async (c) => {
    const h = await deps.labels.history(uid(c), c.req.valid("param").prompt_id);
    return apiOk(c, {
      label_changes: h.map((x) => ({
        label_key: x.labelKey,
        from_version: x.fromVersion ?? "",
        to_version: x.toVersion ?? "",
        changed_by: x.changedBy.toString(),
        changed_at: BigInt(x.changedAt.getTime()),
      })),
    });
  });
  app.openapi(createLabel, async (c) => {
    const b = c.req.valid("json");
    await deps.labels.create(uid(c), b.workspace_id, b.label.key);
    return apiOk(c);
  });
  app.openapi(listLabels, async (c) => {
    const b = c.req.valid("json");
    const labels = await deps.labels.list(uid(c), b.workspace_id, { keyLike: b.label_key_like });
    const mapping = b.with_prompt_version_mapping && b.prompt_id !== undefined
      ? Object.fromEntries(await deps.labels.mappingFor(uid(c), b.prompt_id))
      : undefined;
    return apiOk(c, {
      labels: labels.map((key) => ({ key })),
      ...(mapping ? { prompt_version_mapping: mapping } : {}),
      has_more: false,
      next_page_token: "",
    });
  });
  return app;
}
