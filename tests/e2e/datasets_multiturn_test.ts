/**
 * Multi-turn datasets (feature `repeatedData`): items are `repeated_data` turns, each with its
 * own values and id; they are validated per turn, updated and read back exactly, in the draft
 * and in a version.
 */
import assert from "node:assert/strict";
import { post } from "./_client.ts";
import { serverTest } from "./_with_server.ts";
import { addItems, allItems, D } from "./_datasets.ts";

serverTest("e2e datasets: multi-turn items (repeated_data)", async (_t, { server, u, ws }) => {
  const created = await post(server, D, {
    ...ws,
    name: "dialogues",
    features: { repeatedData: true },
    fields: [
      { name: "user", content_type: 1 },
      { name: "assistant", content_type: 1, schemaKey: 5 },
    ],
  }, u);
  assert.equal(created.body.code, 0, JSON.stringify(created.body));
  const id = created.body.dataset_id;
  const turn = (q: string, a: string, turnId?: string) => ({
    ...(turnId ? { id: turnId } : {}),
    data: [
      { key: "user", content: q },
      { key: "assistant", content: JSON.stringify({ role: "assistant", content: a }) },
    ],
  });
  const single = await post(server, `${D}/${id}/items/batch_create`, {
    ...ws,
    items: [{ data: [{ key: "user", content: "hi" }] }],
  }, u);
  assert.equal(single.body.code, 601104506, "single-turn values on a multi-turn dataset");
  assert.match(single.body.msg, /repeated_data/);
  const badTurn = await post(server, `${D}/${id}/items/batch_create`, {
    ...ws,
    items: [{
      repeated_data: [turn("hi", "hello"), {
        data: [{ key: "assistant", content: '{"role":"wizard"}' }],
      }],
    }],
  }, u);
  assert.equal(badTurn.body.code, 601104506, JSON.stringify(badTurn.body));
  assert.match(badTurn.body.msg, /assistant/);

  const r = await addItems(server, u, id, [
    { repeated_data: [turn("hi", "hello", "7"), turn("how are you?", "fine")] },
  ]);
  const itemId = r.added_items["0"];
  const v = await post(server, `${D}/${id}/versions`, { ...ws, version: "0.1.0" }, u);
  assert.equal(v.body.code, 0);
  const [item] = (await allItems(server, u, id)).items;
  assert.equal(item.data, undefined);
  assert.equal(item.repeated_data.length, 2);
  assert.equal(item.repeated_data[0].id, "7", "a given turn id is kept");
  assert.match(item.repeated_data[1].id, /^\d+$/, "a missing one is generated");
  assert.deepEqual(
    item.repeated_data.map((t: { data: { content: string }[] }) => t.data[0].content),
    ["hi", "how are you?"],
  );
  const upd = await post(
    server,
    `${D}/${id}/items/${itemId}`,
    {
      ...ws,
      repeated_data: [turn("bye", "goodbye")],
    },
    u,
    "PUT",
  );
  assert.equal(upd.body.code, 0, JSON.stringify(upd.body));
  const [draft] = (await allItems(server, u, id)).items;
  assert.equal(draft.repeated_data.length, 1);
  assert.equal(draft.repeated_data[0].data[0].content, "bye");
  const [old] = (await allItems(server, u, id, v.body.id)).items;
  assert.deepEqual(old.repeated_data, item.repeated_data, "the version keeps its turns");
});
