/**
 * Evaluation set items as entities with versions, over HTTP (both modes): item definitions,
 * an item's versions across set versions (read by id and by set version, notes set on one),
 * one field of a revision, existing items copied into another set; workspace isolation and
 * bad input on each (an error, nothing changed).
 */
import assert from "node:assert/strict";
import { post } from "./_client.ts";
import { serverTest } from "./_with_server.ts";

const E = "/api/evaluation/v1/evaluation_sets";

// deno-lint-ignore no-explicit-any
type Json = any;
const turn = (input: string, output?: string) => ({
  turns: [{
    field_data_list: [
      { name: "input", content: { content_type: "Text", text: input } },
      ...(output ? [{ name: "reference_output", content: { text: output } }] : []),
    ],
  }],
});
const textOf = (turns: Json[], name: string) =>
  turns[0].field_data_list.find((f: Json) => f.name === name)?.content.text;

serverTest(
  "e2e evaluation set items: definitions, versions, notes, field, add existing",
  async (t, { server, other, ws, q, call }) => {
    const newSet = async (name: string, fields: Json[]) => {
      const r = await call(E, { ...ws, name, evaluation_set_schema: { field_schemas: fields } });
      assert.equal(r.body.code, 0, JSON.stringify(r.body));
      return r.body.evaluation_set_id as string;
    };
    const id = await newSet("versioned", [
      { name: "input", content_type: "Text" },
      { name: "reference_output", content_type: "Text" },
    ]);
    const add = await call(`${E}/${id}/items/batch_create`, {
      ...ws,
      items: [{ item_key: "a", ...turn("one", "1") }, { item_key: "b", ...turn("two", "2") }],
    });
    assert.equal(add.body.code, 0, JSON.stringify(add.body));
    const [itemA, itemB] = [add.body.added_items["0"], add.body.added_items["1"]];
    const versions = async (item: string) => {
      const r = await call(`${E}/${id}/items/${item}/versions/list`, ws);
      assert.equal(r.body.code, 0, JSON.stringify(r.body));
      return r.body;
    };

    await t.step("item versions follow commits and edits", async () => {
      const draft = await versions(itemA);
      assert.equal(draft.total, "1");
      assert.equal(draft.versions[0].status, "draft");
      assert.equal(draft.versions[0].version, "");
      assert.equal(
        await call(`${E}/${id}/versions`, { ...ws, version: "1.0.0" }).then((r) => r.body.code),
        0,
      );
      const edit = await call(
        `${E}/${id}/items/${itemA}`,
        { ...ws, ...turn("one, edited") },
        "PUT",
      );
      assert.equal(edit.body.code, 0, JSON.stringify(edit.body));
      const l = await versions(itemA);
      assert.equal(l.total, "2");
      const [now, old] = l.versions;
      assert.equal(now.status, "draft");
      assert.equal(textOf(now.turns, "input"), "one, edited");
      assert.equal(old.status, "archived");
      assert.equal(old.version, "1.0.0");
      assert.equal(old.version_num, "1");
      assert.equal(textOf(old.turns, "input"), "one");
      assert.equal((await versions(itemB)).versions[0].status, "committed");
      const byId = await call(
        `${E}/${id}/items/${itemA}/versions/${old.item_version_id}?${q}`,
        undefined,
        "GET",
      );
      assert.equal(byId.body.code, 0, JSON.stringify(byId.body));
      assert.equal(textOf(byId.body.version.turns, "input"), "one");
      const byName = await call(
        `${E}/${id}/items/${itemA}/versions/0?${q}&item_version=1.0.0`,
        undefined,
        "GET",
      );
      assert.equal(byName.body.version.item_version_id, old.item_version_id);
      const note = await call(`${E}/${id}/items/${itemA}/versions/${old.item_version_id}`, {
        ...ws,
        description: "before the fix",
        status: "reviewed",
      }, "PATCH");
      assert.equal(note.body.code, 0, JSON.stringify(note.body));
      const again = (await versions(itemA)).versions[1];
      assert.equal(again.description, "before the fix");
      assert.equal(again.status, "reviewed");
      assert.equal(textOf(again.turns, "input"), "one", "a note changes no value");
    });

    await t.step("item definitions and one field of a revision", async () => {
      const l = await call(`${E}/${id}/item_defs/list`, { ...ws, page_size: 1 });
      assert.equal(l.body.code, 0, JSON.stringify(l.body));
      assert.equal(l.body.total, "2");
      assert.equal(l.body.item_defs.length, 1);
      assert.ok(l.body.next_page_token);
      const l2 = await call(`${E}/${id}/item_defs/list`, {
        ...ws,
        page_size: 1,
        page_token: l.body.next_page_token,
      });
      const ids = [l.body.item_defs[0].item_id, l2.body.item_defs[0].item_id].sort();
      assert.deepEqual(ids, [itemA, itemB].sort());
      const g = await call(`${E}/${id}/item_defs/${itemB}?${q}`, undefined, "GET");
      assert.equal(g.body.code, 0, JSON.stringify(g.body));
      assert.equal(g.body.item_def.item_key, "b");
      assert.equal(g.body.item_def.status, "available");
      assert.equal(g.body.item_def.latest_version, "1.0.0");
      const items = await call(`${E}/${id}/items/batch_get`, { ...ws, item_ids: [itemA] });
      const pk = items.body.items[0].id;
      const f = await call(
        `${E}/${id}/items/${pk}/field?${q}&field_name=input`,
        undefined,
        "GET",
      );
      assert.equal(f.body.code, 0, JSON.stringify(f.body));
      assert.deepEqual(f.body.field_data, {
        key: "input",
        name: "input",
        content: { content_type: "Text", text: "one, edited" },
      });
      const byKey = await call(
        `${E}/${id}/items/${pk}/field?${q}&field_key=reference_output&field_name=input`,
        undefined,
        "GET",
      );
      assert.equal(byKey.body.field_data.name, "reference_output");
    });

    await t.step("batch_add_exist copies items by field name, once", async () => {
      const target = await newSet("target", [
        { name: "reference_output", content_type: "Text" },
        { name: "input", content_type: "Text" },
      ]);
      const old = (await versions(itemA)).versions[1].item_version_id;
      const body = {
        ...ws,
        items: [
          { item_id: itemA },
          { item_id: itemA, item_version_id: old },
          { item_id: itemB, item_version: "1.0.0" },
          { item_id: "12345" },
        ],
      };
      const r = await call(`${E}/${target}/items/batch_add_exist`, body);
      assert.equal(r.body.code, 0, JSON.stringify(r.body));
      assert.equal(r.body.success_count, 3);
      assert.equal(r.body.failed_count, 1);
      assert.deepEqual(r.body.failed_items, [{ item_id: "12345" }]);
      const again = await call(`${E}/${target}/items/batch_add_exist`, body);
      assert.equal(again.body.success_count, 3);
      const l = await call(`${E}/${target}/items/list`, { ...ws, page_size: 10 });
      assert.equal(l.body.total, "3", "the same versions added twice are there once");
      const inputs = l.body.items.map((it: Json) => textOf(it.turns, "input")).sort();
      assert.deepEqual(inputs, ["one", "one, edited", "two"]);
      const outputs = l.body.items.map((it: Json) => textOf(it.turns, "reference_output"));
      assert.ok(outputs.includes("2"));
      const self = await call(`${E}/${id}/items/batch_add_exist`, {
        ...ws,
        items: [{ item_id: itemB }],
      });
      assert.equal(self.body.success_count, 1, "already in the set");
      const count = await call(`${E}/${id}?${q}`, undefined, "GET");
      assert.equal(count.body.evaluation_set.item_count, "2");
    });

    await t.step("isolation and bad input: an error, nothing changed", async () => {
      const before = await versions(itemA);
      const vid = before.versions[0].item_version_id;
      const theirs = `workspace_id=${other.spaceId}`;
      const routes: [string, string, Json][] = [
        ["POST", `${E}/${id}/items/batch_add_exist`, { items: [{ item_id: itemA }] }],
        ["GET", `${E}/${id}/item_defs/${itemA}?${theirs}`, undefined],
        ["POST", `${E}/${id}/item_defs/list`, {}],
        ["POST", `${E}/${id}/items/${itemA}/versions/list`, {}],
        ["GET", `${E}/${id}/items/${itemA}/versions/${vid}?${theirs}`, undefined],
        ["PATCH", `${E}/${id}/items/${itemA}/versions/${vid}`, { description: "x" }],
        ["GET", `${E}/${id}/items/${vid}/field?${theirs}&field_name=input`, undefined],
      ];
      for (const [method, path, body] of routes) {
        const r = await post(
          server,
          path,
          body && { ...body, workspace_id: other.spaceId },
          other,
          method,
        );
        assert.ok(
          [601103001, 602000101].includes(r.body.code),
          `${method} ${path}: ${JSON.stringify(r.body)}`,
        );
        const named = path.replace(theirs, q);
        const r2 = await post(server, named, body && { ...body, ...ws }, other, method);
        assert.equal(r2.body.code, 602000101, `${method} ${named} in u's workspace`);
      }
      const bad: [string, string, Json][] = [
        ["POST", `${E}/${id}/items/batch_add_exist`, { ...ws, items: [] }],
        ["POST", `${E}/${id}/items/batch_add_exist`, { ...ws, items: [{ item_id: "x" }] }],
        ["GET", `${E}/${id}/item_defs/999?${q}`, undefined],
        ["POST", `${E}/${id}/item_defs/list`, { ...ws, page_token: "nope" }],
        ["POST", `${E}/${id}/item_defs/list`, { ...ws, order_bys: [{ field: "weird" }] }],
        ["POST", `${E}/${id}/items/999/versions/list`, ws],
        ["POST", `${E}/${id}/items/${itemA}/versions/list`, { ...ws, page_token: "x" }],
        ["GET", `${E}/${id}/items/${itemA}/versions/0?${q}`, undefined],
        ["GET", `${E}/${id}/items/${itemA}/versions/0?${q}&item_version=9.9.9`, undefined],
        ["GET", `${E}/${id}/items/${itemA}/versions/123?${q}`, undefined],
        ["PATCH", `${E}/${id}/items/${itemA}/versions/${vid}`, { ...ws, status: "x".repeat(65) }],
        ["PATCH", `${E}/${id}/items/${itemB}/versions/${vid}`, { ...ws, description: "x" }],
        ["GET", `${E}/${id}/items/${vid}/field?${q}`, undefined],
        ["GET", `${E}/${id}/items/${vid}/field?${q}&field_name=nope`, undefined],
        ["GET", `${E}/${id}/items/123/field?${q}&field_name=input`, undefined],
      ];
      for (const [method, path, body] of bad) {
        const r = await call(path, body, method);
        assert.notEqual(r.body.code, 0, `${method} ${path} ${JSON.stringify(body)}`);
        assert.ok(r.body.msg, `${method} ${path}: a message`);
      }
      assert.deepEqual(await versions(itemA), before, "nothing changed");
      const count = await call(`${E}/${id}?${q}`, undefined, "GET");
      assert.equal(count.body.evaluation_set.item_count, "2");
    });
  },
);
