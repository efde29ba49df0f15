/**
 * Datasets: workspace isolation on every route (a member's call works, an outsider naming
 * the workspace is refused `no permission`, an outsider naming only ids finds nothing), and
 * bad input on every route (a clear error naming the field, nothing changed).
 */
import assert from "node:assert/strict";
import type { ServerProcess } from "../_server.ts";
import { post, type TestUser } from "./_client.ts";
import { serverTest } from "./_with_server.ts";
import { assertWorkspaceIsolation } from "./_isolation.ts";
import { addItems, allItems, createDataset, D, textItem, V } from "./_datasets.ts";

type Call = [method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: unknown];

/** A dataset with two items and version 1.0.0; its ids. */
async function world(server: ServerProcess, u: TestUser) {
  const id = await createDataset(server, u);
  const added = await addItems(server, u, id, [
    textItem({ question: "a" }),
    textItem({ question: "b" }),
  ]);
  const items = Object.values(added.added_items) as string[];
  const v = await post(
    server,
    `${D}/${id}/versions`,
    { workspace_id: u.spaceId, version: "1.0.0" },
    u,
  );
  assert.equal(v.body.code, 0, JSON.stringify(v.body));
  return { id, items, version: v.body.id as string };
}

/** Every dataset route, as a call on workspace `s` (mutating ones on `w`'s objects). */
function calls(s: string, w: { id: string; items: string[]; version: string }): Call[] {
  const q = `?workspace_id=${s}`;
  const it = `${D}/${w.id}/items`;
  return [
    ["POST", D, {
      workspace_id: s,
      name: `n${crypto.randomUUID()}`,
      fields: [{ name: "a", content_type: 1 }],
    }],
    ["POST", `${D}/list`, { workspace_id: s }],
    ["GET", `${D}/${w.id}${q}`],
    ["POST", `${D}/batch_get`, { workspace_id: s, dataset_ids: [w.id] }],
    ["PATCH", `${D}/${w.id}`, { workspace_id: s, description: "x" }],
    ["GET", `${D}/${w.id}/schema${q}`],
    ["PUT", `${D}/${w.id}/schema`, {
      workspace_id: s,
      fields: [{ key: "question", name: "question", content_type: 1 }],
    }],
    ["POST", `${it}/batch_create`, { workspace_id: s, items: [textItem({ question: "c" })] }],
    ["PUT", `${it}/${w.items[0]}`, { workspace_id: s, data: [{ key: "question", content: "a2" }] }],
    ["GET", `${it}/${w.items[0]}${q}`],
    ["POST", `${it}/batch_get`, { workspace_id: s, item_ids: w.items }],
    ["POST", `${it}/list`, { workspace_id: s }],
    ["POST", `${D}/${w.id}/versions/list`, { workspace_id: s }],
    ["GET", `${V}/${w.version}${q}`],
    ["POST", `${V}/batch_get`, { workspace_id: s, version_ids: [w.version] }],
    ["POST", `${D}/${w.id}/versions/${w.version}/items/list`, { workspace_id: s }],
    ["POST", `${D}/${w.id}/versions/${w.version}/items/batch_get`, {
      workspace_id: s,
      item_ids: w.items,
    }],
    ["POST", `${D}/${w.id}/versions`, { workspace_id: s, version: `2.0.${Date.now()}` }],
    ["DELETE", `${it}/${w.items[1]}${q}`],
    ["POST", `${it}/batch_delete`, { workspace_id: s, item_ids: [w.items[0]] }],
    ["POST", `${it}/clear`, { workspace_id: s }],
    ["DELETE", `${D}/${w.id}${q}`],
  ];
}

