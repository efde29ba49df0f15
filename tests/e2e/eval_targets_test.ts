/**
 * Evaluation targets over HTTP (both modes): a committed prompt version becomes a target and
 * a version (again: the same ids), reads by source and by version id, the sources a target
 * can be made of (prompts, their commits). Isolation and bad input:
 * eval_targets_isolation_test.ts; running a target: eval_target_run_test.ts.
 */
import assert from "node:assert/strict";
import { post, registerUser, type TestUser } from "./_client.ts";
import { commitPrompt, P, setup } from "./_prompts.ts";
import { createPromptTarget, PROMPT_TARGET, promptIdOf, T, TV } from "./_eval_targets.ts";
import type { ServerProcess } from "../_server.ts";

const get = async (server: ServerProcess, path: string, u: TestUser) =>
  await fetch(`${server.url}${path}`, { headers: { cookie: u.cookie } }).then((r) => r.json());

Deno.test({
  name: "eval targets: create, reads by source and version, sources",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { llm, server, models } = await setup();
    try {
      const a = await registerUser(server);
      const key = `tgt_${crypto.randomUUID().slice(0, 6)}`;
      await commitPrompt(server, a, key, "1");
      const pid = await promptIdOf(server, a, key);
      let first = { id: "", versionId: "" };
      let second = { id: "", versionId: "" };

      await t.step("create: a committed version is a target and a version, once", async () => {
        first = await createPromptTarget(server, a, pid);
        assert.deepEqual(await createPromptTarget(server, a, pid), first, "found again");
        const saved = await post(server, `${P}/${pid}/drafts/save`, {
          prompt_draft: {
            detail: {
              prompt_template: {
                template_type: "normal",
                messages: [{ role: "user", content: "{{question}} {{extra}}" }],
                variable_defs: [{ key: "question", type: "string" }, {
                  key: "extra",
                  type: "integer",
                }],
              },
              model_config: { model_id: "1" },
            },
          },
        }, a);
        assert.equal(saved.body.code, 0, JSON.stringify(saved.body));
        const c = await post(server, `${P}/${pid}/drafts/commit`, {
          commit_version: "1.1.0",
          commit_description: "second",
        }, a);
        assert.equal(c.body.code, 0, JSON.stringify(c.body));
        second = await createPromptTarget(server, a, pid, "1.1.0");
        assert.equal(second.id, first.id, "one target per prompt");
        assert.notEqual(second.versionId, first.versionId);
      });

      await t.step("batch_get_by_source, with and without source info", async () => {
        const body = { workspace_id: a.spaceId, source_target_ids: [pid], eval_target_type: 2 };
        const plain = await post(server, `${T}/batch_get_by_source`, body, a);
        assert.equal(plain.body.code, 0, JSON.stringify(plain.body));
        assert.equal(plain.body.eval_targets.length, 1);
        const tg = plain.body.eval_targets[0];
        assert.equal(tg.id, first.id);
        assert.equal(tg.source_target_id, pid);
        assert.equal(tg.eval_target_type, PROMPT_TARGET);
        assert.equal(tg.workspace_id, a.spaceId);
        assert.equal(tg.base_info.created_by.user_id, a.userId);
        assert.equal(tg.eval_target_version, undefined);
        const info = await post(server, `${T}/batch_get_by_source`, {
          ...body,
          need_source_info: true,
        }, a);
        assert.equal(
          info.body.eval_targets[0].eval_target_version.eval_target_content.prompt.name,
          key,
        );
      });

      await t.step("a version by id, and versions in a batch", async () => {
        const one = await get(server, `${TV}/${first.versionId}?workspace_id=${a.spaceId}`, a);
        assert.equal(one.code, 0, JSON.stringify(one));
        const tg = one.eval_target;
        assert.equal(tg.id, first.id);
        assert.equal(tg.source_target_id, pid);
        const v = tg.eval_target_version;
        assert.equal(v.id, first.versionId);
        assert.equal(v.target_id, first.id);
        assert.equal(v.source_target_version, "1.0.0");
        const content = v.eval_target_content;
        assert.deepEqual(
          content.input_schemas.map((s: { key: string }) => s.key),
          ["topic", "history", "question", "builtin_prompt_user_query"],
        );
        assert.deepEqual(content.input_schemas[0].support_content_types, ["Text"]);
        assert.equal(content.input_schemas[0].json_schema, '{"type":"string"}');
        assert.deepEqual(content.output_schemas.map((s: { key: string }) => s.key), [
          "actual_output",
        ]);
        assert.equal(content.prompt.prompt_id, pid);
        assert.equal(content.prompt.version, "1.0.0");
        assert.equal(content.prompt.prompt_key, key);
        assert.equal(content.prompt.name, key);
        assert.equal(typeof content.runtime_param_json_demo, "string");
        const batch = await post(server, `${TV}/batch_get`, {
          workspace_id: a.spaceId,
          eval_target_version_ids: [first.versionId, second.versionId],
          need_source_info: true,
        }, a);
        assert.equal(batch.body.code, 0, JSON.stringify(batch.body));
        const byVersion = new Map(
          batch.body.eval_targets.map((
            x: { eval_target_version: { source_target_version: string } },
          ) => [x.eval_target_version.source_target_version, x]),
        );
        assert.deepEqual([...byVersion.keys()].sort(), ["1.0.0", "1.1.0"]);
        // deno-lint-ignore no-explicit-any
        const v2 = (byVersion.get("1.1.0") as any).eval_target_version.eval_target_content;
        assert.equal(v2.prompt.description, "second");
        assert.equal(v2.input_schemas[1].json_schema, '{"type":"integer"}');
      });

      await t.step("list_source pages and searches prompts; list_source_version", async () => {
        await commitPrompt(server, a, `${key}_b`, "1");
        const draftOnly = await post(server, P, {
          workspace_id: a.spaceId,
          prompt_key: `${key}_draft`,
          prompt_name: "draft only",
        }, a);
        assert.equal(draftOnly.body.code, 0, JSON.stringify(draftOnly.body));
        const page1 = await post(server, `${T}/list_source`, {
          workspace_id: a.spaceId,
          target_type: 2,
          page_size: 2,
        }, a);
        assert.equal(page1.body.code, 0, JSON.stringify(page1.body));
        assert.equal(page1.body.eval_targets.length, 2);
        assert.equal(page1.body.has_more, true);
        const page2 = await post(server, `${T}/list_source`, {
          workspace_id: a.spaceId,
          target_type: 2,
          page_size: 2,
          page_token: page1.body.next_page_token,
        }, a);
        assert.equal(page2.body.eval_targets.length, 1);
        assert.equal(page2.body.has_more, false);
        const all = [...page1.body.eval_targets, ...page2.body.eval_targets];
        const keys = all.map((x) => x.eval_target_version.eval_target_content.prompt.prompt_key);
        assert.deepEqual(keys.sort(), [key, `${key}_b`, `${key}_draft`].sort());
        const draft = all.find((x) =>
          x.eval_target_version.eval_target_content.prompt.prompt_key === `${key}_draft`
        );
        assert.equal(draft.eval_target_version.eval_target_content.prompt.submit_status, 1);
        assert.equal(draft.source_target_id, draftOnly.body.prompt_id);
        const found = await post(server, `${T}/list_source`, {
          workspace_id: a.spaceId,
          target_type: 2,
          name: "draft ON",
        }, a);
        assert.deepEqual(
          found.body.eval_targets.map((x: { source_target_id: string }) => x.source_target_id),
          [draftOnly.body.prompt_id],
        );
        const versions = await post(server, `${T}/list_source_version`, {
          workspace_id: a.spaceId,
          source_target_id: pid,
          target_type: 2,
          page_size: 1,
        }, a);
        assert.equal(versions.body.code, 0, JSON.stringify(versions.body));
        assert.equal(versions.body.versions[0].source_target_version, "1.1.0");
        assert.equal(versions.body.versions[0].eval_target_content.prompt.version, "1.1.0");
        assert.equal(versions.body.has_more, true);
        const older = await post(server, `${T}/list_source_version`, {
          workspace_id: a.spaceId,
          source_target_id: pid,
          target_type: 2,
          page_token: versions.body.next_page_token,
        }, a);
        assert.deepEqual(
          older.body.versions.map((v: { source_target_version: string }) =>
            v.source_target_version
          ),
          ["1.0.0"],
        );
        assert.equal(older.body.has_more, false);
      });

      await t.step("batch_get_source and get_source_version", async () => {
        const r = await post(server, `${T}/batch_get_source`, {
          workspace_id: a.spaceId,
          source_target_ids: [pid, "123456789"],
          target_type: 2,
        }, a);
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
        assert.equal(r.body.eval_targets.length, 1, "an unknown prompt is left out");
        assert.equal(
          r.body.eval_targets[0].eval_target_version.eval_target_content.prompt.name,
          key,
        );
        const q = `workspace_id=${a.spaceId}&source_target_id=${pid}&target_type=2`;
        const v = await get(server, `${T}/get_source_version?${q}&source_target_version=1.0.0`, a);
        assert.equal(v.code, 0, JSON.stringify(v));
        assert.equal(v.eval_target_version.source_target_version, "1.0.0");
        assert.equal(v.eval_target_version.eval_target_content.input_schemas.length, 4);
        const latest = await get(server, `${T}/get_source_version?${q}`, a);
        assert.equal(latest.eval_target_version.source_target_version, "1.1.0");
      });
    } finally {
      await server.stop();
      await llm.close();
      await Deno.remove(models);
    }
  },
});
