/**
 * The CI gate through the OpenAPI (both modes), with the local fake model as the prompt
 * target's model: with nothing but a personal access token, a job submits a run of the good
 * prompt version and of a regressed one (by set, evaluator and prompt version strings, with
 * pass thresholds), waits on get, reads aggr_results, and passes the first and fails the
 * second; get and list (also with an OAuth app's token); kill and retry. Workspace isolation
 * and bad input on each route: experiments_openapi_checks_test.ts.
 */
import assert from "node:assert/strict";
import { createToken, registerUser } from "./_client.ts";
import { setupEvaluators } from "./_evaluators.ts";
import { createApp, exchange, sdkJwt } from "./_oauth.ts";
import { call, ciGate, getOapi, OX, setupScenario, waitOapi } from "./_experiments_openapi.ts";

const N = 10;

Deno.test({
  name: "e2e experiments OpenAPI: the CI gate passes a good run and fails a regression",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const { llm, server, models } = await setupEvaluators();
    try {
      const u = await registerUser(server);
      const tag = crypto.randomUUID().slice(0, 8);
      const s = await setupScenario(server, u, tag, N);
      // From here on, the token only: what a CI job holds.
      const token = await createToken(server, u.cookie, { name: "ci", duration_day: "1" });
      const ws = { workspace_id: u.spaceId };
      const run = (name: string, promptVersion: string) => ({
        ...ws,
        name,
        description: "from CI",
        eval_set_param: { eval_set_id: s.set.setId, version: "1.0.0" },
        evaluator_params: [
          { evaluator_id: s.exact.id, version: "1.0.0" },
          { evaluator_id: s.contains.id, version: "1.0.0" },
        ],
        eval_target_param: {
          source_target_id: s.promptId,
          source_target_version: promptVersion,
          eval_target_type: "coze_loop_prompt",
        },
        target_field_mapping: {
          from_eval_set: [{ field_name: "question", from_field_name: "question" }],
        },
        item_concur_num: 4,
        item_retry_num: 1,
        pass_thresholds: [
          { evaluator_id: s.exact.id, version: "1.0.0", min_score: 0.9 },
          { evaluator_version_id: s.contains.versionId, min_score: 0.5 },
        ],
      });
      let good = "";
      let bad = "";

      await t.step("submit answers the Experiment in the OpenAPI's shape", async () => {
        const r = await call(server, token, OX, run("baseline", "1.0.0"));
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
        const e = r.body.data.experiment;
        good = e.id;
        assert.ok(["pending", "processing"].includes(e.status), e.status);
        assert.equal(e.name, "baseline");
        assert.equal(e.description, "from CI");
        assert.equal(e.eval_set.id, s.set.setId);
        assert.deepEqual(
          { id: e.eval_set.current_version.id, version: e.eval_set.current_version.version },
          { id: s.set.versionId, version: "1.0.0" },
          "the version string resolved to the set's version",
        );
        assert.equal(e.eval_set.current_version.item_count, `${N}`);
        assert.equal(e.eval_target.eval_target_type, "coze_loop_prompt");
        assert.equal(e.eval_target.source_target_id, s.promptId);
        assert.equal(e.eval_target.eval_target_version.source_target_version, "1.0.0");
        assert.deepEqual(e.evaluator_id_version_list, [
          { evaluator_id: s.exact.id, version: "1.0.0", evaluator_version_id: s.exact.versionId },
          {
            evaluator_id: s.contains.id,
            version: "1.0.0",
            evaluator_version_id: s.contains.versionId,
          },
        ]);
        assert.deepEqual(e.pass_thresholds, [
          {
            evaluator_id: s.exact.id,
            version: "1.0.0",
            evaluator_version_id: s.exact.versionId,
            min_score: 0.9,
          },
          {
            evaluator_id: s.contains.id,
            version: "1.0.0",
            evaluator_version_id: s.contains.versionId,
            min_score: 0.5,
          },
        ]);
        assert.deepEqual(e.target_field_mapping, {
          from_eval_set: [{ field_name: "question", from_field_name: "question" }],
        });
        assert.equal(e.item_concur_num, 4);
        assert.equal(e.item_retry_num, 1);
        assert.equal(e.base_info.created_by.user_id, u.userId);
      });

      await t.step("the good run: succeeded, thresholds reached, the job passes", async () => {
        const v = await ciGate(server, token, u.spaceId, good);
        assert.deepEqual(v.failures, []);
        assert.equal(v.exitCode, 0);
        assert.equal(v.status, "success");
        assert.equal(v.aggregates.passed, true);
        const byVersion = Object.fromEntries(
          v.aggregates.pass_thresholds.map((x: { evaluator_version_id: string }) => [
            x.evaluator_version_id,
            x,
          ]),
        );
        assert.equal(byVersion[s.exact.versionId].average, 1);
        assert.equal(byVersion[s.contains.versionId].average, 1);
        const e = await getOapi(server, token, u.spaceId, good);
        assert.deepEqual(e.expt_stats, {
          pending_turn_count: 0,
          success_turn_count: N,
          failed_turn_count: 0,
          terminated_turn_count: 0,
          processing_turn_count: 0,
        });
        assert.equal(e.total_item_count, `${N}`);
        assert.ok(Number(e.ended_at) >= Number(e.started_at) && Number(e.started_at) > 0);
      });

      await t.step("the regressed prompt version: the job fails on its threshold", async () => {
        const r = await call(server, token, OX, run("regressed", "1.1.0"));
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
        bad = r.body.data.experiment.id;
        assert.equal(
          r.body.data.experiment.eval_target.eval_target_version.source_target_version,
          "1.1.0",
        );
        const v = await ciGate(server, token, u.spaceId, bad);
        assert.equal(v.status, "success", "the run itself went through");
        assert.equal(v.exitCode, 1, "the job fails the build");
        assert.equal(v.aggregates.passed, false);
        assert.equal(v.failures.length, 1, JSON.stringify(v.failures));
        assert.match(v.failures[0], new RegExp(`${s.exact.versionId}: 0 < 0.9`));
        const per = Object.fromEntries(
          v.aggregates.evaluator_results.map((x: { evaluator_id: string; passed: boolean }) => [
            x.evaluator_id,
            x.passed,
          ]),
        );
        assert.deepEqual(per, { [s.exact.id]: false, [s.contains.id]: true });
      });

      await t.step("get and list, also with an OAuth app's token", async () => {
        const l = await call(server, token, `${OX}/list`, { ...ws, page_size: 10 });
        assert.equal(l.body.code, 0, JSON.stringify(l.body));
        assert.equal(l.body.data.total, "2");
        assert.deepEqual(l.body.data.experiments.map((e: { name: string }) => e.name), [
          "regressed",
          "baseline",
        ]);
        const named = await call(server, token, `${OX}/list`, {
          ...ws,
          filter_option: {
            fuzzy_name: "base",
            filters: {
              filter_conditions: [
                { field: { field_type: "expt_status" }, operator: "in", value: "success,failed" },
                { field: { field_type: "eval_set_id" }, operator: "equal", value: s.set.setId },
              ],
            },
          },
        });
        assert.deepEqual(named.body.data.experiments.map((e: { id: string }) => e.id), [good]);
        const none = await call(server, token, `${OX}/list`, {
          ...ws,
          filter_option: {
            filters: { filter_conditions: [{ field: { field_type: "expt_status" }, value: "12" }] },
          },
        });
        assert.equal(none.body.data.total, "0", JSON.stringify(none.body));
        const app = await createApp(server, u);
        const oauth = await exchange(server, await sdkJwt(server, app));
        assert.equal(oauth.status, 200, JSON.stringify(oauth.body));
        const viaApp = await getOapi(server, oauth.body.access_token, u.spaceId, good);
        assert.equal(viaApp.id, good);
        assert.equal(viaApp.status, "success");
      });

      await t.step("kill a running run through the OpenAPI: it ends terminated", async () => {
        const r = await call(server, token, OX, {
          ...run("slow", "1.0.0"),
          eval_set_param: { eval_set_id: s.slow.setId, version: "1.0.0" },
          pass_thresholds: [],
          item_concur_num: 1,
        });
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
        const id = r.body.data.experiment.id;
        await waitOapi(server, token, u.spaceId, id, (e) => e.expt_stats.processing_turn_count > 0);
        const early = await call(server, token, `${OX}/${id}/retry`, ws);
        assert.equal(early.body.code, 602000202, JSON.stringify(early.body));
        assert.match(early.body.msg, /still running/);
        const k = await call(server, token, `${OX}/${id}/kill`, ws);
        assert.equal(k.body.code, 0, JSON.stringify(k.body));
        assert.equal(k.body.data, undefined);
        // The fake model stalls 30 s: ending sooner means the running item was aborted.
        const e = await waitOapi(server, token, u.spaceId, id, undefined, 20_000);
        assert.equal(e.status, "terminated", JSON.stringify(e));
        assert.equal(e.expt_stats.terminated_turn_count, 3, JSON.stringify(e.expt_stats));
        assert.equal(e.expt_stats.success_turn_count, 0);
        const twice = await call(server, token, `${OX}/${id}/kill`, ws);
        assert.equal(twice.body.code, 602000202, JSON.stringify(twice.body));
        assert.match(twice.body.msg, /already ended/);
      });

      await t.step("retry through the OpenAPI: chosen items, all, failures", async () => {
        const chosen = await call(server, token, `${OX}/${good}/retry`, {
          ...ws,
          retry_mode: "retry_target_items",
          item_ids: s.set.itemIds.slice(0, 2),
        });
        assert.equal(chosen.body.code, 0, JSON.stringify(chosen.body));
        assert.match(chosen.body.data.run_id, /^\d+$/);
        const v = await ciGate(server, token, u.spaceId, good);
        assert.equal(v.exitCode, 0, JSON.stringify(v.failures));
        const e = await getOapi(server, token, u.spaceId, good);
        assert.equal(e.expt_stats.success_turn_count, N);
        const all = await call(server, token, `${OX}/${bad}/retry`, {
          ...ws,
          retry_mode: "retry_all",
        });
        assert.equal(all.body.code, 0, JSON.stringify(all.body));
        assert.notEqual(all.body.data.run_id, chosen.body.data.run_id);
        const again = await ciGate(server, token, u.spaceId, bad);
        assert.equal(again.exitCode, 1, "the regression is still one");
        assert.equal(
          (await getOapi(server, token, u.spaceId, bad)).expt_stats.success_turn_count,
          N,
        );
        const noFailures = await call(server, token, `${OX}/${bad}/retry`, {
          ...ws,
          retry_mode: "retry_failure",
        });
        assert.equal(noFailures.body.code, 602000202, JSON.stringify(noFailures.body));
        assert.match(noFailures.body.msg, /no item/);
        assert.equal((await getOapi(server, token, u.spaceId, bad)).status, "success");
      });
    } finally {
      await server.stop();
      await llm.close();
      await Deno.remove(models).catch(() => {});
    }
  },
});
