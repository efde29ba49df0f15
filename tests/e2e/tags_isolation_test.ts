/**
 * Tags end to end, the refusals: every route is workspace-scoped (an outsider is refused, and
 * cannot reach a tag through their own workspace either), and bad input on every route is
 * answered `invalid param` naming the field, changing nothing. Unknown fields are ignored.
 */
import assert from "node:assert/strict";
import { post } from "./_client.ts";
import { serverTest } from "./_with_server.ts";
import { assertWorkspaceIsolation, type ScopedCall } from "./_isolation.ts";
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
  "e2e tags: workspace isolation on every route",
  async (_t, { server, u: owner, other: outsider }) => {
    const id = await createCategorical(server, owner, uniqueName("mine"), ["a", "b"]);
    const option = await createTag(server, owner, {
      tag_key_name: "",
      tag_type: "option",
      tag_values: [{ tag_value_name: "x" }],
    });
    const calls: ScopedCall[] = [
      {
        path: TAGS,
        body: (s) => ({
          workspace_id: s,
          tag_key_name: uniqueName("t"),
          tag_content_type: "free_text",
        }),
        auth: "cookie",
      },
      {
        path: `${TAGS}/${id}`,
        method: "PATCH",
        body: (s) => ({ workspace_id: s, tag_key_name: uniqueName("renamed") }),
        auth: "cookie",
      },
      {
        path: `${TAGS}/batch_update_status`,
        body: (s) => ({ workspace_id: s, tag_key_ids: [id], to_status: "active" }),
        auth: "cookie",
      },
      { path: `${TAGS}/search`, body: (s) => ({ workspace_id: s }), auth: "cookie" },
      { path: `${TAGS}/${id}/detail`, body: (s) => ({ workspace_id: s }), auth: "cookie" },
      {
        path: `${TAGS}/batch_get`,
        body: (s) => ({ workspace_id: s, tag_key_ids: [id] }),
        auth: "cookie",
      },
      {
        path: `${TAGS}/${option}/archive_option_tag`,
        body: (s) => ({ workspace_id: s, name: uniqueName("archived") }),
        auth: "cookie",
      },
    ];
    for (const call of calls) await assertWorkspaceIsolation(server, call, { owner, outsider });
    const spec = `/api/data/v1/tag_spec?workspace_id=${owner.spaceId}`;
    assert.equal((await post(server, spec, undefined, owner, "GET")).body.code, 0);
    assert.equal((await post(server, spec, undefined, outsider, "GET")).body.code, 602000101);

    // Through the outsider's own workspace, the owner's tag does not exist.
    const before = await versions(server, owner, id);
    const ws = outsider.spaceId;
    const detail = await post(server, `${TAGS}/${id}/detail`, { workspace_id: ws }, outsider);
    assert.equal(detail.body.code, 601103001);
    const got = await post(server, `${TAGS}/batch_get`, {
      workspace_id: ws,
      tag_key_ids: [id],
    }, outsider);
    assert.deepEqual(got.body.tag_info_list, []);
    const upd = await post(
      server,
      `${TAGS}/${id}`,
      {
        workspace_id: ws,
        tag_key_name: "stolen",
      },
      outsider,
      "PATCH",
    );
    assert.equal(upd.body.code, 601103001);
    const st = await post(server, `${TAGS}/batch_update_status`, {
      workspace_id: ws,
      tag_key_ids: [id],
      to_status: "inactive",
    }, outsider);
    assert.match(st.body.err_info[id], /not found/);
    assert.deepEqual((await search(server, outsider)).tagInfos, []);
    assert.deepEqual(await versions(server, owner, id), before, "nothing changed");
  },
);

interface Case {
  path: string;
  method?: "POST" | "PATCH" | "GET";
  body: unknown;
  field: string;
}