serverTest(
  "e2e datasets: workspace isolation and bad input on every route",
  async (t, { server, u: a, other: b }) => {
    await t.step("an outsider naming the owner's workspace: no permission", async () => {
      // A fresh world per call: the owner's call may delete what the next one needs.
      const count = calls(a.spaceId, await world(server, a)).length;
      for (let i = 0; i < count; i++) {
        const [method, path, body] = calls(a.spaceId, await world(server, a))[i];
        await assertWorkspaceIsolation(server, {
          path,
          method,
          body: () => body,
          auth: "cookie",
        }, { owner: a, outsider: b });
      }
    });

    await t.step("an outsider naming only ids finds nothing, and changes nothing", async () => {
      const w = await world(server, a);
      const before = await allItems(server, a, w.id);
      for (const [method, path, body] of calls(b.spaceId, w).slice(1)) {
        const r = await post(server, path, body, b, method);
        if (path.endsWith("/list") && path === `${D}/list`) continue; // b's own list
        if (path === `${V}/batch_get` || path === `${D}/batch_get`) {
          assert.equal(r.body.code, 0, `${method} ${path}`);
          const found = r.body.versioned_dataset ?? r.body.datasets;
          assert.deepEqual(found, [], `${method} ${path}: nothing of another workspace`);
          continue;
        }
        assert.equal(r.body.code, 601103001, `${method} ${path}: ${JSON.stringify(r.body)}`);
        const noWs = await post(server, path.split("?")[0], stripWs(body), b, method);
        assert.equal(noWs.body.code, 601103001, `${method} ${path} without workspace`);
      }
      assert.deepEqual(await allItems(server, a, w.id), before, "nothing changed");
    });

    await t.step("bad input: a clear error naming the field, nothing changed", async () => {
      const w = await world(server, a);
      const s = a.spaceId;
      const it = `${D}/${w.id}/items`;
      const item = (data: unknown) => ({ workspace_id: s, items: [{ data }] });
      const cases: [Call, number, RegExp][] = [
        [["POST", D, { workspace_id: s, name: "x", fields: [] }], 602000202, /fields/],
        [
          ["POST", D, { workspace_id: s, name: "x", fields: [{ name: "a", content_type: 7 }] }],
          601104500,
          /content_type/,
        ],
        [
          ["POST", D, {
            workspace_id: s,
            name: "x",
            fields: [{ name: "a", content_type: 1, text_schema: "{nope" }],
          }],
          601104500,
          /text_schema/,
        ],
        [
          ["POST", D, {
            workspace_id: s,
            name: "x",
            fields: [{ name: "a", content_type: 1 }, { name: "a", content_type: 1 }],
          }],
          601104500,
          /twice/,
        ],
        [
          ["POST", D, {
            workspace_id: s,
            name: "x",
            spec: { max_item_count: 99999 },
            fields: [{ name: "a", content_type: 1 }],
          }],
          602000202,
          /max_item_count/,
        ],
        [
          ["POST", D, {
            workspace_id: "abc",
            name: "x",
            fields: [{ name: "a", content_type: 1 }],
          }],
          602000202,
          /workspace_id/,
        ],
        [["POST", `${D}/list`, { workspace_id: s, page_size: 500 }], 602000202, /page_size/],
        [
          ["POST", `${D}/list`, { workspace_id: s, order_bys: [{ field: "name" }] }],
          602000202,
          /order_bys/,
        ],
        [["POST", `${D}/list`, { workspace_id: s, page_token: "zz" }], 602000202, /page_token/],
        [["GET", `${D}/xyz`], 602000202, /dataset_id/],
        [
          ["POST", `${D}/batch_get`, { workspace_id: s, dataset_ids: ["0"] }],
          602000202,
          /dataset_ids/,
        ],
        [["PATCH", `${D}/${w.id}`, { name: "y".repeat(300) }], 602000202, /name/],
        [
          ["PUT", `${D}/${w.id}/schema`, {
            fields: [{ name: "q", content_type: 1, key: "bad key" }],
          }],
          601104500,
          /key/,
        ],
        [
          ["PUT", `${D}/${w.id}/schema`, {
            fields: [{ key: "question", name: "question", content_type: 2 }],
          }],
          601104502,
          /question/,
        ],
        [["POST", `${it}/batch_create`, { workspace_id: s, items: [] }], 602000202, /items/],
        [
          ["POST", `${it}/batch_create`, item([{ key: "nope", content: "x" }])],
          601104506,
          /nope/,
        ],
        [
          ["POST", `${it}/batch_create`, item([{ key: "Score!", content: "x" }])],
          601104506,
          /Score/,
        ],
        [
          ["POST", `${it}/batch_create`, item([{ key: "key_1", content: "1.5" }])],
          601104506,
          /integer/,
        ],
        [
          [
            "POST",
            `${it}/batch_create`,
            item([{ key: "picture", attachments: [{ uri: "../x" }] }]),
          ],
          601104506,
          /uri/,
        ],
        [
          [
            "POST",
            `${it}/batch_create`,
            item([{ key: "question", content: "x".repeat(210_000) }]),
          ],
          601104506,
          /exceeds/,
        ],
        [["POST", `${it}/batch_create`, item([])], 601104506, /no value/],
        [
          ["POST", `${it}/batch_create`, {
            workspace_id: s,
            items: [textItem({ question: "x" }, "k"), textItem({ question: "y" }, "k")],
          }],
          601104506,
          /item_key/,
        ],
        [
          ["PUT", `${it}/${w.items[0]}`, { data: [{ key: "answer", content: "not json" }] }],
          601104506,
          /JSON/,
        ],
        [
          ["PUT", `${it}/123`, { data: [{ key: "question", content: "x" }] }],
          601103001,
          /item 123/,
        ],
        [["DELETE", `${it}/123`], 601103001, /item 123/],
        [["GET", `${it}/123`], 601103001, /item 123/],
        [["POST", `${it}/batch_delete`, { item_ids: [] }], 602000202, /item_ids/],
        [["POST", `${it}/batch_get`, { item_ids: ["x"] }], 602000202, /item_ids/],
        [["POST", `${it}/list`, { page_number: 0 }], 602000202, /page_number/],
        [["POST", `${it}/clear`, "not json"], 602000202, /body/],
        [["POST", `${D}/${w.id}/versions`, { version: "1.0" }], 602000202, /version/],
        [["POST", `${D}/${w.id}/versions`, { version: "1.0.0" }], 602000202, /greater/],
        [["POST", `${D}/${w.id}/versions/list`, { page_size: 0 }], 602000202, /page_size/],
        [["GET", `${V}/0`], 602000202, /version_id/],
        [["GET", `${V}/123`], 601103001, /version 123/],
        [["POST", `${V}/batch_get`, { version_ids: [w.version] }], 602000202, /workspace_id/],
        [["POST", `${D}/${w.id}/versions/123/items/list`, {}], 601103001, /version 123/],
        [
          ["POST", `${D}/${w.id}/versions/${w.version}/items/batch_get`, { item_ids: "x" }],
          602000202,
          /item_ids/,
        ],
        [["DELETE", `${D}/abc`], 602000202, /dataset_id/],
      ];
      const before = await allItems(server, a, w.id);
      const ds = (await post(server, `${D}/${w.id}`, undefined, a, "GET")).body.dataset;
      for (const [[method, path, body], code, msg] of cases) {
        const r = await post(server, path, body, a, method);
        const what = `${method} ${path} ${JSON.stringify(body)?.slice(0, 100)}`;
        assert.equal(r.body.code, code, `${what}: ${JSON.stringify(r.body).slice(0, 300)}`);
        assert.match(r.body.msg, msg, what);
      }
      assert.deepEqual(await allItems(server, a, w.id), before, "no item changed");
      const after = (await post(server, `${D}/${w.id}`, undefined, a, "GET")).body.dataset;
      assert.deepEqual(after, ds, "the dataset did not change");
      const list = await post(server, `${D}/list`, { workspace_id: s, name: "x" }, a);
      assert.equal(list.body.total, "0", "no dataset was created");
    });
  },
);

function stripWs(body: unknown): unknown {
  if (typeof body !== "object" || body === null) return body;
  const { workspace_id: _, ...rest } = body as Record<string, unknown>;
  return rest;
}
