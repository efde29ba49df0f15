/**
 * Tags end to end: creation of every content type, updates as new versions with change logs,
 * detail (history), unique names, batch_get, batch_update_status, search (names, filters,
 * statuses, paging) and tag_spec. Option lists and concurrency: tags_archive_test.ts.
 */
import assert from "node:assert/strict";
import { post, registerUser } from "./_client.ts";
import { serverTest } from "./_with_server.ts";
import {
  createCategorical,
  createTag,
  latest,
  search,
  TAGS,
  uniqueName,
  valueNames,
  versions,
} from "./_tags.ts";

serverTest(
  "e2e tags: lifecycle, versions and change logs, search, batches, spec",
  async (t, { server, u: a }) => {
    const name = uniqueName("quality");
    let quality = "";

    await t.step("tag_spec: the reference's default limits", async () => {
      const r = await post(
        server,
        `/api/data/v1/tag_spec?workspace_id=${a.spaceId}`,
        undefined,
        a,
        "GET",
      );
      assert.equal(r.body.code, 0, JSON.stringify(r.body));
      assert.deepEqual(
        { h: r.body.max_height, w: r.body.max_width, t: r.body.max_total },
        { h: 1, w: 20, t: 20 },
      );
    });

    await t.step("create each content type; batch_get answers TagInfo", async () => {
      quality = await createCategorical(server, a, name, ["good", "bad"], {
        description: "answer quality",
        tag_domain_types: ["observe", "evaluation"],
      });
      const flag = await createTag(server, a, {
        tag_key_name: uniqueName("flag"),
        tag_content_type: "boolean",
        tag_values: [{ tag_value_name: "yes" }, { tag_value_name: "no" }],
      });
      const score = await createTag(server, a, {
        tag_key_name: uniqueName("score"),
        tag_content_type: "continuous_number",
        tag_content_spec: {
          continuous_number_spec: { min_value: 0, max_value: 10, max_value_description: "best" },
        },
        version: "1.2.3",
      });
      const note = await createTag(server, a, {
        tag_key_name: uniqueName("note"),
        tag_content_type: "free_text",
      });
      const r = await post(server, `${TAGS}/batch_get`, {
        workspace_id: a.spaceId,
        tag_key_ids: [note, quality, "123", score, flag],
      }, a);
      assert.equal(r.body.code, 0, JSON.stringify(r.body));
      const list = r.body.tag_info_list;
      assert.deepEqual(list.map((x: { tag_key_id: string }) => x.tag_key_id), [
        note,
        quality,
        score,
        flag,
      ], "request order, unknown ids left out");
      const q = list[1];
      assert.equal(q.tag_key_name, name);
      assert.equal(q.description, "answer quality");
      assert.equal(q.workspace_id, a.spaceId);
      assert.equal(q.appID, 0);
      assert.equal(q.version, "0.0.1");
      assert.equal(q.version_num, 0);
      assert.equal(q.status, "active");
      assert.equal(q.tag_type, "tag");
      assert.equal(q.content_type, "categorical");
      assert.deepEqual(q.domain_type_list, ["observe", "evaluation"]);
      assert.deepEqual(valueNames(q), ["good", "bad"]);
      assert.equal(q.tag_values[0].parent_tag_value_id, "0");
      assert.equal(q.tag_values[0].status, "active");
      assert.equal(q.tag_values[0].tag_key_id, quality);
      assert.deepEqual(q.tag_values[0].children, []);
      assert.deepEqual(q.change_logs, [{
        target: "tag",
        operation: "create",
        before_value: "",
        after_value: "",
        target_value: "",
      }]);
      assert.equal(q.base_info.created_by.user_id, a.userId);
      assert.match(q.base_info.created_at, /^\d+$/);
      assert.equal(list[2].version, "1.2.3");
      assert.deepEqual(list[2].content_spec, {
        continuous_number_spec: { min_value: 0, max_value: 10, max_value_description: "best" },
      });
      assert.deepEqual(list[2].tag_values, []);
      assert.equal(list[3].content_type, "boolean");
    });

    await t.step(
      "update: a new version with its change log; detail has the history",
      async () => {
        const v0 = await latest(server, a, quality);
        const [good, bad] = v0.tag_values;
        const u = await post(
          server,
          `${TAGS}/${quality}`,
          {
            workspace_id: a.spaceId,
            tag_key_name: `${name}_v2`,
            description: "answer quality, revised",
            tag_content_type: "categorical",
            tag_values: [
              { tag_value_id: good.tag_value_id, tag_value_name: "good", status: "inactive" },
              { tag_value_id: bad.tag_value_id, tag_value_name: "poor" },
              { tag_value_name: "neutral" },
            ],
          },
          a,
          "PATCH",
        );
        assert.equal(u.body.code, 0, JSON.stringify(u.body));
        const history = await versions(server, a, quality);
        assert.deepEqual(history.map((v) => [v.version_num, v.version, v.status]), [
          [1, "0.0.2", "active"],
          [0, "0.0.1", "deprecated"],
        ]);
        const [v1, old] = history;
        assert.equal(v1.tag_key_name, `${name}_v2`);
        assert.equal(v1.id !== old.id, true, "each version has its own id");
        assert.deepEqual(valueNames(v1), ["good", "poor", "neutral"]);
        assert.equal(
          v1.tag_values[1].tag_value_id,
          bad.tag_value_id,
          "a kept value keeps its id",
        );
        assert.equal(v1.tag_values[0].status, "inactive");
        assert.ok(old.tag_values.every((v: { status: string }) => v.status === "deprecated"));
        assert.deepEqual(valueNames(old), ["good", "bad"], "old versions are kept as they were");
        const logs = v1.change_logs.map((c: Record<string, string>) =>
          `${c.target} ${c.operation} ${c.before_value}>${c.after_value} ${c.target_value}`
        );
        assert.deepEqual(logs.sort(), [
          `tag_description update answer quality>answer quality, revised `,
          `tag_name update ${name}>${name}_v2 `,
          "tag_value_name create >neutral neutral",
          "tag_value_name update bad>poor poor",
          "tag_value_status update active>inactive good",
        ]);
      },
    );

    await t.step("update: absent fields are kept; values removed; explicit version", async () => {
      const v1 = await latest(server, a, quality);
      const u = await post(
        server,
        `${TAGS}/${quality}`,
        {
          workspace_id: a.spaceId,
          tag_key_name: `${name}_v2`,
          version: "1.0.0",
          tag_values: v1.tag_values.slice(0, 2),
        },
        a,
        "PATCH",
      );
      assert.equal(u.body.code, 0, JSON.stringify(u.body));
      const v2 = await latest(server, a, quality);
      assert.equal(v2.version, "1.0.0");
      assert.equal(v2.description, "answer quality, revised", "kept");
      assert.deepEqual(v2.domain_type_list, ["observe", "evaluation"], "kept");
      assert.deepEqual(valueNames(v2), ["good", "poor"]);
      assert.equal(v2.tag_values[0].status, "inactive", "an echoed value keeps its status");
      assert.deepEqual(v2.change_logs, [{
        target: "tag_value_name",
        operation: "delete",
        before_value: "neutral",
        after_value: "",
        target_value: "neutral",
      }]);
      const lower = await post(
        server,
        `${TAGS}/${quality}`,
        {
          workspace_id: a.spaceId,
          tag_key_name: name,
          version: "0.9.0",
        },
        a,
        "PATCH",
      );
      assert.equal(lower.body.code, 602000202);
      assert.match(lower.body.msg, /version/);
      assert.equal((await versions(server, a, quality)).length, 3, "nothing written");
    });

    await t.step("names are unique in a workspace, case-insensitively", async () => {
      const dup = await post(server, TAGS, {
        workspace_id: a.spaceId,
        tag_key_name: `${name}_V2`.toUpperCase(),
        tag_values: [{ tag_value_name: "x" }],
      }, a);
      assert.equal(dup.body.code, 601100204, JSON.stringify(dup.body));
      const other = await createCategorical(server, a, uniqueName("other"), ["x"]);
      const clash = await post(
        server,
        `${TAGS}/${other}`,
        {
          workspace_id: a.spaceId,
          tag_key_name: `${name}_v2`,
        },
        a,
        "PATCH",
      );
      assert.equal(clash.body.code, 601100204);
      assert.equal(
        (await versions(server, a, other)).length,
        1,
        "the refused rename wrote nothing",
      );
      // The old name was freed by the rename.
      await createCategorical(server, a, name, ["x"]);
      const b = await registerUser(server);
      await createCategorical(server, b, name, ["x"]); // another workspace: no clash
    });

    await t.step("batch_update_status: new versions; failures by id", async () => {
      const r = await post(server, `${TAGS}/batch_update_status`, {
        workspace_id: a.spaceId,
        tag_key_ids: [quality, "42"],
        to_status: "inactive",
      }, a);
      assert.equal(r.body.code, 0, JSON.stringify(r.body));
      assert.deepEqual(Object.keys(r.body.err_info), ["42"]);
      assert.match(r.body.err_info["42"], /not found/);
      const now = await latest(server, a, quality);
      assert.equal(now.status, "inactive");
      assert.equal(now.version, "1.0.1");
      assert.deepEqual(now.change_logs.map((c: { target: string }) => c.target), ["tag_status"]);
      assert.equal(now.change_logs[0].before_value, "active");
      assert.equal(now.change_logs[0].after_value, "inactive");
      const again = await post(server, `${TAGS}/batch_update_status`, {
        workspace_id: a.spaceId,
        tag_key_ids: [quality],
        to_status: "inactive",
      }, a);
      assert.match(again.body.err_info[quality], /already inactive/);
      assert.equal((await versions(server, a, quality)).length, 4);
    });

    await t.step("search: names, filters, statuses, paging, order", async () => {
      const all = await search(server, a, { page_size: 200 });
      assert.equal(Number(all.total), all.tagInfos.length);
      const ids = all.tagInfos.map((x: { tag_key_id: string }) => x.tag_key_id);
      assert.equal(new Set(ids).size, ids.length, "one (latest) version per tag");
      const q = all.tagInfos.find((x: { tag_key_id: string }) => x.tag_key_id === quality);
      assert.equal(q.status, "inactive", "disabled tags are found, with their status");
      assert.equal(q.version_num, 3);
      const exact = await search(server, a, { tag_key_name: `${name}_v2` });
      assert.deepEqual(exact.tagInfos.map((x: { tag_key_id: string }) => x.tag_key_id), [
        quality,
      ]);
      const like = await search(server, a, { tag_key_name_like: name.slice(0, 12) });
      assert.equal(like.tagInfos.length, 2, "the tag and the one that took its old name");
      const wild = await search(server, a, { tag_key_name_like: "%" });
      assert.equal(wild.tagInfos.length, 0, "LIKE wildcards are literal");
      const bools = await search(server, a, { content_types: ["boolean", "free_text"] });
      assert.deepEqual(
        bools.tagInfos.map((x: { content_type: string }) => x.content_type).sort(),
        ["boolean", "free_text"],
      );
      const observed = await search(server, a, { domain_types: ["data", "observe"] });
      assert.deepEqual(observed.tagInfos.map((x: { tag_key_id: string }) => x.tag_key_id), [
        quality,
      ]);
      assert.equal((await search(server, a, { created_bys: [a.userId] })).total, all.total);
      assert.equal((await search(server, a, { created_bys: ["nobody"] })).total, "0");
      const p1 = await search(server, a, { page_size: 2, order_by: { field: "created_at" } });
      assert.equal(p1.tagInfos.length, 2);
      assert.equal(p1.next_page_token, "2");
      const p2 = await search(server, a, {
        page_size: 2,
        page_token: p1.next_page_token,
        order_by: { field: "created_at" },
      });
      const p2n = await search(server, a, {
        page_size: 2,
        page_number: 2,
        order_by: { field: "created_at" },
      });
      assert.deepEqual(p2.tagInfos, p2n.tagInfos, "a token and a page number agree");
      const asc = await search(server, a, {
        page_size: 200,
        order_by: { field: "created_at", is_asc: true },
      });
      assert.deepEqual(
        asc.tagInfos.map((x: { tag_key_id: string }) => x.tag_key_id),
        [...all.tagInfos].sort((x, y) =>
          Number(x.base_info.created_at) - Number(y.base_info.created_at) ||
          (BigInt(x.id) < BigInt(y.id) ? -1 : 1)
        ).map((x: { tag_key_id: string }) => x.tag_key_id),
      );
      const last = await search(server, a, { page_size: 200 });
      assert.equal(last.next_page_token, "", "no page after the last");
    });

    await t.step("detail: paged, ordered", async () => {
      const r = await post(server, `${TAGS}/${quality}/detail`, {
        workspace_id: a.spaceId,
        page_size: 3,
        order_by: { field: "updated_at", is_asc: true },
      }, a);
      assert.equal(r.body.code, 0, JSON.stringify(r.body));
      assert.equal(r.body.total, "4");
      assert.deepEqual(r.body.tags.map((x: { version_num: number }) => x.version_num), [0, 1, 2]);
      assert.equal(r.body.next_page_token, "3");
      const missing = await post(server, `${TAGS}/77/detail`, { workspace_id: a.spaceId }, a);
      assert.equal(missing.body.code, 601103001);
    });
  },
);