serverTest(
  "e2e tags: bad input on every route is invalid param naming the field, nothing changed",
  async (_t, { server, u: a }) => {
    const ws = a.spaceId;
    const name = uniqueName("base");
    const id = await createCategorical(server, a, name, ["good", "bad"]);
    const long = "x".repeat(51);
    const v = (n: string, extra: Record<string, unknown> = {}) => ({
      tag_value_name: n,
      ...extra,
    });
    const create = (body: Record<string, unknown>, field: string): Case => ({
      path: TAGS,
      body: { workspace_id: ws, tag_key_name: uniqueName("new"), ...body },
      field,
    });
    const update = (body: Record<string, unknown>, field: string): Case => ({
      path: `${TAGS}/${id}`,
      method: "PATCH",
      body: { workspace_id: ws, tag_key_name: name, ...body },
      field,
    });
    const cases: Case[] = [
      { path: TAGS, body: "{not json", field: "body" },
      { path: TAGS, body: { tag_key_name: "n" }, field: "workspace_id" },
      { path: TAGS, body: { workspace_id: "abc", tag_key_name: "n" }, field: "workspace_id" },
      { path: TAGS, body: { workspace_id: ws }, field: "tag_key_name" },
      create({ tag_key_name: "  " }, "tag_key_name"),
      create({ tag_key_name: long }, "tag_key_name"),
      create({ tag_key_name: 7 }, "tag_key_name"),
      create({ description: "d".repeat(201), tag_values: [v("a")] }, "description"),
      create({ tag_content_type: "stars" }, "tag_content_type"),
      create({ tag_type: "label" }, "tag_type"),
      create({ tag_domain_types: ["nope"] }, "tag_domain_types.0"),
      create({ version: "v1", tag_values: [v("a")] }, "version"),
      create({ tag_values: [] }, "tag_values"),
      create({ tag_values: [v("a", { children: [v("b")] })] }, "tag_values.0.children"),
      create({ tag_values: [v("a"), v("a")] }, "tag_values.1.tag_value_name"),
      create({ tag_values: [v(long)] }, "tag_values.0.tag_value_name"),
      create({ tag_values: [{ description: "no name" }] }, "tag_values.0.tag_value_name"),
      create({ tag_values: [v("a", { status: "deprecated" })] }, "tag_values.0.status"),
      create({ tag_values: Array.from({ length: 21 }, (_, i) => v(`v${i}`)) }, "tag_values"),
      create({ tag_content_type: "boolean", tag_values: [v("y")] }, "tag_values"),
      create({ tag_content_type: "free_text", tag_values: [v("y")] }, "tag_values"),
      create({
        tag_content_type: "continuous_number",
        tag_content_spec: { continuous_number_spec: { min_value: 5, max_value: 1 } },
      }, "tag_content_spec.continuous_number_spec"),
      create({
        tag_content_type: "continuous_number",
        tag_content_spec: { continuous_number_spec: { min_value: "low" } },
      }, "tag_content_spec.continuous_number_spec.min_value"),
      {
        path: `${TAGS}/abc`,
        method: "PATCH",
        body: { workspace_id: ws, tag_key_name: "n" },
        field: "tag_key_id",
      },
      {
        path: `${TAGS}/${id}`,
        method: "PATCH",
        body: { workspace_id: ws },
        field: "tag_key_name",
      },
      update({ tag_key_name: long }, "tag_key_name"),
      update({ tag_values: [v("c", { tag_value_id: "123" })] }, "tag_values.0.tag_value_id"),
      update({ tag_values: [v("c", { tag_value_id: "x" })] }, "tag_values.0.tag_value_id"),
      update({ version: "0.0.1" }, "version"),
      update({ tag_content_type: "free_text" }, "tag_values"),
      update({ tag_domain_types: "observe" }, "tag_domain_types"),
      {
        path: `${TAGS}/batch_update_status`,
        body: { workspace_id: ws, tag_key_ids: [], to_status: "inactive" },
        field: "tag_key_ids",
      },
      {
        path: `${TAGS}/batch_update_status`,
        body: { workspace_id: ws, tag_key_ids: ["x"], to_status: "inactive" },
        field: "tag_key_ids.0",
      },
      {
        path: `${TAGS}/batch_update_status`,
        body: { workspace_id: ws, tag_key_ids: [id], to_status: "deprecated" },
        field: "to_status",
      },
      {
        path: `${TAGS}/batch_update_status`,
        body: { workspace_id: ws, tag_key_ids: [id] },
        field: "to_status",
      },
      { path: `${TAGS}/search`, body: { workspace_id: ws, page_size: 0 }, field: "page_size" },
      { path: `${TAGS}/search`, body: { workspace_id: ws, page_size: 201 }, field: "page_size" },
      {
        path: `${TAGS}/search`,
        body: { workspace_id: ws, page_token: "zz" },
        field: "page_token",
      },
      {
        path: `${TAGS}/search`,
        body: { workspace_id: ws, order_by: { field: "name" } },
        field: "order_by.field",
      },
      {
        path: `${TAGS}/search`,
        body: { workspace_id: ws, content_types: ["x"] },
        field: "content_types.0",
      },
      {
        path: `${TAGS}/search`,
        body: { workspace_id: ws, tag_key_name: "a", tag_key_name_like: "b" },
        field: "tag_key_name",
      },
      { path: `${TAGS}/search`, body: {}, field: "workspace_id" },
      { path: `${TAGS}/0/detail`, body: { workspace_id: ws }, field: "tag_key_id" },
      {
        path: `${TAGS}/${id}/detail`,
        body: { workspace_id: ws, page_number: 0 },
        field: "page_number",
      },
      { path: `${TAGS}/${id}/detail`, body: {}, field: "workspace_id" },
      { path: "/api/data/v1/tag_spec", method: "GET", body: undefined, field: "workspace_id" },
      {
        path: "/api/data/v1/tag_spec?workspace_id=abc",
        method: "GET",
        body: undefined,
        field: "workspace_id",
      },
      { path: `${TAGS}/batch_get`, body: { workspace_id: ws }, field: "tag_key_ids" },
      {
        path: `${TAGS}/batch_get`,
        body: { workspace_id: ws, tag_key_ids: [] },
        field: "tag_key_ids",
      },
      {
        path: `${TAGS}/batch_get`,
        body: { workspace_id: ws, tag_key_ids: ["-1"] },
        field: "tag_key_ids.0",
      },
      { path: `${TAGS}/${id}/archive_option_tag`, body: { workspace_id: ws }, field: "name" },
      {
        path: `${TAGS}/${id}/archive_option_tag`,
        body: { workspace_id: ws, name: "n" },
        field: "tag_key_id",
      },
      {
        path: `${TAGS}/${id}/archive_option_tag`,
        body: { workspace_id: ws, name: long },
        field: "name",
      },
    ];
    const before = {
      tags: await search(server, a, { page_size: 200 }),
      id: await versions(server, a, id),
    };
    for (const c of cases) {
      const r = await post(server, c.path, c.body, a, c.method ?? "POST");
      const label = `${c.method ?? "POST"} ${c.path} ${JSON.stringify(c.body)}`;
      assert.equal(r.status, 200, label);
      assert.equal(r.body.code, 602000202, `${label}: ${JSON.stringify(r.body)}`);
      assert.match(
        r.body.msg,
        new RegExp(`invalid param: ${c.field.replace(/\./g, "\\.")}: `),
        `${label}: ${r.body.msg}`,
      );
    }
    assert.deepEqual(await search(server, a, { page_size: 200 }), before.tags, "nothing created");
    assert.deepEqual(await versions(server, a, id), before.id, "nothing changed");

    // Unknown fields are ignored, as the reference's binding does.
    const extra = await post(server, TAGS, {
      workspace_id: ws,
      tag_key_name: uniqueName("extra"),
      frobnicate: true,
      tag_values: [{ tag_value_name: "a", app_id: 9, is_system: true }],
    }, a);
    assert.equal(extra.body.code, 0, JSON.stringify(extra.body));
    assert.equal((await latest(server, a, extra.body.tag_key_id)).tag_values[0].is_system, false);
  },
);
