/**
 * A dataset's whole life over HTTP: create with fields of every content type (keys from
 * names), items of each type (text with JSON schemas, an image in object storage, multi-part,
 * a large item kept in object storage), all-or-nothing and partial adds, item keys,
 * versions read back exactly after later edits, schema edits, soft delete.
 */
import assert from "node:assert/strict";
import { post } from "./_client.ts";
import { serverTest } from "./_with_server.ts";
import { addItems, allItems, createDataset, D, textItem, texts, upload, V } from "./_datasets.ts";

// Presigned URLs differ from one read to the next (their expiry).
const stripUrls = <T>(v: T): T =>
  JSON.parse(JSON.stringify(v, (k, x) => (k === "url" ? undefined : x)));

const PNG = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 1, 2, 3, 4]);

serverTest(
  "e2e datasets: fields, items of each type, versions, schema edits, soft delete",
  async (t, { server, u, ws }) => {
    const id = await createDataset(server, u, { name: "qa set" });
    const ids: string[] = [];

    await t.step("create: keys from names, defaults, unique names", async () => {
      const g = await post(server, `${D}/${id}?workspace_id=${u.spaceId}`, undefined, u, "GET");
      assert.equal(g.body.code, 0, JSON.stringify(g.body));
      const d = g.body.dataset;
      assert.deepEqual(
        d.schema.fields.map((f: { key: string }) => f.key),
        ["question", "answer", "key_1", "picture", "mixed"],
      );
      assert.equal(d.schema.fields[2].schemaKey, 2);
      assert.deepEqual(d.spec, {
        max_item_count: "30000",
        max_field_count: 50,
        max_item_size: "204800",
      });
      assert.deepEqual(d.features, { editSchema: true, repeatedData: false, multiModal: true });
      assert.equal(d.item_count, "0");
      assert.equal(d.category, 1);
      const dup = await post(server, D, {
        ...ws,
        name: "QA set",
        fields: [{ name: "a", content_type: 1 }],
      }, u);
      assert.equal(dup.body.code, 601104504, JSON.stringify(dup.body));
      const evalSet = await post(server, D, {
        ...ws,
        name: "qa set",
        category: 4,
        fields: [{ name: "a", content_type: 1 }],
      }, u);
      assert.equal(evalSet.body.code, 0, "the same name in another category");
      const e = await post(server, `${D}/${evalSet.body.dataset_id}`, undefined, u, "GET");
      assert.equal(e.body.dataset.spec.max_item_count, "5000");
      const list = await post(server, `${D}/list`, { ...ws, name: "qa", page_size: 1 }, u);
      assert.equal(list.body.total, "2");
      assert.equal(list.body.datasets.length, 1);
      const next = await post(server, `${D}/list`, {
        ...ws,
        name: "qa",
        page_size: 1,
        page_token: list.body.next_page_token,
      }, u);
      assert.notEqual(next.body.datasets[0].id, list.body.datasets[0].id);
      const byCategory = await post(server, `${D}/list`, { ...ws, category: 4 }, u);
      assert.deepEqual(byCategory.body.datasets.map((x: { id: string }) => x.id), [
        evalSet.body.dataset_id,
      ]);
    });

    await t.step("items of each type; invalid ones refused all or nothing", async () => {
      await upload(server, u, "pics/cat.png", PNG);
      const items = [
        textItem({ question: "2+2?", answer: '{"text":"4","score":1}', key_1: "4" }, "k1"),
        {
          item_key: "k2",
          data: [
            { name: "question", content: "what is this?" },
            {
              key: "picture",
              attachments: [{ name: "cat.png", uri: "pics/cat.png", provider: 5 }],
            },
            {
              key: "mixed",
              content_type: 100,
              parts: [
                { content_type: 1, content: "look:" },
                { content_type: 2, attachments: [{ name: "cat.png", uri: "pics/cat.png" }] },
              ],
            },
          ],
        },
        textItem({ question: "big", answer: JSON.stringify({ text: "x".repeat(100_000) }) }),
      ];
      const bad = await post(server, `${D}/${id}/items/batch_create`, {
        ...ws,
        items: [...items, textItem({ key_1: "four" }), textItem({ answer: '{"score":1}' })],
      }, u);
      assert.equal(bad.body.code, 601104506, JSON.stringify(bad.body));
      assert.match(bad.body.msg, /items\[3\].*Score!/);
      assert.match(bad.body.msg, /items\[4\].*text/);
      assert.equal((await allItems(server, u, id)).total, 0, "nothing was added");
      const missing = await post(server, `${D}/${id}/items/batch_create`, {
        ...ws,
        items: [{ data: [{ key: "picture", attachments: [{ uri: "pics/none.png" }] }] }],
      }, u);
      assert.equal(missing.body.code, 601104506);
      assert.match(missing.body.msg, /pics\/none\.png/);

      const ok = await addItems(server, u, id, [...items, textItem({ key_1: "four" })], {
        skip_invalid_items: true,
      });
      assert.deepEqual(Object.keys(ok.added_items), ["0", "1", "2"]);
      assert.equal(ok.errors[0].type, 1);
      assert.deepEqual(ok.errors[0].details.map((x: { index: number }) => x.index), [3]);
      ids.push(...Object.values(ok.added_items as Record<string, string>));
      const again = await addItems(server, u, id, [textItem({ question: "changed" }, "k1")]);
      assert.equal(again.added_items["0"], ids[0], "an item key already in the draft: same id");
    });

    await t.step("read back: list, get, batch get, attachments, the large item", async () => {
      const { items, total } = await allItems(server, u, id);
      assert.equal(total, 3);
      assert.deepEqual(items.map((x) => x.item_id), ids);
      assert.deepEqual(texts(items[0]), {
        question: "2+2?",
        answer: '{"text":"4","score":1}',
        key_1: "4",
      });
      assert.equal(items[0].data[0].name, "question");
      assert.equal(items[0].data[0].format, 2, "the field's default format");
      const pic = items[1].data.find((v: { key: string }) => v.key === "picture");
      assert.equal(pic.content_type, 2);
      assert.equal(pic.attachments[0].uri, "pics/cat.png");
      const res = await fetch(pic.attachments[0].url);
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), PNG, "the signed URL serves it");
      const mixed = items[1].data.find((v: { key: string }) => v.key === "mixed");
      assert.deepEqual(mixed.parts.map((p: { content_type: number }) => p.content_type), [1, 2]);
      const big = await post(
        server,
        `${D}/${id}/items/${ids[2]}?workspace_id=${u.spaceId}`,
        undefined,
        u,
        "GET",
      );
      assert.equal(JSON.parse(texts(big.body.item).answer).text.length, 100_000);
      const some = await post(server, `${D}/${id}/items/batch_get`, {
        ...ws,
        item_ids: [ids[2], ids[0], "1"],
      }, u);
      assert.deepEqual(some.body.items.map((x: { item_id: string }) => x.item_id), [
        ids[2],
        ids[0],
      ]);
      const ds = await post(server, `${D}/${id}`, undefined, u, "GET");
      assert.equal(ds.body.dataset.item_count, "3");
      assert.equal(ds.body.dataset.change_uncommitted, true);
    });

    let v1 = "";
    await t.step("a version reads exactly its items after later edits", async () => {
      const c = await post(server, `${D}/${id}/versions`, {
        ...ws,
        version: "1.0.0",
        desc: "first",
      }, u);
      assert.equal(c.body.code, 0, JSON.stringify(c.body));
      v1 = c.body.id;
      const before = stripUrls(await allItems(server, u, id, v1));
      const upd = await post(
        server,
        `${D}/${id}/items/${ids[0]}`,
        {
          ...ws,
          data: [{ key: "question", content: "3+3?" }],
        },
        u,
        "PUT",
      );
      assert.equal(upd.body.code, 0, JSON.stringify(upd.body));
      const upd2 = await post(
        server,
        `${D}/${id}/items/${ids[0]}`,
        { ...ws, data: [{ key: "question", content: "5+5?" }] },
        u,
        "PUT",
      );
      assert.equal(upd2.body.code, 0);
      const del = await post(
        server,
        `${D}/${id}/items/${ids[2]}?workspace_id=${u.spaceId}`,
        undefined,
        u,
        "DELETE",
      );
      assert.equal(del.body.code, 0, JSON.stringify(del.body));
      await addItems(server, u, id, [textItem({ question: "new one" })]);
      const draft = await allItems(server, u, id);
      assert.equal(draft.total, 3);
      assert.deepEqual(texts(draft.items[0]), { question: "5+5?" });
      assert.equal(draft.items[0].item_id, ids[0], "an update keeps the item id");
      const after = stripUrls(await allItems(server, u, id, v1));
      assert.deepEqual(after, before, "version 1.0.0 unchanged");
      assert.equal(after.total, 3);
      assert.deepEqual(texts(after.items[0]), {
        question: "2+2?",
        answer: '{"text":"4","score":1}',
        key_1: "4",
      });
      const lower = await post(server, `${D}/${id}/versions`, { ...ws, version: "0.9.0" }, u);
      assert.equal(lower.body.code, 602000202);
      const bad = await post(server, `${D}/${id}/versions`, { ...ws, version: "v2" }, u);
      assert.equal(bad.body.code, 602000202);
      const c2 = await post(server, `${D}/${id}/versions`, { ...ws, version: "1.1.0-rc.1" }, u);
      assert.equal(c2.body.code, 0);
      const clear = await post(server, `${D}/${id}/items/clear`, ws, u);
      assert.equal(clear.body.code, 0);
      assert.equal((await allItems(server, u, id)).total, 0);
      assert.deepEqual(
        stripUrls(await allItems(server, u, id, v1)),
        before,
        "still unchanged after clear",
      );
      assert.equal((await allItems(server, u, id, c2.body.id)).total, 3);
      const vs = await post(server, `${D}/${id}/versions/list`, { ...ws }, u);
      assert.deepEqual(vs.body.versions.map((v: { version: string }) => v.version), [
        "1.1.0-rc.1",
        "1.0.0",
      ]);
      assert.equal(vs.body.versions[1].item_count, "3");
      assert.equal(vs.body.versions[1].version_num, "1");
      const g = await post(server, `${V}/${v1}?workspace_id=${u.spaceId}`, undefined, u, "GET");
      assert.equal(g.body.version.description, "first");
      assert.equal(g.body.dataset.id, id);
      const bg = await post(
        server,
        `${V}/batch_get`,
        { ...ws, version_ids: [c2.body.id, v1] },
        u,
      );
      assert.deepEqual(
        bg.body.versioned_dataset.map((x: { version: { id: string } }) => x.version.id),
        [c2.body.id, v1],
      );
      const vi = await post(server, `${D}/${id}/versions/${v1}/items/batch_get`, {
        ...ws,
        item_ids: [ids[2]],
      }, u);
      assert.equal(JSON.parse(texts(vi.body.items[0]).answer).text.length, 100_000);
    });

    await t.step("schema: edits keep deleted fields; versions keep their schema", async () => {
      await addItems(server, u, id, [textItem({ question: "q", key_1: "7" })]);
      const s = await post(
        server,
        `${D}/${id}/schema?workspace_id=${u.spaceId}`,
        undefined,
        u,
        "GET",
      );
      const fields = s.body.fields;
      // Content type of an existing field, on a non-empty draft: refused.
      const incompatible = await post(
        server,
        `${D}/${id}/schema`,
        {
          ...ws,
          fields: fields.map((f: { key: string }) =>
            f.key === "question" ? { ...f, content_type: 2 } : f
          ),
        },
        u,
        "PUT",
      );
      assert.equal(incompatible.body.code, 601104502, JSON.stringify(incompatible.body));
      const stricter = await post(
        server,
        `${D}/${id}/schema`,
        {
          ...ws,
          fields: fields.map((f: { key: string }) =>
            f.key === "key_1"
              ? { ...f, schemaKey: undefined, text_schema: '{"type":"integer","minimum":10}' }
              : f
          ),
        },
        u,
        "PUT",
      );
      assert.equal(stricter.body.code, 601104502);
      // Drop "mixed", add "notes": compatible.
      const edit = await post(
        server,
        `${D}/${id}/schema`,
        {
          ...ws,
          fields: [...fields.filter((f: { key: string }) => f.key !== "mixed"), {
            name: "notes",
            content_type: 1,
          }],
        },
        u,
        "PUT",
      );
      assert.equal(edit.body.code, 0, JSON.stringify(edit.body));
      const all = await post(server, `${D}/${id}/schema?with_deleted=true`, undefined, u, "GET");
      assert.deepEqual(
        all.body.fields.map((f: { key: string; status: number }) => `${f.key}:${f.status}`),
        ["question:1", "answer:1", "key_1:1", "picture:1", "notes:1", "mixed:2"],
      );
      const v = await post(server, `${V}/${v1}`, undefined, u, "GET");
      assert.ok(v.body.dataset.schema.fields.some((f: { key: string }) => f.key === "mixed"));
      assert.notEqual(
        v.body.dataset.schema.id,
        (await post(server, `${D}/${id}`, undefined, u, "GET")).body.dataset.schema_id,
      );
      const bad = await addItems(server, u, id, [textItem({ mixed: "x" })], {
        skip_invalid_items: true,
      });
      assert.match(bad.errors[0].details[0].message, /deleted/);
      const cleared = await post(server, `${D}/${id}/items/clear`, ws, u);
      assert.equal(cleared.body.code, 0);
      const nowOk = await post(
        server,
        `${D}/${id}/schema`,
        {
          ...ws,
          fields: [{ key: "question", name: "question", content_type: 2 }],
        },
        u,
        "PUT",
      );
      assert.equal(nowOk.body.code, 0, "an incompatible edit on an empty draft");
    });

    await t.step(
      "update and soft delete: the name is freed, versions stay readable",
      async () => {
        const ren = await post(
          server,
          `${D}/${id}`,
          { ...ws, name: "renamed", description: "d2" },
          u,
          "PATCH",
        );
        assert.equal(ren.body.code, 0);
        const del = await post(
          server,
          `${D}/${id}?workspace_id=${u.spaceId}`,
          undefined,
          u,
          "DELETE",
        );
        assert.equal(del.body.code, 0);
        const gone = await post(server, `${D}/${id}`, undefined, u, "GET");
        assert.equal(gone.body.code, 601103001);
        const kept = await post(server, `${D}/${id}?with_deleted=true`, undefined, u, "GET");
        assert.equal(kept.body.dataset.status, 2);
        assert.equal(kept.body.dataset.name, "renamed");
        const reuse = await post(server, D, {
          ...ws,
          name: "renamed",
          fields: [{ name: "a", content_type: 1 }],
        }, u);
        assert.equal(reuse.body.code, 0);
        const v = await post(server, `${V}/${v1}?with_deleted=true`, undefined, u, "GET");
        assert.equal(v.body.code, 0);
        const list = await post(server, `${D}/list`, ws, u);
        assert.ok(!list.body.datasets.some((x: { id: string }) => x.id === id));
      },
    );
  },
);
