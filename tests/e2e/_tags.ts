/** Helpers for the tag end-to-end tests: the routes and small calls on them. */
import assert from "node:assert/strict";
import type { ServerProcess } from "../_server.ts";
import { post, type TestUser } from "./_client.ts";

/** The tag routes' prefix. */
export const TAGS = "/api/data/v1/tags";

/** A name unlikely to collide with another test's. */
export const uniqueName = (prefix: string): string =>
  `${prefix}_${crypto.randomUUID().slice(0, 8)}`;

/** Creates a tag in the user's workspace; returns its tag_key_id. */
export async function createTag(
  server: ServerProcess,
  u: TestUser,
  body: Record<string, unknown>,
): Promise<string> {
  const r = await post(server, TAGS, { workspace_id: u.spaceId, ...body }, u);
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  assert.match(r.body.tag_key_id, /^\d+$/);
  return r.body.tag_key_id;
}

/** A categorical tag with `values`. */
export function createCategorical(
  server: ServerProcess,
  u: TestUser,
  name: string,
  values: string[],
  extra: Record<string, unknown> = {},
): Promise<string> {
  return createTag(server, u, {
    tag_key_name: name,
    tag_content_type: "categorical",
    tag_values: values.map((tag_value_name) => ({ tag_value_name })),
    ...extra,
  });
}

/** Every version of a tag, newest first (the detail call without a page). */
// deno-lint-ignore no-explicit-any
export async function versions(server: ServerProcess, u: TestUser, id: string): Promise<any[]> {
  const r = await post(server, `${TAGS}/${id}/detail`, { workspace_id: u.spaceId }, u);
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  assert.equal(Number(r.body.total), r.body.tags.length);
  return r.body.tags;
}

/** The latest version of a tag (batch_get). */
// deno-lint-ignore no-explicit-any
export async function latest(server: ServerProcess, u: TestUser, id: string): Promise<any> {
  const r = await post(server, `${TAGS}/batch_get`, {
    workspace_id: u.spaceId,
    tag_key_ids: [id],
  }, u);
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return r.body.tag_info_list[0];
}

/** Searches the user's workspace. */
export async function search(
  server: ServerProcess,
  u: TestUser,
  body: Record<string, unknown> = {},
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  const r = await post(server, `${TAGS}/search`, { workspace_id: u.spaceId, ...body }, u);
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return r.body;
}

/** Value names of a tag version, top level only. */
export const valueNames = (t: { tag_values: { tag_value_name: string }[] }): string[] =>
  t.tag_values.map((v) => v.tag_value_name);
