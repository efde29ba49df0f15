/**
 * Tags end to end: option lists archived into managed tags (`archive_option_tag`), and
 * concurrent updates of one tag making one unbroken chain of versions.
 */
import assert from "node:assert/strict";
import { post } from "./_client.ts";
import { serverTest } from "./_with_server.ts";
import {
  createCategorical,
  createTag,
  latest,
  search,
  TAGS,
  uniqueName,
  versions,
} from "./_tags.ts";

serverTest(
  "e2e tags: option lists are archived into managed tags; concurrent updates",
  async (t, { server, u: a }) => {
    await t.step("archive_option_tag", async () => {
      const option = await createTag(server, a, {
        tag_key_name: "",
        tag_type: "option",
        tag_values: [{ tag_value_name: "red" }, { tag_value_name: "blue" }],
      });
      const before = await search(server, a, { page_size: 200 });
      assert.ok(!before.tagInfos.some((x: { tag_key_id: string }) => x.tag_key_id === option));
      const taken = await createCategorical(server, a, uniqueName("taken"), ["x"]);
      const takenName = (await latest(server, a, taken)).tag_key_name;
      const clash = await post(server, `${TAGS}/${option}/archive_option_tag`, {
        workspace_id: a.spaceId,
        name: takenName,
      }, a);
      assert.equal(clash.body.code, 601100204);
      const colors = uniqueName("colors");
      const r = await post(server, `${TAGS}/${option}/archive_option_tag`, {
        workspace_id: a.spaceId,
        name: colors,
        description: "palette",
      }, a);
      assert.equal(r.body.code, 0, JSON.stringify(r.body));
      const now = await latest(server, a, option);
      assert.equal(now.tag_type, "tag");
      assert.equal(now.tag_key_name, colors);
      assert.equal(now.version_num, 1);
      assert.deepEqual(
        now.change_logs.map((c: { target: string }) => c.target).sort(),
        ["tag_description", "tag_name", "tag_type"],
      );
      const found = await search(server, a, { tag_key_name: colors });
      assert.equal(found.tagInfos.length, 1);
      const again = await post(server, `${TAGS}/${option}/archive_option_tag`, {
        workspace_id: a.spaceId,
        name: uniqueName("again"),
      }, a);
      assert.equal(again.body.code, 602000202);
      assert.match(again.body.msg, /tag_key_id/);
    });

    await t.step("concurrent updates: one chain of versions, none lost or doubled", async () => {
      const id = await createCategorical(server, a, uniqueName("race"), ["a"]);
      const tries = await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          post(
            server,
            `${TAGS}/${id}`,
            {
              workspace_id: a.spaceId,
              tag_key_name: uniqueName(`race${i}`),
            },
            a,
            "PATCH",
          )),
      );
      // They wait in line on the tag's lock: every one succeeds, each on the one before.
      assert.deepEqual(
        tries.map((r) => r.body.code),
        [0, 0, 0, 0],
        JSON.stringify(tries.map((r) => r.body)),
      );
      const history = await versions(server, a, id);
      assert.equal(history.length, 5);
      assert.deepEqual(
        history.map((v) => v.version_num),
        history.map((_, i) => history.length - 1 - i),
      );
      assert.deepEqual(
        history.map((v) => v.status),
        history.map((_, i) => (i === 0 ? "active" : "deprecated")),
      );
    });
  },
);
