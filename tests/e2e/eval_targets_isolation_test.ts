/**
 * Evaluation targets (both modes): every route refuses an outsider (and, in the outsider's own
 * workspace, the owner's ids name nothing), and bad input gets a clear error with nothing
 * created.
 */
import assert from "node:assert/strict";
import { post, registerUser, type TestUser } from "./_client.ts";
import { assertWorkspaceIsolation } from "./_isolation.ts";
import { commitPrompt, P, setup } from "./_prompts.ts";
import { createPromptTarget, promptIdOf, T, text, TV } from "./_eval_targets.ts";
import type { ServerProcess } from "../_server.ts";

const get = async (server: ServerProcess, path: string, u: TestUser) =>
  await fetch(`${server.url}${path}`, { headers: { cookie: u.cookie } }).then((r) => r.json());

Deno.test({
  name: "eval targets: isolation on every route, bad input",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { llm, server, models } = await setup();
    try {
      const a = await registerUser(server);
      const b = await registerUser(server);
      const key = `iso_${crypto.randomUUID().slice(0, 6)}`;
      await commitPrompt(server, a, key, "1");
      const pid = await promptIdOf(server, a, key);
      const first = await createPromptTarget(server, a, pid);

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
