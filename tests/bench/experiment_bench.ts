/**
 * Wall time of an experiment over HTTP against a server subprocess (real services, embedded,
 * or both): `items` items of an evaluation set, a prompt target on an instant local model,
 * two evaluators (a JavaScript code evaluator and an LLM judge on the same instant model),
 * at `item_concur_num` = `concur`. Reports the wall time from submit to the final status,
 * items per second, and the status reached. Usage:
 * experiment_bench.ts [real|embedded|both] [items=1000] [concur=10]
 */
import { startServer, type TestMode } from "../_server.ts";
import { registerUser } from "../e2e/_client.ts";
import { codeContent, createEvaluator, fakeModels, judgeContent } from "../e2e/_evaluators.ts";
import { commitPrompt } from "../e2e/_prompts.ts";
import { createPromptTarget, promptIdOf } from "../e2e/_eval_targets.ts";
import { committedSet, counts, submit, versionIdOf, waitExpt } from "../e2e/_experiments.ts";

const which = Deno.args[0] ?? "both";
const items = Number(Deno.args[1] ?? 1000);
const concur = Number(Deno.args[2] ?? 10);
const modes: TestMode[] = which === "both" ? ["real", "embedded"] : [which as TestMode];

const EQUAL_JS = `function exec_evaluation(turn) {
  const a = turn.evaluate_target_output_fields.actual_output.text;
  const e = turn.evaluate_dataset_fields.reference_output.text;
  return { score: a === e ? 1 : 0, reason: "equal" };
}`;

const fake = await fakeModels();
const lines: string[] = [];
try {
  for (const mode of modes) {
    const server = await startServer({
      ...fake.env,
    }, { mode });
    try {
      const u = await registerUser(server);
      const set = await committedSet(
        server,
        u,
        "bench",
        Array.from({ length: items }, (_, i) => ({ question: `q${i}`, reference: `echo: q${i}` })),
      );
      await commitPrompt(server, u, "bench", "1");
      const target = await createPromptTarget(server, u, await promptIdOf(server, u, "bench"));
      const js = await versionIdOf(
        server,
        u,
        await createEvaluator(server, u, 2, "equal", codeContent("JS", EQUAL_JS)),
      );
      const judge = await versionIdOf(
        server,
        u,
        await createEvaluator(server, u, 1, "judge", judgeContent("#judge-tool {{output}}", "3")),
      );
      const t0 = performance.now();
      const e = await submit(server, u, {
        workspace_id: u.spaceId,
        name: "bench",
        eval_set_version_id: set.versionId,
        target_version_id: target.versionId,
        evaluator_version_ids: [js, judge],
        target_field_mapping: {
          from_eval_set: [{ field_name: "question", from_field_name: "question" }],
        },
        evaluator_field_mapping: [{
          evaluator_version_id: judge,
          from_target: [{ field_name: "output", from_field_name: "actual_output" }],
        }],
        item_concur_num: concur,
      });
      const { expt } = await waitExpt(server, u, e.id, { timeoutMs: 30 * 60_000 });
      const wallS = (performance.now() - t0) / 1000;
      const c = counts(expt);
      lines.push(
        `| ${mode} | ${items.toLocaleString("en")} | ${concur} | ${wallS.toFixed(1)} s | ` +
          `${(items / wallS).toFixed(1)} | ${expt.status} (${c.success} ok, ${c.fail} failed) |`,
      );
    } finally {
      await server.stop();
    }
  }
} finally {
  await fake.close();
}
console.log(`\n\`deno task bench experiment ${which} ${items} ${concur}\`\n`);
console.log("| mode | items | item_concur_num | wall time | items/s | final status |");
console.log("|---|---|---|---|---|---|");
for (const l of lines) console.log(l);
