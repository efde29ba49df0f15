/** Helpers for the dataset end-to-end tests: routes, a dataset of every field type, uploads. */
import assert from "node:assert/strict";
import type { ServerProcess } from "../_server.ts";
import { post, type TestUser } from "./_client.ts";

/** The dataset routes. */
export const D = "/api/data/v1/datasets";
/** The version routes. */
export const V = "/api/data/v1/dataset_versions";

/** Fields of every content type (keys are generated from names). */
export const FIELDS = [
  { name: "question", content_type: 1, description: "what is asked", default_format: 2 },
  {
    name: "answer",
    content_type: 1,
    text_schema: JSON.stringify({
      type: "object",
      properties: { text: { type: "string" }, score: { type: "number" } },
      required: ["text"],
    }),
    // The official frontend sends its own extras: they are ignored.
    type: "object",
    additionalProperties: false,
  },
  { name: "Score!", content_type: 1, schemaKey: 2 },
  { name: "picture", content_type: 2 },
  { name: "mixed", content_type: 100 },
];

/** Creates a dataset of FIELDS (plus `extra` request fields); returns its id. */
export async function createDataset(
  server: ServerProcess,
  u: TestUser,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const r = await post(server, D, {
    workspace_id: u.spaceId,
    name: `set ${crypto.randomUUID().slice(0, 8)}`,
    description: "for tests",
    fields: FIELDS,
    ...extra,
  }, u);
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return r.body.dataset_id;
}

/** A single-turn item from `{key: content}` text values. */
export function textItem(values: Record<string, string>, itemKey?: string) {
  return {
    ...(itemKey ? { item_key: itemKey } : {}),
    data: Object.entries(values).map(([key, content]) => ({ key, content })),
  };
}

/** Adds items; returns the response body (asserting success). */
export async function addItems(
  server: ServerProcess,
  u: TestUser,
  id: string,
  items: unknown[],
  extra: Record<string, unknown> = {},
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  const r = await post(server, `${D}/${id}/items/batch_create`, {
    workspace_id: u.spaceId,
    items,
    ...extra,
  }, u);
  assert.equal(r.body.code, 0, JSON.stringify(r.body).slice(0, 500));
  return r.body;
}

/** Every item of the draft (or of a version), in id order, by paging with the cursor. */
export async function allItems(
  server: ServerProcess,
  u: TestUser,
  id: string,
  versionId?: string,
  // deno-lint-ignore no-explicit-any
): Promise<{ items: any[]; total: number }> {
  const path = versionId ? `${D}/${id}/versions/${versionId}/items/list` : `${D}/${id}/items/list`;
  // deno-lint-ignore no-explicit-any
  const items: any[] = [];
  let token = "";
  let total = 0;
  for (let i = 0; i < 1000; i++) {
    const r = await post(server, path, {
      workspace_id: u.spaceId,
      page_size: 200,
      order_bys: [{ field: "created_at", is_asc: true }],
      ...(token ? { page_token: token } : {}),
    }, u);
    assert.equal(r.body.code, 0, JSON.stringify(r.body).slice(0, 500));
    items.push(...r.body.items);
    total = Number(r.body.total);
    token = r.body.next_page_token;
    if (!token) break;
  }
  return { items, total };
}

/** The values of an item as `{key: content}` (text values only). */
// deno-lint-ignore no-explicit-any
export function texts(item: any): Record<string, string> {
  return Object.fromEntries(
    // deno-lint-ignore no-explicit-any
    (item.data ?? []).filter((v: any) => v.content !== undefined).map((v: any) => [
      v.key,
      v.content,
    ]),
  );
}

/** Stores `bytes` as `key` in the user's workspace through a presigned upload. */
export async function upload(
  server: ServerProcess,
  u: TestUser,
  key: string,
  bytes: Uint8Array,
): Promise<void> {
  const signed = await post(server, "/api/foundation/v1/sign_upload_files", {
    workspace_id: u.spaceId,
    keys: [key],
  }, u);
  assert.equal(signed.body.code, 0, JSON.stringify(signed.body));
  const res = await fetch(signed.body.uris[0], { method: "PUT", body: bytes as BodyInit });
  await res.body?.cancel();
  assert.ok(res.ok, `upload answered ${res.status}`);
}
