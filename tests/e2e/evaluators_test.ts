/**
 * Evaluators over HTTP against a real server (both modes): CRUD and versions, an LLM judge
 * (tool call, text answer, garbage), Python and JavaScript code evaluators, templates,
 * isolation and bad input. Hostile code is in evaluator_sandbox_test.ts.
 */
import assert from "node:assert/strict";
import { post, registerUser } from "./_client.ts";
import { assertWorkspaceIsolation } from "./_isolation.ts";
import {
  codeContent,
  createEvaluator,
  debug,
  E,
  judgeContent,
  PY,
  sample,
  setupEvaluators,
  V,
} from "./_evaluators.ts";

const JS = `function exec_evaluation(turn) {
  const a = turn.evaluate_target_output_fields.actual_output.text;
  console.log("js sees", a);
  return { score: a.length > 3 ? 1 : 0.5, reason: "length " + a.length };
}`;

Deno.test({
  name: "evaluators: CRUD, versions, judge, code sandbox, templates, isolation",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { llm, server, models } = await setupEvaluators();
    try {
      const u = await registerUser(server);
      const auth = { cookie: u.cookie };

      await t.step("create, get, list, check_name, update, versions, delete", async () => {
        const id = await createEvaluator(server, u, 2, "py equal", codeContent("Python", PY));
        const got = await fetch(`${server.url}${E}/${id}?workspace_id=${u.spaceId}`, {
          headers: { cookie: u.cookie },
        }).then((r) => r.json());
        assert.equal(got.code, 0, JSON.stringify(got));
        assert.equal(got.evaluator.latest_version, "1.0.0");
        assert.equal(got.evaluator.current_version.version, "");
        assert.equal(
          got.evaluator.current_version.evaluator_content.code_evaluator.language_type,
          "Python",
        );
        const dup = await post(server, `${E}/check_name`, {
          workspace_id: u.spaceId,
          name: "py equal",
        }, auth);
        assert.equal(dup.body.pass, false);
        const again = await post(server, E, {
          evaluator: {
            workspace_id: u.spaceId,
            evaluator_type: 2,
            name: "py equal",
            current_version: { evaluator_content: codeContent("Python", PY) },
          },
        }, auth);
        assert.equal(again.body.code, 601204002);
        const patched = await post(
          server,
          `${E}/${id}`,
          { workspace_id: u.spaceId, evaluator_type: 2, description: "d" },
          auth,
          "PATCH",
        );
        assert.equal(patched.body.code, 0, JSON.stringify(patched.body));
        const draft = await post(
          server,
          `${E}/${id}/update_draft`,
          {
            workspace_id: u.spaceId,
            evaluator_type: 2,
            evaluator_content: codeContent("Python", PY.replace("compared", "v2")),
          },
          auth,
          "PATCH",
        );
        assert.equal(draft.body.evaluator.draft_submitted, false);
        const low = await post(server, `${E}/${id}/submit_version`, {
          workspace_id: u.spaceId,
          version: "0.9.0",
        }, auth);
        assert.equal(low.body.code, 601204003);
        const sub = await post(server, `${E}/${id}/submit_version`, {
          workspace_id: u.spaceId,
          version: "1.1.0",
        }, auth);
        assert.equal(sub.body.code, 0, JSON.stringify(sub.body));
        const vid = sub.body.evaluator.current_version.id;
        const versions = await post(
          server,
          `${E}/${id}/versions/list`,
          { workspace_id: u.spaceId },
          auth,
        );
        assert.deepEqual(
          versions.body.evaluator_versions.map((v: { version: string }) => v.version),
          ["1.1.0", "1.0.0"],
        );
        const one = await fetch(`${server.url}${V}/${vid}?workspace_id=${u.spaceId}`, {
          headers: { cookie: u.cookie },
        })
          .then((r) => r.json());
        assert.equal(one.evaluator.current_version.version, "1.1.0");
        const run = await post(server, `${V}/${vid}/run`, {
          workspace_id: u.spaceId,
          input_data: sample("Paris"),
        }, auth);
        assert.equal(run.body.record.status, 1, JSON.stringify(run.body));
        assert.equal(run.body.record.evaluator_output_data.evaluator_result.reasoning, "v2");
        const list = await post(server, `${E}/list`, {
          workspace_id: u.spaceId,
          search_name: "equal",
        }, auth);
        assert.equal(list.body.total, "1");
        const del = await post(
          server,
          `${E}/${id}?workspace_id=${u.spaceId}`,
          undefined,
          auth,
          "DELETE",
        );
        assert.equal(del.body.code, 0, JSON.stringify(del.body));
        const gone = await post(server, `${E}/batch_get`, {
          workspace_id: u.spaceId,
          evaluator_ids: [id],
        }, auth);
        assert.deepEqual(gone.body.evaluators, []);
      });

      await t.step("LLM judge: tool call, text reply, garbage, missing variables", async () => {
        const viaTool = await debug(
          server,
          u,
          1,
          judgeContent("Grade {{actual_output}} #judge-tool", "3"),
          sample("Paris"),
        );
        assert.equal(viaTool.evaluator_result.score, 0.9, JSON.stringify(viaTool));
        assert.equal(viaTool.evaluator_result.reasoning, "the fake judge agrees");
        // Model 1 cannot call tools: the fake echoes the prompt, holding the verdict as text.
        const viaText = await debug(
          server,
          u,
          1,
          judgeContent('Say {"reason": "{{actual_output}} is right", "score": 0.75}{{missing}}'),
          sample("Paris"),
        );
        assert.equal(viaText.evaluator_result.score, 0.75, JSON.stringify(viaText));
        assert.equal(viaText.evaluator_result.reasoning, "Paris is right");
        const garbage = await debug(server, u, 1, judgeContent("no verdict here"), sample("x"));
        assert.equal(garbage.evaluator_result, undefined, JSON.stringify(garbage));
        assert.match(garbage.evaluator_run_error.message, /no score.*no verdict here/s);
        const badTool = await debug(server, u, 1, judgeContent("#tool", "3"), sample("x"));
        assert.equal(badTool.evaluator_result, undefined);
        const id = await createEvaluator(
          server,
          u,
          1,
          "judge",
          judgeContent("Grade {{actual_output}} #judge-tool", "3"),
        );
        const got = await post(server, `${E}/batch_get`, {
          workspace_id: u.spaceId,
          evaluator_ids: [id],
        }, auth);
        assert.equal(got.body.evaluators[0].evaluator_type, 1);
      });

      await t.step("code: Python and JS evaluators, stdout kept", async () => {
        const py = await debug(server, u, 2, codeContent("Python", PY), sample("Paris"));
        assert.equal(py.evaluator_result.score, 1, JSON.stringify(py));
        assert.match(py.stdout, /comparing Paris Paris/);
        const js = await debug(server, u, 2, codeContent("JS", JS), sample("Lyon"));
        assert.equal(js.evaluator_result.score, 1, JSON.stringify(js));
        assert.match(js.stdout, /js sees Lyon/);
        const batch = await post(server, `${E}/batch_debug`, {
          workspace_id: u.spaceId,
          evaluator_type: 2,
          evaluator_content: codeContent("JS", JS),
          input_data: [sample("abc"), sample("abcdef")],
        }, auth);
        assert.deepEqual(
          batch.body.evaluator_output_data.map((o: { evaluator_result: { score: number } }) =>
            o.evaluator_result.score
          ),
          [0.5, 1],
        );
      });

      await t.step("templates and tools", async () => {
        const list = await post(
          server,
          `${E}/list_template?builtin_template_type=1`,
          undefined,
          auth,
        );
        assert.ok(list.body.builtin_template_keys.length >= 10);
        const info = await post(
          server,
          `${E}/get_template_info?builtin_template_type=1&builtin_template_key=builtin_template_correctness`,
          undefined,
          auth,
        );
        assert.match(
          info.body.builtin_template.prompt_evaluator.message_list[0].content.text,
          /\{\{reference_output\}\}/,
        );
        for (
          const key of ["equal", "contains_any", "regex", "starts_with", "is_valid_json_object"]
        ) {
          for (const lang of ["Python", "JS"]) {
            const t = await post(
              server,
              `${E}/get_template_info?builtin_template_type=2&builtin_template_key=${key}&language_type=${lang}`,
              undefined,
              auth,
            );
            assert.equal(t.body.code, 0, JSON.stringify(t.body));
            const v = await post(server, `${E}/validate`, {
              workspace_id: u.spaceId,
              evaluator_type: 2,
              evaluator_content: t.body.builtin_template,
              input_data: sample('{"a": 1}', '{"a": 1}'),
            }, auth);
            assert.equal(v.body.valid, true, `${key} ${lang}: ${JSON.stringify(v.body)}`);
          }
        }
        const tools = await post(server, `${E}/default_prompt_evaluator_tools`, undefined, auth);
        assert.equal(tools.body.tools[0].function.name, "eval");
        const bad = await post(server, `${E}/validate`, {
          workspace_id: u.spaceId,
          evaluator_type: 2,
          evaluator_content: codeContent("Python", "def f(:"),
        }, auth);
        assert.equal(bad.body.valid, false);
        assert.match(bad.body.error_message, /SyntaxError/);
        const noFn = await post(server, E, {
          evaluator: {
            workspace_id: u.spaceId,
            evaluator_type: 2,
            name: "nofn",
            current_version: { evaluator_content: codeContent("JS", "const x = 1;") },
          },
        }, auth);
        assert.equal(noFn.body.code, 601204005, JSON.stringify(noFn.body));
      });

      await t.step("workspace isolation", async () => {
        const owner = await registerUser(server);
        const outsider = await registerUser(server);
        const id = await createEvaluator(server, owner, 2, "iso", codeContent("JS", JS));
        for (
          const call of [
            { path: `${E}/list`, body: (s: string) => ({ workspace_id: s }) },
            {
              path: `${E}/batch_get`,
              body: (s: string) => ({ workspace_id: s, evaluator_ids: [id] }),
            },
            { path: `${E}/check_name`, body: (s: string) => ({ workspace_id: s, name: "x" }) },
            {
              path: `${E}/debug`,
              body: (s: string) => ({
                workspace_id: s,
                evaluator_type: 2,
                evaluator_content: codeContent("JS", JS),
                input_data: sample("a"),
              }),
            },
            { path: `${E}/${id}/versions/list`, body: (s: string) => ({ workspace_id: s }) },
          ]
        ) {
          await assertWorkspaceIsolation(server, { ...call, auth: "cookie" }, { owner, outsider });
        }
        // The outsider naming their own workspace finds nothing of the owner's.
        const own = await post(server, `${E}/batch_get`, {
          workspace_id: outsider.spaceId,
          evaluator_ids: [id],
        }, { cookie: outsider.cookie });
        assert.deepEqual(own.body.evaluators, []);
        const get = await fetch(`${server.url}${E}/${id}?workspace_id=${outsider.spaceId}`, {
          headers: { cookie: outsider.cookie },
        }).then((r) => r.json());
        assert.equal(get.code, 601204001);
      });

      await t.step("bad input on every route", async () => {
        const bad: [string, string, unknown][] = [
          ["POST", E, { evaluator: { workspace_id: "x" } }],
          ["POST", E, {
            evaluator: {
              workspace_id: u.spaceId,
              evaluator_type: 9,
              name: "n",
              current_version: { evaluator_content: {} },
            },
          }],
          ["POST", E, {
            evaluator: {
              workspace_id: u.spaceId,
              evaluator_type: 1,
              name: "n",
              current_version: { evaluator_content: { prompt_evaluator: { message_list: "no" } } },
            },
          }],
          ["POST", `${E}/list`, { workspace_id: u.spaceId, page_size: 0 }],
          ["POST", `${E}/batch_get`, { workspace_id: u.spaceId, evaluator_ids: ["abc"] }],
          ["POST", `${E}/check_name`, { workspace_id: u.spaceId, name: "" }],
          ["PATCH", `${E}/1`, { workspace_id: u.spaceId, evaluator_type: 2, name: "" }],
          ["PATCH", `${E}/1/update_draft`, { workspace_id: u.spaceId }],
          ["POST", `${E}/1/submit_version`, { workspace_id: u.spaceId, version: "" }],
          ["POST", `${E}/1/versions/list`, { workspace_id: u.spaceId, page_size: 1000 }],
          ["POST", `${V}/batch_get`, { workspace_id: u.spaceId, evaluator_version_ids: [-1] }],
          ["POST", `${V}/1/run`, { workspace_id: u.spaceId }],
          ["POST", `${E}/debug`, { workspace_id: u.spaceId, evaluator_type: 2 }],
          ["POST", `${E}/batch_debug`, {
            workspace_id: u.spaceId,
            evaluator_type: 2,
            evaluator_content: {},
            input_data: [],
          }],
          ["POST", `${E}/validate`, { workspace_id: u.spaceId }],
          ["POST", `${E}/list_template?builtin_template_type=7`, undefined],
          ["POST", `${E}/get_template_info?builtin_template_type=1`, undefined],
          ["GET", `${E}/abc?workspace_id=${u.spaceId}`, undefined],
          ["GET", `${V}/1`, undefined],
          ["DELETE", `${E}/1`, undefined],
          ["POST", E, "{not json"],
        ];
        for (const [method, path, body] of bad) {
          const r = await post(server, path, body, auth, method);
          assert.equal(r.body.code, 602000202, `${method} ${path}: ${JSON.stringify(r.body)}`);
        }
        const missing = await post(
          server,
          `${E}/get_template_info?builtin_template_type=1&builtin_template_key=nope`,
          undefined,
          auth,
        );
        assert.equal(missing.body.code, 601204006);
        const badVersion = await post(server, `${E}/1/submit_version`, {
          workspace_id: u.spaceId,
          version: "v1",
        }, auth);
        assert.equal(badVersion.body.code, 602000202);
      });
    } finally {
      await server.stop();
      await llm.close();
      await Deno.remove(models);
    }
  },
});
