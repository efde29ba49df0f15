/**
 * The prompt hub end to end: prompts, drafts, commits, labels, mget (versions, labels,
 * latest, request order, errors), cache invalidation across processes, isolation, bad input.
 */
import assert from "node:assert/strict";
import { type ServerProcess, startPeer, startServer } from "../_server.ts";
import { createToken, post, registerUser, type TestUser } from "./_client.ts";
import { assertWorkspaceIsolation } from "./_isolation.ts";

const P = "/api/prompt/v1/prompts";

const detail = (text: string) => ({
  prompt_template: {
    template_type: "normal",
    messages: [
      { role: "system", content: `You are a ${text} assistant.` },
      { role: "placeholder", content: "history" },
      { role: "user", content: "Weather in {{city}}?" },
    ],
    variable_defs: [
      { key: "city", desc: "a city", type: "string" },
      { key: "history", type: "placeholder" },
    ],
  },
  tools: [{
    type: "function",
    function: { name: "get_weather", description: "weather", parameters: '{"type":"object"}' },
  }],
  tool_call_config: { tool_choice: "auto" },
  model_config: { model_id: "1", temperature: 0.3, max_tokens: 256, json_mode: false },
});

async function createPrompt(server: ServerProcess, u: TestUser, key: string) {
  const r = await post(server, P, {
    workspace_id: u.spaceId,
    prompt_key: key,
    prompt_name: `Prompt ${key}`,
    prompt_description: "for tests",
    draft_detail: detail("helpful"),
  }, u);
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return r.body.prompt_id as string;
}

const mget = (server: ServerProcess, token: string, space: string, queries: unknown[]) =>
  post(server, "/v1/loop/prompts/mget", { workspace_id: space, queries }, { token });

