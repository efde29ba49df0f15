/**
 * Experiments over HTTP (both modes), with the local fake model as the prompt target's and
 * the judge's model: a prompt experiment over 50 items with a JavaScript, a Python and an
 * LLM-judge evaluator, counts right at every moment, failures retried then reported; retry
 * as a new run; kill of a slow run; workspace isolation and bad input on every route.
 */
import assert from "node:assert/strict";
import { post, registerUser } from "./_client.ts";
import { codeContent, createEvaluator, judgeContent, PY, setupEvaluators } from "./_evaluators.ts";
import { commitPrompt } from "./_prompts.ts";
import { createPromptTarget, promptIdOf } from "./_eval_targets.ts";
import { committedSet, counts, getExpt, submit, versionIdOf, waitExpt, X } from "./_experiments.ts";

const EQUAL_JS = `function exec_evaluation(turn) {
  const a = turn.evaluate_target_output_fields.actual_output.text;
  const e = turn.evaluate_dataset_fields.reference_output.text;
  return { score: a === e ? 1 : 0, reason: "equal: " + (a === e) };
}`;

Deno.test({
  name: "e2e experiments: prompt target, three evaluators, counts, retry, kill, isolation",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const { llm, server, models } = await setupEvaluators();
    try {
      const u = await registerUser(server);
      const other = await registerUser(server);
      const ws = { workspace_id: u.spaceId };
      const failing = new Set([7, 13]);
      // Marks this run's questions: requests to the fake model are counted by it.
      const tag = crypto.randomUUID().slice(0, 8);
      const ours = (from: number) =>
        (llm.requests.slice(from) as unknown[]).map((r) => JSON.stringify(r))
          .filter((r) => r.includes(tag));
      const set = await committedSet(
        server,
        u,
        "fifty",
        Array.from({ length: 50 }, (_, i) => ({
          question: failing.has(i) ? `#error-500 ${tag} q${i}` : `${tag} q${i}`,
          reference: `echo: ${tag} q${i}`,
        })),
      );
      await commitPrompt(server, u, "answerer", "1");
      const target = await createPromptTarget(server, u, await promptIdOf(server, u, "answerer"));
      const jsEvaluator = await createEvaluator(
        server,
        u,
        2,
        "equal js",
        codeContent("JS", EQUAL_JS),
      );
      const js = await versionIdOf(server, u, jsEvaluator);
      const py = await versionIdOf(
        server,
        u,
        await createEvaluator(server, u, 2, "equal py", codeContent("Python", PY)),
      );
      const judge = await versionIdOf(
        server,
        u,
        await createEvaluator(server, u, 1, "judge", judgeContent("#judge-tool {{output}}", "3")),
      );
      const body = {
        ...ws,
        name: "first run",
        eval_set_id: set.setId,
        eval_set_version_id: set.versionId,
        target_version_id: target.versionId,
        evaluator_version_ids: [js, py, judge],
        target_field_mapping: {
          from_eval_set: [
            { field_name: "question", from_field_name: "question" },
            { field_name: "topic", const_value: "maths" },
          ],
        },
        evaluator_field_mapping: [{
          evaluator_version_id: judge,
          from_target: [{ field_name: "output", from_field_name: "actual_output" }],
        }],
        item_concur_num: 5,
        item_retry_num: 1,
      };
      let exptId = "";

      await t.step("a run over 50 items: counts add up at every moment", async () => {
        const before = llm.requests.length;
        const e = await submit(server, u, body);
        exptId = e.id;
        assert.ok([2, 3].includes(e.status), `submitted as ${e.status}`);
        const { expt, snapshots } = await waitExpt(server, u, exptId);
        for (const s of snapshots) {
          const c = counts(s);
          const sum = c.pending + c.processing + c.success + c.fail + c.terminated;
          assert.ok(sum === 0 || sum === 50, `counts ${JSON.stringify(c)}`);
          assert.ok(c.processing <= 5, `at most item_concur_num running: ${JSON.stringify(c)}`);
        }
        assert.ok(snapshots.some((s) => counts(s).success > 0 && s.status === 3), "seen moving");
        assert.equal(expt.status, 12, JSON.stringify(expt));
        assert.deepEqual(counts(expt), {
          pending: 0,
          processing: 0,
          success: 48,
          fail: 2,
          terminated: 0,
        });
        assert.match(expt.status_message, /2 of 50 items failed/);
        assert.equal(expt.total_item_count, "50");
        assert.ok(expt.start_time && expt.end_time);
        // 48 target calls and 48 judge calls, plus 2 failing items tried twice each.
        const calls = ours(before);
        const failed = calls.filter((c) => c.includes("#error-500"));
        const perAttempt = failed.length / 4;
        assert.ok(Number.isInteger(perAttempt) && perAttempt >= 1, `${failed.length} calls`);
        assert.equal(calls.length - failed.length, 48 * 2, "target and judge once per item");
      });

      await t.step("retry the failures: a new run of those items only", async () => {
        const before = llm.requests.length;
        const r = await post(server, `${X}/${exptId}/retry`, { ...ws, retry_mode: 2 }, u);
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
        const { expt } = await waitExpt(server, u, exptId);
        assert.equal(expt.status, 12);
        assert.deepEqual(counts(expt).fail, 2);
        assert.deepEqual(counts(expt).success, 48);
        const again = ours(before);
        assert.ok(
          again.length > 0 && again.every((c) => c.includes("#error-500")),
          "only failures",
        );
        const chosen = await post(server, `${X}/${exptId}/retry`, {
          ...ws,
          retry_mode: 3,
          item_ids: [set.itemIds[0], set.itemIds[1]],
        }, u);
        assert.equal(chosen.body.code, 0, JSON.stringify(chosen.body));
        assert.notEqual(chosen.body.run_id, r.body.run_id);
        const done = await waitExpt(server, u, exptId);
        assert.deepEqual(counts(done.expt).success, 48);
        const running = await post(server, `${X}/${exptId}/retry`, { ...ws, retry_mode: 9 }, u);
        assert.equal(running.body.code, 602000202, JSON.stringify(running.body));
      });

      await t.step("kill stops a slow run at once: it ends Terminated", async () => {
        const slow = await committedSet(
          server,
          u,
          "slow",
          Array.from({ length: 20 }, (_, i) => ({ question: `#slow ${tag} ${i}`, reference: "x" })),
        );
        const e = await submit(server, u, {
          ...body,
          name: "slow run",
          eval_set_id: slow.setId,
          eval_set_version_id: slow.versionId,
          item_concur_num: 2,
        });
        await waitExpt(server, u, e.id, { until: (x) => counts(x).processing > 0 });
        const k = await post(server, `${X}/${e.id}/kill`, ws, u);
        assert.equal(k.body.code, 0, JSON.stringify(k.body));
        // The fake model stalls 30 s per call: ending sooner means the running items were aborted.
        const { expt } = await waitExpt(server, u, e.id, { timeoutMs: 20_000 });
        assert.equal(expt.status, 13, JSON.stringify(expt));
        assert.deepEqual(counts(expt), {
          pending: 0,
          processing: 0,
          success: 0,
          fail: 0,
          terminated: 20,
        });
        const twice = await post(server, `${X}/${e.id}/kill`, ws, u);
        assert.equal(twice.body.code, 602000202, "an ended run cannot be killed");
      });

      await t.step("list, check_name, update, clone, delete", async () => {
        const l = await post(server, `${X}/list`, { ...ws, page_size: 10 }, u);
        assert.equal(l.body.code, 0, JSON.stringify(l.body));
        assert.equal(l.body.total, 2);
        assert.equal(l.body.experiments[0].name, "slow run", "newest first");
        const f = await post(server, `${X}/list`, {
          ...ws,
          filter_option: { fuzzy_name: "first" },
        }, u);
        assert.deepEqual(f.body.experiments.map((e: { id: string }) => e.id), [exptId]);
        const byStatus = await post(server, `${X}/list`, {
          ...ws,
          filter_option: {
            filters: {
              filter_conditions: [{ field: { field_type: 3 }, operator: 1, value: "13" }],
            },
          },
        }, u);
        assert.deepEqual(byStatus.body.experiments.map((e: { name: string }) => e.name), [
          "slow run",
        ]);
        const taken = await post(server, `${X}/check_name`, { ...ws, name: "first run" }, u);
        assert.equal(taken.body.pass, false);
        const free = await post(server, `${X}/check_name`, { ...ws, name: "new" }, u);
        assert.equal(free.body.pass, true);
        const up = await post(
          server,
          `${X}/${exptId}`,
          { ...ws, name: "renamed", desc: "d" },
          u,
          "PATCH",
        );
        assert.equal(up.body.code, 0, JSON.stringify(up.body));
        assert.equal((await getExpt(server, u, exptId)).name, "renamed");
        const c = await post(server, `${X}/${exptId}/clone`, ws, u);
        assert.equal(c.body.code, 0, JSON.stringify(c.body));
        assert.equal(c.body.experiment.name, "renamed_copy");
        const cloned = await waitExpt(server, u, c.body.experiment.id);
        assert.equal(counts(cloned.expt).success, 48);
        const d = await post(server, `${X}/${c.body.experiment.id}`, ws, u, "DELETE");
        assert.equal(d.body.code, 0, JSON.stringify(d.body));
        const gone = await post(server, `${X}/batch_get`, {
          ...ws,
          expt_ids: [c.body.experiment.id],
        }, u);
        assert.deepEqual(gone.body.experiments, []);
      });

      await t.step("workspace isolation: another user sees and changes nothing", async () => {
        const theirs = { workspace_id: other.spaceId };
        const mine = [
          post(server, `${X}/batch_get`, { ...ws, expt_ids: [exptId] }, other),
          post(server, `${X}/list`, ws, other),
          post(server, `${X}/${exptId}/kill`, ws, other),
          post(server, `${X}/${exptId}/retry`, ws, other),
          post(server, `${X}/${exptId}/clone`, ws, other),
          post(server, `${X}/${exptId}`, { ...ws, name: "x" }, other, "PATCH"),
          post(server, `${X}/${exptId}`, ws, other, "DELETE"),
          post(server, `${X}/submit`, { ...body, name: "stolen" }, other),
        ];
        for (const r of await Promise.all(mine)) {
          assert.equal(r.body.code, 602000101, JSON.stringify(r.body));
        }
        const viaOwn = [
          post(server, `${X}/batch_get`, { ...theirs, expt_ids: [exptId] }, other),
          post(server, `${X}/${exptId}/kill`, theirs, other),
          post(server, `${X}/${exptId}`, { ...theirs, name: "x" }, other, "PATCH"),
          post(server, `${X}/submit`, { ...body, ...theirs, name: "stolen" }, other),
        ];
        const [bg, kill, patch, sub] = await Promise.all(viaOwn);
        assert.deepEqual(bg.body.experiments, []);
        assert.equal(kill.body.code, 602000205, JSON.stringify(kill.body));
        assert.equal(patch.body.code, 602000205, JSON.stringify(patch.body));
        assert.equal(sub.body.code, 602000205, "another workspace's set version is not found");
        assert.equal((await getExpt(server, u, exptId)).name, "renamed");
      });

      await t.step("bad input: a clear error, nothing created", async () => {
        const total = async () =>
          (await post(server, `${X}/list`, { ...ws, page_size: 50 }, u)).body.total;
        const n = await total();
        const { name: _n, ...noName } = body;
        const cases: [unknown, RegExp][] = [
          [{ ...body, name: "a", eval_set_version_id: undefined }, /eval_set_version_id/],
          [{ ...body, name: "b", item_concur_num: 0 }, /item_concur_num/],
          [{ ...body, name: "c", item_retry_num: 99 }, /item_retry_num/],
          [{ ...body, name: "d", evaluator_version_ids: [] }, /evaluator/],
          [{ ...body, name: "e", evaluator_version_ids: ["123456789"] }, /not found/],
          [{ ...body, name: "f", target_version_id: "987654321" }, /not found/],
          [{ ...body, name: "g", eval_set_id: "1" }, /eval_set_id/],
          [{ ...body, name: "renamed" }, /already exists/],
          [noName, /name/],
          [{ ...body, name: "h", evaluator_version_ids: ["x"] }, /evaluator_version_ids/],
          [
            { ...body, name: "i", pass_thresholds: [{ evaluator_version_id: "5", min_score: 1 }] },
            /pass_thresholds/,
          ],
          [{
            ...body,
            name: "j",
            evaluator_field_mapping: [{ evaluator_version_id: "77", from_eval_set: [] }],
          }, /evaluator_field_mapping/],
          ["{not json", /invalid|json/i],
        ];
        for (const [b, re] of cases) {
          const r = await post(server, `${X}/submit`, b, u);
          assert.notEqual(r.body.code, 0, JSON.stringify(b));
          assert.match(r.body.msg, re, `${JSON.stringify(b).slice(0, 200)} -> ${r.body.msg}`);
        }
        const draft = await post(
          server,
          `/api/evaluation/v1/evaluators/${jsEvaluator}?workspace_id=${u.spaceId}`,
          undefined,
          u,
          "GET",
        );
        const draftId = draft.body.evaluator.current_version.id;
        const d = await post(server, `${X}/submit`, {
          ...body,
          name: "k",
          evaluator_version_ids: [draftId],
        }, u);
        assert.match(d.body.msg, /draft/, JSON.stringify(d.body));
        assert.equal(await total(), n, "no experiment was created");
        const badIds = await post(server, `${X}/batch_get`, { ...ws, expt_ids: ["abc"] }, u);
        assert.equal(badIds.body.code, 602000202);
        const badRetry = await post(server, `${X}/${exptId}/retry`, {
          ...ws,
          retry_mode: 3,
        }, u);
        assert.match(badRetry.body.msg, /item_ids/);
        const badPath = await post(server, `${X}/abc/kill`, ws, u);
        assert.equal(badPath.body.code, 602000202);
      });
    } finally {
      await server.stop();
      await llm.close();
      await Deno.remove(models).catch(() => {});
    }
  },
});
