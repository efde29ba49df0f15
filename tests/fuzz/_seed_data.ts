/**
 * Datasets for the API fuzzer: one with items of text and image fields and a committed
 * version (for reads, edits and versions), one it may delete; and where generated requests
 * use their ids.
 */
import assert from "node:assert/strict";
import type { ServerProcess } from "../_server.ts";
import { post, type TestUser } from "../e2e/_client.ts";
import { addItems, createDataset, D, upload } from "../e2e/_datasets.ts";

/** Seeds datasets for `user`; the dictionaries of their ids. */
export async function seedDatasets(
  server: ServerProcess,
  user: TestUser,
): Promise<Record<string, string[]>> {
  await upload(server, user, "fuzz/cat.png", new Uint8Array([137, 80, 78, 71]));
  const id = await createDataset(server, user, { name: "fuzz dataset" });
  const added = await addItems(server, user, id, [
    { data: [{ key: "question", content: "q1" }, { name: "Score!", content: "1" }] },
    { data: [{ key: "picture", attachments: [{ name: "cat.png", uri: "fuzz/cat.png" }] }] },
    {
      data: [{
        key: "mixed",
        parts: [{ content_type: 1, content: "see" }, {
          content_type: 2,
          attachments: [{ uri: "fuzz/cat.png" }],
        }],
      }],
    },
  ]);
  const v = await post(server, `${D}/${id}/versions`, {
    workspace_id: user.spaceId,
    version: "1.0.0",
  }, user);
  assert.equal(v.body.code, 0, JSON.stringify(v.body));
  const doomed = await createDataset(server, user, { name: "fuzz doomed dataset" });
  return {
    datasets: [id],
    doomed_datasets: [doomed],
    dataset_items: Object.values(added.added_items as Record<string, string>),
    dataset_versions: [v.body.id],
  };
}

/** Where generated requests use the seeded dataset ids, and how often. */
export const DATA_BINDINGS: [string, string, number][] = [
  ["path.dataset_id", "datasets", 0.8],
  ["body.dataset_ids[*]", "datasets", 0.7],
  ["path.item_id", "dataset_items", 0.7],
  ["body.item_ids[*]", "dataset_items", 0.7],
  ["path.version_id", "dataset_versions", 0.8],
  ["body.version_ids[*]", "dataset_versions", 0.7],
];
