/**
 * Evaluation targets over HTTP (both modes): a committed prompt version becomes a target and
 * a version (again: the same ids), reads by source and by version id, the sources a target
 * can be made of (prompts, their commits), workspace isolation on every route and bad input.
 * Running a target: eval_target_run_test.ts.
 */
import assert from "node:assert/strict";
import { post, registerUser, type TestUser } from "./_client.ts";
import { assertWorkspaceIsolation } from "./_isolation.ts";
import { commitPrompt, P, setup } from "./_prompts.ts";
import { createPromptTarget, PROMPT_TARGET, promptIdOf, T, text, TV } from "./_eval_targets.ts";
import type { ServerProcess } from "../_server.ts";

const get = async (server: ServerProcess, path: string, u: TestUser) =>
  await fetch(`${server.url}${path}`, { headers: { cookie: u.cookie } }).then((r) => r.json());

Deno.test({
  name: "eval targets: create, reads, sources, isolation, bad input",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { llm, server, models } = await setup();
    try {
      const a = await registerUser(server);
      const b = await registerUser(server);
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

      await t.step("isolation: an outsider is refused and sees nothing", async () => {
        const users = { owner: a, outsider: b };
        const calls: [string, (s: string) => unknown][] = [
          [
            T,
            (s) => ({
              workspace_id: s,
              param: { source_target_id: pid, source_target_version: "1.0.0", eval_target_type: 2 },
            }),
          ],
          [
            `${T}/batch_get_by_source`,
            (s) => ({ workspace_id: s, source_target_ids: [pid], eval_target_type: 2 }),
          ],
          [
            `${TV}/batch_get`,
            (s) => ({ workspace_id: s, eval_target_version_ids: [first.versionId] }),
          ],
          [`${T}/list_source`, (s) => ({ workspace_id: s, target_type: 2 })],
          [
            `${T}/list_source_version`,
            (s) => ({ workspace_id: s, source_target_id: pid, target_type: 2 }),
          ],
          [
            `${T}/batch_get_source`,
            (s) => ({ workspace_id: s, source_target_ids: [pid], target_type: 2 }),
          ],
          [
            `${T}/${first.id}/versions/${first.versionId}/execute`,
            (s) => ({ workspace_id: s, input_data: { input_fields: { question: text("hi") } } }),
          ],
        ];
        for (const [path, body] of calls) {
          await assertWorkspaceIsolation(server, { path, body, auth: "cookie" }, users);
        }
        for (
          const path of [
            `${TV}/${first.versionId}?workspace_id=${a.spaceId}`,
            `${T}/get_source_version?workspace_id=${a.spaceId}&source_target_id=${pid}&target_type=2`,
          ]
        ) {
          assert.equal((await get(server, path, b)).code, 602000101, path);
        }
        // In the outsider's own workspace, the owner's ids name nothing.
        const own = b.spaceId;
        assert.equal(
          (await get(server, `${TV}/${first.versionId}?workspace_id=${own}`, b)).code,
          602000205,
        );
        const bs = async (path: string, body: Record<string, unknown>) =>
          (await post(server, path, { workspace_id: own, ...body }, b)).body;
        assert.deepEqual(
          (await bs(`${TV}/batch_get`, { eval_target_version_ids: [first.versionId] }))
            .eval_targets,
          [],
        );
        assert.deepEqual(
          (await bs(`${T}/batch_get_by_source`, { source_target_ids: [pid], eval_target_type: 2 }))
            .eval_targets,
          [],
        );
        assert.deepEqual((await bs(`${T}/list_source`, { target_type: 2 })).eval_targets, []);
        assert.deepEqual(
          (await bs(`${T}/batch_get_source`, { source_target_ids: [pid], target_type: 2 }))
            .eval_targets,
          [],
        );
        assert.equal(
          (await bs(`${T}/list_source_version`, { source_target_id: pid, target_type: 2 })).code,
          600501001,
        );
        const made = await bs(T, {
          param: { source_target_id: pid, source_target_version: "1.0.0", eval_target_type: 2 },
        });
        assert.equal(made.code, 600501001, JSON.stringify(made));
        assert.deepEqual(
          (await bs(`${T}/batch_get_by_source`, { source_target_ids: [pid], eval_target_type: 2 }))
            .eval_targets,
          [],
          "nothing created",
        );
        const run = await bs(`${T}/${first.id}/versions/${first.versionId}/execute`, {
          input_data: {},
        });
        assert.equal(run.code, 602000205);
        assert.equal(
          (await get(
            server,
            `${T}/get_source_version?workspace_id=${own}&source_target_id=${pid}&target_type=2`,
            b,
          )).code,
          600501001,
        );
      });

      await t.step("bad input: a clear error, nothing created", async () => {
        const fresh = `${key}_bad`;
        const created = await post(server, P, {
          workspace_id: a.spaceId,
          prompt_key: fresh,
          prompt_name: fresh,
        }, a);
        const fid = created.body.prompt_id;
        const make = async (param: Record<string, unknown>) =>
          (await post(server, T, { workspace_id: a.spaceId, param }, a)).body;
        const bot = await make({
          source_target_id: pid,
          source_target_version: "1.0.0",
          eval_target_type: 1,
        });
        assert.equal(bot.code, 602000202);
        assert.match(bot.msg, /not supported/);
        assert.equal(
          (await make({ source_target_id: pid, source_target_version: "1.0.0" })).code,
          602000202,
        );
        assert.equal(
          (await make({
            source_target_id: "abc",
            source_target_version: "1.0.0",
            eval_target_type: 2,
          })).code,
          602000202,
        );
        assert.equal((await make({ source_target_id: pid, eval_target_type: 2 })).code, 602000202);
        const missing = await make({
          source_target_id: pid,
          source_target_version: "9.9.9",
          eval_target_type: 2,
        });
        assert.equal(missing.code, 600501002);
        assert.match(missing.msg, /9\.9\.9/);
        assert.equal(
          (await make({
            source_target_id: fid,
            source_target_version: "1.0.0",
            eval_target_type: 2,
          })).code,
          600501002,
        );
        assert.equal(
          (await make({
            source_target_id: "999999999",
            source_target_version: "1.0.0",
            eval_target_type: 2,
          })).code,
          600501001,
        );
        const none = await post(server, `${T}/batch_get_by_source`, {
          workspace_id: a.spaceId,
          source_target_ids: [fid],
          eval_target_type: 2,
        }, a);
        assert.deepEqual(none.body.eval_targets, [], "nothing created");
        const bad = async (path: string, body: Record<string, unknown>) =>
          (await post(server, path, { workspace_id: a.spaceId, ...body }, a)).body.code;
        assert.equal(await bad(`${T}/list_source`, {}), 602000202);
        assert.equal(await bad(`${T}/list_source`, { target_type: 4 }), 602000202);
        assert.equal(await bad(`${T}/list_source`, { target_type: 2, name: "" }), 602000202);
        assert.equal(await bad(`${T}/list_source`, { target_type: 2, page_token: "x" }), 602000202);
        assert.equal(await bad(`${T}/list_source`, { target_type: 2, page_size: 1000 }), 602000202);
        assert.equal(
          await bad(`${T}/list_source`, { target_type: 2, shared_option: { is_shared: true } }),
          602000202,
        );
        assert.equal(
          await bad(`${T}/list_source_version`, {
            source_target_id: pid,
            target_type: 2,
            page_token: "zz",
          }),
          602000202,
        );
        assert.equal(await bad(`${T}/list_source_version`, { target_type: 2 }), 602000202);
        assert.equal(await bad(`${TV}/batch_get`, { eval_target_version_ids: [] }), 602000202);
        assert.equal(
          await bad(`${T}/batch_get_by_source`, { source_target_ids: [], eval_target_type: 2 }),
          602000202,
        );
        assert.equal(
          await bad(`${T}/batch_get_by_source`, { source_target_ids: [pid] }),
          602000202,
        );
        assert.equal(
          await bad(`${T}/batch_get_source`, { source_target_ids: ["-1"], target_type: 2 }),
          602000202,
        );
        assert.equal(
          await bad(`${T}/${first.id}/versions/424242/execute`, { input_data: {} }),
          602000205,
        );
        assert.equal(
          await bad(`${T}/${first.id}/versions/${first.versionId}/execute`, {}),
          602000202,
        );
        assert.equal(
          (await get(server, `${TV}/424242?workspace_id=${a.spaceId}`, a)).code,
          602000205,
        );
        assert.equal((await get(server, `${TV}/abc?workspace_id=${a.spaceId}`, a)).code, 602000202);
        assert.equal(
          (await get(
            server,
            `${T}/get_source_version?workspace_id=${a.spaceId}&source_target_id=${pid}`,
            a,
          )).code,
          602000202,
        );
        assert.equal(
          (await get(
            server,
            `${T}/get_source_version?workspace_id=${a.spaceId}&source_target_id=${fid}&target_type=2`,
            a,
          )).code,
          600501003,
        );
      });
    } finally {
      await server.stop();
      await llm.close();
      await Deno.remove(models);
    }
  },
});
