/**
 * Experiment results over HTTP (both modes): two runs of JavaScript code evaluators over a
 * small set (the second with a newer version of one evaluator), read back item by item and
 * aggregated, compared against the first with deltas and improved / regressed counts, pass
 * thresholds, a manual correction that changes the aggregates, the OpenAPI family with a
 * token, workspace isolation and bad input on every route.
 */
import assert from "node:assert/strict";
import { startServer } from "../_server.ts";
import { createToken, post, registerUser } from "./_client.ts";
import { setupRuns, X } from "./_expt_results.ts";

const R = "/api/evaluation/v1/evaluator_records";

/** The item whose question is `text` (the baseline's set values). */
// deno-lint-ignore no-explicit-any
function byQuestion(items: any[], text: string): any {
  const it = items.find((i) =>
    i.turn_results[0].experiment_results[0].payload.eval_set.turn.field_data_list[0].content
      .text === text
  );
  assert.ok(it, `item ${text}`);
  return it;
}
const L = "/v1/loop/evaluation";

Deno.test({
  name: "e2e experiment results: items, aggregates, comparison, thresholds, correction",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const server = await startServer();
    try {
      const u = await registerUser(server);
      const other = await registerUser(server);
      const ws = { workspace_id: u.spaceId };
      const q = `workspace_id=${u.spaceId}`;
      // Even lengths score 1 with parity 1.0.0: aa, cccc; bbb scores 0. Version 2.0.0: all 1.
      const runs = await setupRuns(server, u, ["aa", "bbb", "cccc"]);
      const call = (path: string, body?: unknown, method = "POST", who = u) =>
        post(server, path, body, who, method);
      // deno-lint-ignore no-explicit-any
      const scores = (item: any, i: number, v: string) =>
        item.turn_results[0].experiment_results[i].payload.evaluator_output.evaluator_records[v];
      let recordId = "";

      await t.step("one experiment's results: set values, records, run state", async () => {
        const r = await call(`${X}/results/batch_get?${q}&page_size=2`, {
          experiment_ids: [runs.run1],
        });
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
        assert.equal(r.body.total, "3");
        assert.deepEqual(r.body.column_eval_set_fields.map((f: { name: string }) => f.name), ["q"]);
        assert.deepEqual(
          r.body.column_evaluators.map((c: { name: string; version: string }) =>
            `${c.name}@${c.version}`
          ),
          ["parity@1.0.0", "half@1.0.0"],
        );
        assert.equal(r.body.item_results.length, 2);
        const p2 = await call(`${X}/results/batch_get?${q}&page_size=2&page_number=2`, {
          experiment_ids: [runs.run1],
        });
        const all = [...r.body.item_results, ...p2.body.item_results];
        assert.deepEqual(
          all.map((i: { item_index: string }) => Number(i.item_index)),
          [0, 1, 2],
          "in the set version's order, across pages",
        );
        const aa = byQuestion(all, "aa");
        const bbb = byQuestion(all, "bbb");
        assert.equal(aa.system_info.run_state, 2);
        const p = aa.turn_results[0].experiment_results[0].payload;
        assert.equal(p.system_info.turn_run_state, 1);
        const rec = scores(bbb, 0, runs.parityV1);
        assert.deepEqual(
          [rec.evaluator_output_data.evaluator_result.score, rec.status],
          [0, 1],
        );
        assert.equal(rec.evaluator_output_data.evaluator_result.reasoning, "length of bbb");
        assert.equal(scores(aa, 0, runs.parityV1).evaluator_output_data.evaluator_result.score, 1);
        assert.equal(scores(aa, 0, runs.half).evaluator_output_data.evaluator_result.score, 0.5);
      });

      await t.step(
        "two experiments aligned by item, with deltas against the baseline",
        async () => {
          const r = await call(`${X}/results/batch_get?${q}`, {
            experiment_ids: [runs.run2, runs.run1],
            baseline_experiment_id: runs.run1,
          });
          assert.equal(r.body.code, 0, JSON.stringify(r.body));
          assert.equal(r.body.expt_column_evaluators.length, 2);
          const ordered = ["aa", "bbb", "cccc"].map((x) => byQuestion(r.body.item_results, x));
          const deltas = ordered.map((it: {
            turn_results: {
              experiment_results: {
                experiment_id: string;
                comparison?: { evaluator_deltas: { delta: number; evaluator_id: string }[] };
              }[];
            }[];
          }) => {
            const [cand, base] = it.turn_results[0].experiment_results;
            assert.equal(cand.experiment_id, runs.run2, "in the order asked");
            assert.equal(base.comparison, undefined, "none on the baseline");
            return cand.comparison!.evaluator_deltas.map((d) => d.delta);
          });
          assert.deepEqual(deltas, [[0, 0], [1, 0], [0, 0]]);
          recordId = scores(ordered[1], 0, runs.parityV2).id;
          const filtered = await call(`${X}/results/batch_get?${q}`, {
            experiment_ids: [runs.run1, runs.run2],
            filters: {
              [runs.run1]: {
                filters: {
                  filter_conditions: [{
                    field: { field_type: 1, field_key: runs.parityV1 },
                    operator: 5,
                    value: "1",
                  }],
                },
              },
            },
          });
          assert.equal(filtered.body.total, "1", JSON.stringify(filtered.body));
        },
      );

      await t.step("aggregates: stats, distribution, thresholds, comparison", async () => {
        const r = await call(`${X}/aggr_results/batch_get?${q}`, {
          experiment_ids: [runs.run1, runs.run2],
        });
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
        const [a1, a2] = r.body.expt_aggregate_result;
        const p1 = a1.evaluator_results[runs.parityV1];
        const value = (list: { aggregator_type: number; data: { value: number } }[], t: number) =>
          list.find((x) => x.aggregator_type === t)!.data.value;
        assert.equal(value(p1.aggregator_results, 1), 0.666666667);
        assert.equal(value(p1.aggregator_results, 2), 2);
        assert.equal(value(p1.aggregator_results, 4), 0);
        const dist = p1.aggregator_results.find((x: { aggregator_type: number }) =>
          x.aggregator_type === 5
        ).data.score_distribution.score_distribution_items;
        assert.deepEqual(
          dist.map((d: { score: string; count: string }) => [d.score, d.count]),
          [["0", "1"], ["1", "2"]],
        );
        assert.equal(a1.passed, false, "0.667 < 0.9");
        assert.equal(p1.passed, false);
        assert.equal(a2.passed, true);
        assert.equal(a1.comparison, undefined);
        assert.equal(a2.comparison.baseline_experiment_id, runs.run1);
        assert.deepEqual(
          a2.comparison.evaluators.map((
            c: { evaluator_version_id: string; improved: number; unchanged: number },
          ) => [c.evaluator_version_id, c.improved, c.unchanged]),
          [[runs.parityV2, 1, 2], [runs.half, 0, 3]],
        );
        const calc = await call(`${X}/${runs.run1}/aggr_results`, ws);
        assert.equal(calc.body.code, 0, JSON.stringify(calc.body));
      });

      await t.step("a correction changes the aggregates and the comparison", async () => {
        const fix = await call(`${R}/${recordId}`, {
          ...ws,
          correction: { score: 0, explain: "not really" },
        }, "PATCH");
        assert.equal(fix.body.code, 0, JSON.stringify(fix.body));
        const c = fix.body.record.evaluator_output_data.evaluator_result;
        assert.deepEqual([c.score, c.correction.score, c.correction.updated_by], [1, 0, u.userId]);
        const g = await call(`${R}/${recordId}?${q}`, undefined, "GET");
        assert.equal(
          g.body.record.evaluator_output_data.evaluator_result.correction.explain,
          "not really",
        );
        const bg = await call(`${R}/batch_get`, { ...ws, evaluator_record_ids: [recordId, "1"] });
        assert.deepEqual(bg.body.records.map((x: { id: string }) => x.id), [recordId]);
        const r = await call(`${X}/aggr_results/batch_get?${q}`, {
          experiment_ids: [runs.run1, runs.run2],
        });
        const a2 = r.body.expt_aggregate_result[1];
        assert.equal(a2.passed, false, "0.667 after the correction");
        assert.equal(a2.pass_thresholds[0].average, 0.666666667);
        assert.deepEqual(
          [a2.comparison.evaluators[0].improved, a2.comparison.evaluators[0].unchanged],
          [0, 3],
        );
      });

      await t.step("OpenAPI with a token: results, aggregates with passed, records", async () => {
        const token = await createToken(server, u.cookie);
        const auth = { token };
        const res = await post(server, `${L}/experiments/${runs.run2}/results`, {
          ...ws,
          page_size: 10,
        }, auth);
        assert.equal(res.body.code, 0, JSON.stringify(res.body));
        // deno-lint-ignore no-explicit-any
        const item = res.body.data.item_results.find((i: any) =>
          i.turn_results[0].payload.eval_set_turn.field_datas[0].content.text === "bbb"
        );
        assert.equal(item.system_info.run_state, "success");
        const recs = item.turn_results[0].payload.evaluator_records;
        assert.equal(recs[0].status, "success");
        assert.equal(recs[0].evaluator_output_data.evaluator_result.correction.score, 0);
        assert.equal(
          item.turn_results[0].payload.eval_set_turn.field_datas[0].content.content_type,
          "text",
        );
        const ag = await post(server, `${L}/experiments/${runs.run2}/aggr_results`, ws, auth);
        assert.equal(ag.body.code, 0, JSON.stringify(ag.body));
        assert.equal(ag.body.data.passed, false);
        const parity = ag.body.data.evaluator_results[0];
        assert.equal(parity.evaluator_id, runs.parityId);
        assert.equal(parity.aggregator_results[0].aggregator_type, "average");
        const fix = await post(
          server,
          `${L}/evaluator_records/${recordId}`,
          {
            ...ws,
            correction: { score: 1 },
          },
          auth,
          "PATCH",
        );
        assert.equal(fix.body.code, 0, JSON.stringify(fix.body));
        const again = await post(server, `${L}/experiments/${runs.run2}/aggr_results`, ws, auth);
        assert.equal(again.body.data.passed, true, "1.0 after the second correction");
        const bg = await post(server, `${L}/evaluator_records/batch_get`, {
          ...ws,
          evaluator_record_ids: [recordId],
        }, auth);
        assert.equal(bg.body.data.records[0].id, recordId);
      });

      await t.step("another user gets an error and nothing, and changes nothing", async () => {
        const token = await createToken(server, other.cookie);
        const theirs = [
          call(`${X}/results/batch_get?${q}`, { experiment_ids: [runs.run1] }, "POST", other),
          call(`${X}/aggr_results/batch_get?${q}`, { experiment_ids: [runs.run1] }, "POST", other),
          call(`${X}/${runs.run1}/aggr_results`, ws, "POST", other),
          call(`${R}/${recordId}?${q}`, undefined, "GET", other),
          call(`${R}/batch_get`, { ...ws, evaluator_record_ids: [recordId] }, "POST", other),
          call(`${R}/${recordId}`, { ...ws, correction: { score: 0.25 } }, "PATCH", other),
          post(server, `${L}/experiments/${runs.run1}/results`, ws, { token }),
          post(server, `${L}/experiments/${runs.run1}/aggr_results`, ws, { token }),
          post(
            server,
            `${L}/evaluator_records/${recordId}`,
            {
              ...ws,
              correction: { score: 0.25 },
            },
            { token },
            "PATCH",
          ),
          post(server, `${L}/evaluator_records/batch_get`, {
            ...ws,
            evaluator_record_ids: [recordId],
          }, { token }),
        ];
        for (const r of await Promise.all(theirs)) {
          assert.equal(r.body.code, 602000101, JSON.stringify(r.body));
          assert.equal(r.body.data ?? r.body.record ?? r.body.item_results, undefined);
        }
        // Their own workspace naming our ids: not found, never our data.
        const oq = `workspace_id=${other.spaceId}`;
        const own = await call(`${R}/${recordId}?${oq}`, undefined, "GET", other);
        assert.equal(own.body.code, 602000205, JSON.stringify(own.body));
        const ownResults = await call(
          `${X}/results/batch_get?${oq}`,
          {
            experiment_ids: [runs.run1],
          },
          "POST",
          other,
        );
        assert.equal(ownResults.body.code, 602000205, JSON.stringify(ownResults.body));
        const g = await call(`${R}/${recordId}?${q}`, undefined, "GET");
        assert.equal(g.body.record.evaluator_output_data.evaluator_result.correction.score, 1);
      });

      await t.step("bad input on every route: a clear error", async () => {
        const bad: [string, unknown, string, RegExp][] = [
          [`${X}/results/batch_get`, { experiment_ids: [runs.run1] }, "POST", /workspace_id/],
          [`${X}/results/batch_get?${q}`, { experiment_ids: [] }, "POST", /experiment_ids/],
          [
            `${X}/results/batch_get?${q}&page_size=0`,
            { experiment_ids: [runs.run1] },
            "POST",
            /page_size/,
          ],
          [`${X}/results/batch_get?${q}`, { experiment_ids: ["x"] }, "POST", /experiment_ids/],
          [
            `${X}/results/batch_get?${q}`,
            {
              experiment_ids: [runs.run1],
              filters: {
                [runs.run1]: {
                  filters: {
                    filter_conditions: [{ field: { field_type: 41 }, operator: 1, value: "x" }],
                  },
                },
              },
            },
            "POST",
            /field_type/,
          ],
          [`${X}/results/batch_get?${q}`, { experiment_ids: ["123"] }, "POST", /not found/],
          [`${X}/aggr_results/batch_get?${q}`, { experiment_ids: "x" }, "POST", /experiment_ids/],
          [`${X}/aggr_results/batch_get`, { experiment_ids: [runs.run1] }, "POST", /workspace_id/],
          [`${X}/x/aggr_results`, ws, "POST", /expt_id/],
          [
            `${R}/${recordId}`,
            { ...ws, correction: { score: "high" } },
            "PATCH",
            /correction.score/,
          ],
          [`${R}/${recordId}`, { ...ws, correction: {} }, "PATCH", /correction.score/],
          [
            `${R}/${recordId}`,
            { ...ws, correction: { score: 1, explain: "x".repeat(5000) } },
            "PATCH",
            /explain/,
          ],
          [`${R}/123?${q}`, undefined, "GET", /not found/],
          [`${R}/x?${q}`, undefined, "GET", /evaluator_record_id/],
          [`${R}/batch_get`, { evaluator_record_ids: [recordId] }, "POST", /workspace_id/],
        ];
        for (const [path, body, method, re] of bad) {
          const r = await call(path, body, method);
          assert.notEqual(r.body.code, 0, `${path}: ${JSON.stringify(r.body)}`);
          assert.match(r.body.msg, re, `${path}: ${r.body.msg}`);
        }
        const g = await call(`${R}/${recordId}?${q}`, undefined, "GET");
        assert.equal(g.body.record.evaluator_output_data.evaluator_result.correction.score, 1);
      });
    } finally {
      await server.stop();
    }
  },
});
