/**
 * An experiment without a target (evaluators read the set's columns only) whose evaluators
 * misbehave, over HTTP in both modes: a judge that answers garbage (a failed record with its
 * raw reply, never a made-up score), code that loops forever, allocates without bound, tries
 * the network, files, the environment or a subprocess. Each is that record's error; the run
 * ends, every item is accounted for, and the server keeps working.
 */
import assert from "node:assert/strict";
import { post, registerUser } from "./_client.ts";
import {
  codeContent,
  createEvaluator,
  HOSTILE_CODE,
  judgeContent,
  setupEvaluators,
} from "./_evaluators.ts";
import { committedSet, counts, submit, versionIdOf, waitExpt, X } from "./_experiments.ts";

const HOSTILE: [string, "Python" | "JS", string, RegExp][] = [
  ...HOSTILE_CODE,
  [
    "environment",
    "JS",
    "function exec_evaluation(turn) { return { score: 1, reason: Deno.env.get('HOME') }; }",
    /Deno|not defined/,
  ],
];

const FIELDS_JS = `function exec_evaluation(turn) {
  const q = turn.evaluate_dataset_fields.question.text;
  return { score: q.length, reason: "length of " + q };
}`;

Deno.test({
  name: "e2e experiments: hostile evaluators are records' errors; the run and server go on",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const { llm, server, models } = await setupEvaluators();
    try {
      const u = await registerUser(server);
      const ws = { workspace_id: u.spaceId };
      const set = await committedSet(server, u, "hostile", [
        { question: "abc", reference: "x" },
        { question: "de", reference: "y" },
      ]);
      const ids: Record<string, string> = {};
      for (const [name, lang, code] of HOSTILE) {
        ids[`${name} ${lang}`] = await versionIdOf(
          server,
          u,
          await createEvaluator(server, u, 2, `${name} ${lang}`, codeContent(lang, code)),
        );
      }
      // Model 1 has no judge tool and echoes: a reply with no score in it.
      ids.garbage = await versionIdOf(
        server,
        u,
        await createEvaluator(server, u, 1, "garbage judge", judgeContent("no verdict here")),
      );
      const fieldsEvaluator = await createEvaluator(
        server,
        u,
        2,
        "fields",
        codeContent("JS", FIELDS_JS),
      );
      ids.fields = await versionIdOf(server, u, fieldsEvaluator);
      const e = await submit(server, u, {
        ...ws,
        name: "hostile",
        eval_set_version_id: set.versionId,
        // One evaluator named by evaluator id and version instead of its version id.
        evaluator_version_ids: Object.entries(ids).filter(([k]) => k !== "fields").map(([, v]) =>
          v
        ),
        evaluator_id_version_list: [{ evaluator_id: fieldsEvaluator, version: "1.0.0" }],
        item_concur_num: 2,
      });
      const { expt } = await waitExpt(server, u, e.id, { timeoutMs: 180_000 });
      assert.equal(expt.status, 12, JSON.stringify(expt));
      assert.ok(expt.evaluator_version_ids.includes(ids.fields), "resolved to its version id");
      assert.deepEqual(counts(expt), {
        pending: 0,
        processing: 0,
        success: 0,
        fail: 2,
        terminated: 0,
      });
      const r = await post(
        server,
        `${X}/results/batch_get?workspace_id=${u.spaceId}&page_size=10`,
        { experiment_ids: [e.id] },
        u,
      );
      assert.equal(r.body.code, 0, JSON.stringify(r.body).slice(0, 500));
      assert.equal(r.body.item_results.length, 2);
      for (const item of r.body.item_results) {
        const records = item.turn_results[0].experiment_results[0].payload.evaluator_output
          .evaluator_records;
        for (const [what, lang, , re] of HOSTILE) {
          const name = `${what} ${lang}`;
          const rec = records[ids[name]];
          assert.equal(rec.status, 2, `${name}: ${JSON.stringify(rec)}`);
          assert.equal(rec.evaluator_output_data.evaluator_result.score, undefined, name);
          const err = rec.evaluator_output_data.evaluator_run_error;
          assert.match(`${err?.message}\n${rec.evaluator_output_data.stdout ?? ""}`, re, name);
        }
        const garbage = records[ids.garbage];
        assert.equal(garbage.status, 2, JSON.stringify(garbage));
        assert.equal(garbage.evaluator_output_data.evaluator_result.score, undefined);
        assert.match(garbage.ext.raw_output, /no verdict here/, "the raw reply is kept");
        const fields = records[ids.fields];
        assert.equal(fields.status, 1, JSON.stringify(fields));
        const q = item.turn_results[0].experiment_results[0].payload.eval_set.turn
          .field_data_list.find((f: { name: string }) => f.name === "question").content.text;
        assert.equal(fields.evaluator_output_data.evaluator_result.score, q.length);
      }
      await assert.rejects(Deno.stat("/tmp/pwned"), "no subprocess ran");
      // The server is healthy and still runs code.
      const ok = await post(server, `/api/evaluation/v1/evaluators/debug`, {
        ...ws,
        evaluator_type: 2,
        evaluator_content: codeContent("JS", FIELDS_JS),
        input_data: {
          evaluate_dataset_fields: { question: { content_type: "Text", text: "hey" } },
        },
      }, u);
      assert.equal(
        ok.body.evaluator_output_data.evaluator_result.score,
        3,
        JSON.stringify(ok.body),
      );
    } finally {
      await server.stop();
      await llm.close();
      await Deno.remove(models).catch(() => {});
    }
  },
});
