/**
 * Evaluation sets over HTTP (both modes): created with a schema, seen as a dataset of
 * category 4 by the data API, items as turns of field_data_list with string content types,
 * filled by a data import, committed and read by version; workspace isolation and bad input
 * on every route.
 */
import assert from "node:assert/strict";
import { post } from "./_client.ts";
import { serverTest } from "./_with_server.ts";
import { D, upload } from "./_datasets.ts";
import { importAndWait } from "./_io.ts";

const E = "/api/evaluation/v1/evaluation_sets";
const enc = new TextEncoder();

serverTest(
  "e2e evaluation sets: schema, items as turns, import, versions, isolation, bad input",
  async (t, { server, u, other, ws, q, call }) => {
    let id = "";
    let itemId = "";
    let versionId = "";

    await t.step("create with a schema; a dataset of category 4 there", async () => {
      const r = await call(E, {
        ...ws,
        name: "eval set",
        description: "qa",
        evaluation_set_schema: {
          field_schemas: [
            { name: "input", content_type: "Text", default_display_format: 2 },
            { name: "reference_output", content_type: "Text" },
            { name: "picture", content_type: "Image" },
            { name: "mixed", content_type: "MultiPart" },
          ],
        },
      });
      assert.equal(r.body.code, 0, JSON.stringify(r.body));
      id = r.body.evaluation_set_id;
      const g = await call(`${E}/${id}?${q}`, undefined, "GET");
      assert.equal(g.body.code, 0, JSON.stringify(g.body));
      const set = g.body.evaluation_set;
      assert.equal(set.name, "eval set");
      assert.equal(set.spec.max_item_count, "5000");
      const fields = set.evaluation_set_version.evaluation_set_schema.field_schemas;
      assert.deepEqual(
        fields.map((f: { content_type: string }) => f.content_type),
        ["Text", "Text", "Image", "MultiPart"],
      );
      assert.equal(fields[0].default_display_format, 2);
      const d = await call(`${D}/${id}?${q}`, undefined, "GET");
      assert.equal(d.body.dataset.category, 4);
      assert.equal(d.body.dataset.schema.fields[2].content_type, 2);
      const general = await call(D, {
        ...ws,
        name: "plain",
        fields: [{ name: "a", content_type: 1 }],
      });
      const l = await call(`${E}/list`, { ...ws, page_size: 50 });
      assert.deepEqual(l.body.evaluation_sets.map((s: { id: string }) => s.id), [id]);
      const notSet = await call(`${E}/${general.body.dataset_id}?${q}`, undefined, "GET");
      assert.equal(notSet.body.code, 601103001, "a general dataset is no evaluation set");
      const up = await call(`${E}/${id}`, { ...ws, name: "renamed", description: "d" }, "PATCH");
      assert.equal(up.body.code, 0);
      const s = await call(`${E}/${id}/schema`, {
        ...ws,
        fields: [...fields, { name: "extra", content_type: "Text" }],
      }, "PUT");
      assert.equal(s.body.code, 0, JSON.stringify(s.body));
    });

    await t.step("items as turns of field_data_list", async () => {
      await upload(server, u, "eval/p.png", new Uint8Array([137, 80, 78, 71]));
      const r = await call(`${E}/${id}/items/batch_create`, {
        ...ws,
        items: [{
          item_key: "k1",
          turns: [{
            field_data_list: [
              { name: "input", content: { content_type: "Text", text: "2+2?" } },
              { key: "reference_output", content: { content_type: "Text", text: "4" } },
              {
                name: "picture",
                content: { content_type: "Image", image: { name: "p.png", uri: "eval/p.png" } },
              },
              {
                name: "mixed",
                content: {
                  content_type: "MultiPart",
                  multi_part: [
                    { content_type: "Text", text: "see" },
                    { content_type: "Image", image: { uri: "eval/p.png" } },
                  ],
                },
              },
            ],
          }],
        }],
      });
      assert.equal(r.body.code, 0, JSON.stringify(r.body));
      itemId = r.body.added_items["0"];
      const g = await call(`${E}/${id}/items/batch_get`, { ...ws, item_ids: [itemId] });
      const item = g.body.items[0];
      assert.equal(item.item_key, "k1");
      assert.equal(item.turns.length, 1);
      const byName = Object.fromEntries(
        item.turns[0].field_data_list.map((f: { name: string; content: unknown }) => [
          f.name,
          f.content,
        ]),
      );
      assert.deepEqual(byName.input, { format: 2, content_type: "Text", text: "2+2?" });
      assert.equal(byName.picture.content_type, "Image");
      assert.equal(byName.picture.image.uri, "eval/p.png");
      assert.ok(byName.picture.image.url);
      assert.deepEqual(
        byName.mixed.multi_part.map((p: { content_type: string }) => p.content_type),
        ["Text", "Image"],
      );
      const u2 = await call(`${E}/${id}/items/${itemId}`, {
        ...ws,
        turns: [{ field_data_list: [{ name: "input", content: { text: "3+3?" } }] }],
      }, "PUT");
      assert.equal(u2.body.code, 0, JSON.stringify(u2.body));
      const l = await call(`${E}/${id}/items/list`, { ...ws, page_size: 10 });
      assert.equal(l.body.total, "1");
      assert.equal(l.body.items[0].turns[0].field_data_list[0].content.text, "3+3?");
    });

    await t.step("filled through the data import, committed, read by version", async () => {
      const csv = 'input,reference_output\nq1,a1\nq2,a2\n"multi\nline",a3\n';
      const job = await importAndWait(server, u, id, {
        key: "eval/set.csv",
        bytes: enc.encode(csv),
        mappings: [
          { source: "input", target: "input" },
          { source: "reference_output", target: "reference_output" },
        ],
      });
      assert.equal(job.progress.added, "3", JSON.stringify(job));
      const v = await call(`${E}/${id}/versions`, { ...ws, version: "1.0.0", desc: "first" });
      assert.equal(v.body.code, 0, JSON.stringify(v.body));
      versionId = v.body.id;
      await call(`${E}/${id}/items/clear`, ws);
      const draft = await call(`${E}/${id}/items/list`, ws);
      assert.equal(draft.body.total, "0");
      const versioned = await call(`${E}/${id}/items/list`, {
        ...ws,
        version_id: versionId,
        page_size: 10,
      });
      assert.equal(versioned.body.total, "4");
      const texts = versioned.body.items.map((it: {
        turns: { field_data_list: { name: string; content: { text?: string } }[] }[];
      }) => it.turns[0].field_data_list.find((f) => f.name === "input")?.content.text);
      assert.deepEqual(texts.sort(), ["3+3?", "multi\nline", "q1", "q2"]);
      const lv = await call(`${E}/${id}/versions/list`, ws);
      assert.equal(lv.body.versions[0].version, "1.0.0");
      assert.equal(lv.body.versions[0].item_count, "4");
      const gv = await call(`${E}/${id}/versions/${versionId}?${q}`, undefined, "GET");
      assert.equal(gv.body.version.description, "first");
      assert.equal(gv.body.version.evaluation_set_schema.field_schemas.length, 5);
      assert.equal(gv.body.evaluation_set.id, id);
      const bv = await call("/api/evaluation/v1/evaluation_set_versions/batch_get", {
        ...ws,
        version_ids: [versionId, "1"],
      });
      assert.equal(bv.body.versioned_evaluation_sets.length, 1);
    });

    await t.step(
      "isolation and bad input on every route: an error, nothing changed",
      async () => {
        const theirs = `workspace_id=${other.spaceId}`;
        const routes: [string, string, unknown][] = [
          ["GET", `${E}/${id}?${theirs}`, undefined],
          ["PATCH", `${E}/${id}`, { workspace_id: other.spaceId, name: "x" }],
          ["DELETE", `${E}/${id}?${theirs}`, undefined],
          ["PUT", `${E}/${id}/schema`, { workspace_id: other.spaceId, fields: [{ name: "a" }] }],
          ["POST", `${E}/${id}/versions`, { workspace_id: other.spaceId, version: "2.0.0" }],
          ["POST", `${E}/${id}/versions/list`, { workspace_id: other.spaceId }],
          ["GET", `${E}/${id}/versions/${versionId}?${theirs}`, undefined],
          ["POST", `${E}/${id}/items/batch_create`, {
            workspace_id: other.spaceId,
            items: [{
              turns: [{ field_data_list: [{ name: "input", content: { text: "x" } }] }],
            }],
          }],
          ["PUT", `${E}/${id}/items/${itemId}`, { workspace_id: other.spaceId, turns: [] }],
          ["POST", `${E}/${id}/items/batch_delete`, {
            workspace_id: other.spaceId,
            item_ids: [itemId],
          }],
          ["POST", `${E}/${id}/items/list`, { workspace_id: other.spaceId }],
          ["POST", `${E}/${id}/items/batch_get`, {
            workspace_id: other.spaceId,
            item_ids: [itemId],
          }],
          ["POST", `${E}/${id}/items/clear`, { workspace_id: other.spaceId }],
        ];
        for (const [method, path, body] of routes) {
          const r = await post(server, path, body, other, method);
          assert.ok(
            [601103001, 602000101].includes(r.body.code),
            `${method} ${path}: ${JSON.stringify(r.body)}`,
          );
          const named = path.replace(theirs, q);
          const r2 = await post(
            server,
            named,
            body && { ...body as object, ...ws },
            other,
            method,
          );
          assert.equal(r2.body.code, 602000101, `${method} ${named} in u's workspace`);
        }
        const bv = await post(server, "/api/evaluation/v1/evaluation_set_versions/batch_get", {
          workspace_id: other.spaceId,
          version_ids: [versionId],
        }, other);
        assert.deepEqual(bv.body.versioned_evaluation_sets, []);
        // Routes that name only the workspace: refused to a stranger naming u's.
        const wsRoutes: [string, unknown][] = [
          [E, { ...ws, name: "theirs", evaluation_set_schema: { field_schemas: [{ name: "a" }] } }],
          [`${E}/list`, ws],
          ["/api/evaluation/v1/evaluation_set_versions/batch_get", {
            ...ws,
            version_ids: [versionId],
          }],
        ];
        for (const [path, body] of wsRoutes) {
          const r = await post(server, path, body, other);
          assert.equal(r.body.code, 602000101, `${path}: ${JSON.stringify(r.body)}`);
        }
        const bad: [string, string, unknown][] = [
          ["POST", E, {
            ...ws,
            name: "",
            evaluation_set_schema: { field_schemas: [{ name: "a" }] },
          }],
          ["POST", E, {
            ...ws,
            name: "x",
            evaluation_set_schema: { field_schemas: [{ name: "a", content_type: "Weird" }] },
          }],
          ["POST", E, { name: "x", evaluation_set_schema: { field_schemas: [{ name: "a" }] } }],
          ["GET", `${E}/${id}`, undefined],
          ["GET", `${E}/abc?${q}`, undefined],
          ["PATCH", `${E}/${id}`, { ...ws, name: "x".repeat(300) }],
          ["PUT", `${E}/${id}/schema`, { ...ws, fields: [] }],
          ["POST", `${E}/${id}/versions`, { ...ws, version: "0.0.1" }],
          ["POST", `${E}/${id}/versions`, { ...ws, version: "not semver" }],
          ["GET", `${E}/${id}/versions/123?${q}`, undefined],
          ["POST", `${E}/${id}/items/batch_create`, { ...ws, items: [] }],
          ["POST", `${E}/${id}/items/batch_create`, {
            ...ws,
            items: [{ turns: [{ field_data_list: [{ name: "nope", content: { text: "x" } }] }] }],
          }],
          ["PUT", `${E}/${id}/items/999`, {
            ...ws,
            turns: [{ field_data_list: [{ name: "input", content: { text: "x" } }] }],
          }],
          ["POST", `${E}/${id}/items/batch_delete`, { ...ws, item_ids: [] }],
          ["POST", `${E}/${id}/items/list`, { ...ws, page_size: 1000 }],
          ["POST", `${E}/${id}/items/batch_get`, { ...ws, item_ids: "x" }],
          ["POST", "/api/evaluation/v1/evaluation_set_versions/batch_get", { ...ws }],
          ["POST", `${E}/list`, { ...ws, page_size: 0 }],
          ["POST", `${E}/list`, { ...ws, order_bys: [{ field: "weird" }] }],
          ["POST", `${E}/${id}/versions/list`, { ...ws, page_token: "x" }],
          ["POST", `${E}/${id}/items/clear`, {}],
          ["DELETE", `${E}/abc?${q}`, undefined],
          ["DELETE", `${E}/${id}`, undefined],
        ];
        for (const [method, path, body] of bad) {
          const r = await call(path, body, method);
          assert.notEqual(r.body.code, 0, `${method} ${path} ${JSON.stringify(body)}`);
          assert.ok(r.body.msg, `${method} ${path}: a message`);
        }
        const g = await call(`${E}/${id}?${q}`, undefined, "GET");
        assert.equal(g.body.evaluation_set.name, "renamed");
        assert.equal(g.body.evaluation_set.latest_version, "1.0.0");
        assert.equal(g.body.evaluation_set.item_count, "0");
        const del = await call(`${E}/${id}?${q}`, undefined, "DELETE");
        assert.equal(del.body.code, 0);
        const gone = await call(`${E}/${id}?${q}`, undefined, "GET");
        assert.equal(gone.body.code, 601103001);
      },
    );
  },
);