Deno.test({
  name: "e2e prompts: drafts, commits, labels and mget",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const server = await startServer();
    const second = await startPeer(server);
    try {
      const a = await registerUser(server);
      const token = await createToken(server, a.cookie);
      const key = `weather_${crypto.randomUUID().slice(0, 8)}`;
      const id = await createPrompt(server, a, key);

      await t.step("get answers the draft; nothing committed yet", async () => {
        const g = await post(
          server,
          `${P}/${id}?with_draft=true&workspace_id=${a.spaceId}`,
          undefined,
          a,
          "GET",
        );
        assert.equal(g.body.code, 0, JSON.stringify(g.body));
        assert.equal(g.body.prompt.prompt_key, key);
        assert.equal(g.body.prompt.prompt_basic.latest_version, "");
        assert.deepEqual(g.body.prompt.prompt_draft.detail, detail("helpful"));
        const none = await mget(server, token, a.spaceId, [{ prompt_key: key }]);
        assert.equal(none.body.code, 600501003, "uncommitted: an error, never an empty list");
      });

      await t.step("commit versions; versions are immutable and increasing", async () => {
        const c1 = await post(server, `${P}/${id}/drafts/commit`, {
          commit_version: "0.0.1",
          commit_description: "first",
          label_keys: ["beta"],
        }, a);
        assert.equal(c1.body.code, 0, JSON.stringify(c1.body));
        const dup = await post(server, `${P}/${id}/drafts/commit`, { commit_version: "0.0.1" }, a);
        assert.equal(dup.body.code, 600501009);
        const lower = await post(
          server,
          `${P}/${id}/drafts/commit`,
          { commit_version: "0.0.0" },
          a,
        );
        assert.equal(lower.body.code, 600501009);
        const bad = await post(server, `${P}/${id}/drafts/commit`, { commit_version: "v1" }, a);
        assert.equal(bad.body.code, 602000202);
        const saved = await post(server, `${P}/${id}/drafts/save`, {
          prompt_draft: { detail: detail("concise") },
        }, a);
        assert.equal(saved.body.code, 0, JSON.stringify(saved.body));
        assert.equal(saved.body.draft_info.is_modified, true);
        assert.equal(saved.body.draft_info.base_version, "0.0.1");
        const c2 = await post(server, `${P}/${id}/drafts/commit`, { commit_version: "0.1.0" }, a);
        assert.equal(c2.body.code, 0);
        const list = await post(server, `${P}/${id}/commits/list`, {
          page_size: 1,
          with_commit_detail: true,
        }, a);
        assert.equal(list.body.prompt_commit_infos[0].version, "0.1.0");
        assert.equal(list.body.has_more, true);
        const next = await post(server, `${P}/${id}/commits/list`, {
          page_size: 1,
          page_token: list.body.next_page_token,
        }, a);
        assert.equal(next.body.prompt_commit_infos[0].version, "0.0.1");
        assert.deepEqual(next.body.commit_version_label_mapping["0.0.1"], [{ key: "beta" }]);
      });

      await t.step(
        "mget by latest, version and label, in request order, echoing queries",
        async () => {
          const queries = [
            { prompt_key: key, label: "beta" },
            { prompt_key: key },
            { prompt_key: key, version: "0.0.1" },
          ];
          const r = await mget(server, token, a.spaceId, queries);
          assert.equal(r.body.code, 0, JSON.stringify(r.body));
          assert.deepEqual(r.body.data.items.map((i: { query: unknown }) => i.query), queries);
          assert.deepEqual(
            r.body.data.items.map((i: { prompt: { version: string } }) => i.prompt.version),
            ["0.0.1", "0.1.0", "0.0.1"],
          );
          const p = r.body.data.items[1].prompt;
          assert.equal(p.prompt_key, key);
          assert.equal(p.workspace_id, a.spaceId);
          assert.equal(p.prompt_template.messages[0].content, "You are a concise assistant.");
          assert.deepEqual(p.prompt_template.variable_defs[0], {
            key: "city",
            desc: "a city",
            type: "string",
          });
          assert.equal(p.tools[0].function.name, "get_weather");
          assert.deepEqual(p.tool_call_config, { tool_choice: "auto" });
          assert.equal(p.llm_config.temperature, 0.3);
          assert.equal(p.llm_config.max_tokens, 256);
          const again = await mget(second, token, a.spaceId, queries);
          assert.deepEqual(
            again.body.data.items,
            r.body.data.items,
            "same answer from another process",
          );
        },
      );

      await t.step("a label move and a new commit show at once, in every process", async () => {
        const move = await post(server, `${P}/${id}/commits/0.1.0/labels_update`, {
          workspace_id: a.spaceId,
          label_keys: ["beta", "production"],
        }, a);
        assert.equal(move.body.code, 0, JSON.stringify(move.body));
        for (const s of [server, second]) {
          const r = await mget(s, token, a.spaceId, [{ prompt_key: key, label: "beta" }, {
            prompt_key: key,
            label: "production",
          }]);
          assert.deepEqual(
            r.body.data.items.map((i: { prompt: { version: string } }) => i.prompt.version),
            ["0.1.0", "0.1.0"],
          );
        }
        await post(
          second,
          `${P}/${id}/drafts/save`,
          { prompt_draft: { detail: detail("witty") } },
          a,
        );
        assert.equal(
          (await post(second, `${P}/${id}/drafts/commit`, { commit_version: "1.0.0" }, a)).body
            .code,
          0,
        );
        const latest = await mget(server, token, a.spaceId, [{ prompt_key: key }]);
        assert.equal(
          latest.body.data.items[0].prompt.version,
          "1.0.0",
          "the commit invalidated the cache",
        );
        const h = await post(server, `${P}/${id}/labels/history`, undefined, a, "GET");
        assert.deepEqual(
          h.body.label_changes.map((
            x: { label_key: string; from_version: string; to_version: string },
          ) => `${x.label_key}:${x.from_version}->${x.to_version}`).sort(),
          ["beta:->0.0.1", "beta:0.0.1->0.1.0", "production:->0.1.0"],
        );
        const custom = await post(server, "/api/prompt/v1/labels", {
          workspace_id: a.spaceId,
          label: { key: "canary" },
        }, a);
        assert.equal(custom.body.code, 0);
        const labels = await post(server, "/api/prompt/v1/labels/list", {
          workspace_id: a.spaceId,
          with_prompt_version_mapping: true,
          prompt_id: id,
        }, a);
        assert.deepEqual(labels.body.labels.map((l: { key: string }) => l.key), [
          "production",
          "beta",
          "test",
          "canary",
        ]);
        assert.deepEqual(labels.body.prompt_version_mapping, {
          beta: "0.1.0",
          production: "0.1.0",
        });
      });

      await t.step("errors: unknown key, version and label are code != 0", async () => {
        const cases: [unknown, number][] = [
          [{ prompt_key: "does_not_exist" }, 600501001],
          [{ prompt_key: key, version: "9.9.9" }, 600501002],
          [{ prompt_key: key, label: "test" }, 600501007],
        ];
        for (const [q, code] of cases) {
          const r = await mget(server, token, a.spaceId, [{ prompt_key: key }, q]);
          assert.equal(r.body.code, code, JSON.stringify(r.body));
          assert.equal(r.body.data, undefined);
        }
      });

      await t.step("revert, clone, update, list, delete", async () => {
        const rev = await post(server, `${P}/${id}/drafts/revert_from_commit`, {
          commit_version_reverting_from: "0.0.1",
        }, a);
        assert.equal(rev.body.code, 0);
        const g = await post(server, `${P}/${id}?with_draft=true`, undefined, a, "GET");
        assert.deepEqual(g.body.prompt.prompt_draft.detail, detail("helpful"));
        const cloneKey = `${key}_copy`;
        const cl = await post(server, `${P}/${id}/clone`, {
          commit_version: "0.1.0",
          cloned_prompt_key: cloneKey,
          cloned_prompt_name: "Copy",
        }, a);
        assert.equal(cl.body.code, 0, JSON.stringify(cl.body));
        const cg = await post(
          server,
          `${P}/${cl.body.cloned_prompt_id}?with_draft=true`,
          undefined,
          a,
          "GET",
        );
        assert.deepEqual(cg.body.prompt.prompt_draft.detail, detail("concise"));
        const up = await post(server, `${P}/${id}`, { prompt_name: "Renamed" }, a, "PUT");
        assert.equal(up.body.code, 0);
        const l = await post(server, `${P}/list`, {
          workspace_id: a.spaceId,
          key_word: key,
          page_num: 1,
          page_size: 10,
        }, a);
        assert.equal(l.body.total, 2);
        const dupKey = await post(server, P, {
          workspace_id: a.spaceId,
          prompt_key: key,
          prompt_name: "dup",
        }, a);
        assert.equal(dupKey.body.code, 600501008);
        assert.equal((await post(server, `${P}/${id}`, undefined, a, "DELETE")).body.code, 0);
        const gone = await mget(second, token, a.spaceId, [{ prompt_key: key }]);
        assert.equal(gone.body.code, 600501001, "deleted: not found in every process");
        const reuse = await post(server, P, {
          workspace_id: a.spaceId,
          prompt_key: key,
          prompt_name: "again",
        }, a);
        assert.equal(reuse.body.code, 0, "a deleted prompt's key can be used again");
      });

      await t.step("isolation: another user cannot read or change the prompts", async () => {
        const b = await registerUser(server);
        const bToken = await createToken(server, b.cookie);
        const other = await mget(server, bToken, a.spaceId, [{ prompt_key: `${key}_copy` }]);
        assert.equal(other.body.code, 602000101);
        const otherId = await createPrompt(server, a, `${key}_private`);
        for (
          const [path, body, method] of [
            [`${P}/${otherId}`, undefined, "GET"],
            [`${P}/${otherId}`, { prompt_name: "hijack" }, "PUT"],
            [`${P}/${otherId}`, undefined, "DELETE"],
            [`${P}/${otherId}/drafts/save`, { prompt_draft: { detail: {} } }, "POST"],
            [`${P}/${otherId}/drafts/commit`, { commit_version: "9.0.0" }, "POST"],
            [`${P}/${otherId}/commits/list`, {}, "POST"],
            [`${P}/${otherId}/clone`, {
              commit_version: "0.0.1",
              cloned_prompt_key: "x",
              cloned_prompt_name: "x",
            }, "POST"],
          ] as const
        ) {
          const r = await post(server, path, body, b, method);
          assert.equal(r.body.code, 600501001, `${method} ${path}: ${JSON.stringify(r.body)}`);
        }
        await assertWorkspaceIsolation(server, {
          path: `${P}/list`,
          body: (s) => ({ workspace_id: s }),
          auth: "cookie",
        }, { owner: a, outsider: b });
        await assertWorkspaceIsolation(server, {
          path: P,
          body: (s) => ({
            workspace_id: s,
            prompt_key: `iso_${crypto.randomUUID().slice(0, 6)}`,
            prompt_name: "x",
          }),
          auth: "cookie",
        }, { owner: a, outsider: b });
        const labels = await post(server, "/api/prompt/v1/labels/list", {
          workspace_id: b.spaceId,
          with_prompt_version_mapping: true,
          prompt_id: otherId,
        }, b);
        assert.equal(labels.body.code, 600501001, "no label mapping of a foreign prompt");
      });

      await t.step(
        "an invalid template is refused at commit time with its line and reason",
        async () => {
          const jid = await createPrompt(server, a, `${key}_jinja`);
          const bad = {
            prompt_template: {
              template_type: "jinja2",
              messages: [
                { role: "system", content: "ok" },
                { role: "user", content: "line one\n{% for x in items %}\n{{ x }\n{% endfor %}" },
              ],
              variable_defs: [{ key: "items", type: "array<string>" }],
            },
          };
          await post(server, `${P}/${jid}/drafts/save`, { prompt_draft: { detail: bad } }, a);
          const r = await post(server, `${P}/${jid}/drafts/commit`, { commit_version: "0.0.1" }, a);
          assert.equal(r.body.code, 602000202, JSON.stringify(r.body));
          assert.match(r.body.msg, /messages\[1\].*line 3/);
          const list = await post(server, `${P}/${jid}/commits/list`, {}, a);
          assert.deepEqual(list.body.prompt_commit_infos, [], "nothing was committed");
        },
      );

      await t.step("bad input is invalid param naming the field", async () => {
        const huge = {
          prompt_template: { messages: [{ role: "user", content: "x".repeat(1_100_000) }] },
        };
        const cases: [string, unknown, string][] = [
          [P, { workspace_id: a.spaceId, prompt_key: "bad key!", prompt_name: "x" }, "prompt_key"],
          [P, { workspace_id: a.spaceId, prompt_key: "ok_key" }, "prompt_name"],
          [P, {
            workspace_id: a.spaceId,
            prompt_key: "k2",
            prompt_name: "x",
            draft_detail: { prompt_template: { messages: [{ role: "wizard" }] } },
          }, "draft_detail.prompt_template.messages.0.role"],
          [P, {
            workspace_id: a.spaceId,
            prompt_key: "k3",
            prompt_name: "x",
            draft_detail: { nope: 1 },
          }, "draft_detail"],
          [
            P,
            { workspace_id: a.spaceId, prompt_key: "k4", prompt_name: "x", draft_detail: huge },
            "draft_detail",
          ],
          ["/v1/loop/prompts/mget", { workspace_id: a.spaceId, queries: [] }, "queries"],
          [
            "/v1/loop/prompts/mget",
            { workspace_id: a.spaceId, queries: [{ key: "x" }] },
            "queries",
          ],
        ];
        for (const [path, body, field] of cases) {
          const r = path.startsWith("/v1")
            ? await post(server, path, body, { token })
            : await post(server, path, body, a);
          assert.equal(
            r.body.code,
            602000202,
            `${path} ${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(r.body).slice(0, 200)}`,
          );
          assert.match(r.body.msg, new RegExp(field.replaceAll(".", "\\.")));
        }
      });
    } finally {
      await server.stop();
      await second.stop();
    }
  },
});
