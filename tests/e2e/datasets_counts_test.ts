/**
 * Item counts come from the database: exact after concurrent writers (adds racing for the
 * last places of a capped dataset, deletes, idempotent replays) and after a restart.
 */
import assert from "node:assert/strict";
import { startServer } from "../_server.ts";
import { post, registerUser } from "./_client.ts";
import { allItems, createDataset, D, textItem } from "./_datasets.ts";

Deno.test({
  name: "e2e datasets: counts exact under concurrent writes and after a restart",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    let server = await startServer({}, { keepData: true });
    const dataDir = server.dataDir;
    try {
      const u = await registerUser(server);
      const id = await createDataset(server, u, { spec: { max_item_count: 150 } });
      const batch = (n: number, tag: string) =>
        Array.from(
          { length: 20 },
          (_, i) => textItem({ question: `${tag} ${n}.${i}` }, `${tag}-${n}-${i}`),
        );
      // Ten writers of 20 items race for 150 places; each writes what fits.
      const adds = await Promise.all(
        Array.from({ length: 10 }, (_, n) =>
          post(server, `${D}/${id}/items/batch_create`, {
            workspace_id: u.spaceId,
            items: batch(n, "a"),
            allow_partial_add: true,
          }, u)),
      );
      const added = adds.reduce((k, r) => {
        assert.equal(r.body.code, 0, JSON.stringify(r.body).slice(0, 300));
        return k + Object.keys(r.body.added_items).length;
      }, 0);
      assert.equal(added, 150, "exactly the capacity");
      const full = await post(server, `${D}/${id}/items/batch_create`, {
        workspace_id: u.spaceId,
        items: [textItem({ question: "one more" })],
      }, u);
      assert.equal(full.body.code, 601104501, "full");

      // Deleters and idempotent replays race; each deleted item is counted once.
      const { items } = await allItems(server, u, id);
      const ids = items.map((x) => x.item_id as string);
      await Promise.all([
        ...Array.from({ length: 5 }, (_, n) =>
          post(server, `${D}/${id}/items/batch_delete`, {
            workspace_id: u.spaceId,
            item_ids: ids.slice(n * 10, n * 10 + 20), // overlapping ranges
          }, u)),
        ...Array.from({ length: 5 }, (_, n) =>
          post(server, `${D}/${id}/items/batch_create`, {
            workspace_id: u.spaceId,
            // Keys of items that stay: nothing new is written.
            items: items.slice(60 + n * 18, 78 + n * 18).map((x) =>
              textItem({ question: "replayed" }, x.item_key)
            ),
            allow_partial_add: true,
          }, u)),
      ]);
      const after = await allItems(server, u, id);
      assert.equal(after.items.length, 90);
      assert.equal(after.total, 90);
      const g = await post(server, `${D}/${id}`, undefined, u, "GET");
      assert.equal(g.body.dataset.item_count, "90");

      await server.stop();
      server = await startServer({}, { dataDir, keepData: true });
      const again = await allItems(server, u, id);
      assert.equal(again.total, 90, "the same count after a restart");
      assert.equal(again.items.length, 90);
    } finally {
      await server.stop();
      if (dataDir) await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
