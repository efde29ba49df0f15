/**
 * Experiments across processes and limits, over HTTP in both modes: a kill sent to another
 * process of the deployment (real services; embedded mode is one process) aborts the items
 * running anywhere at once; an item past its time limit fails with that reason; two runs of
 * one workspace, on two processes, never run more items at once than the workspace's limit.
 */
import assert from "node:assert/strict";
import { startPeer, startServer } from "../_server.ts";
import { post, registerUser } from "./_client.ts";
import { codeContent, createEvaluator, fakeModels } from "./_evaluators.ts";
import { commitPrompt } from "./_prompts.ts";
import { createPromptTarget, promptIdOf } from "./_eval_targets.ts";
import { committedSet, counts, submit, versionIdOf, waitExpt, X } from "./_experiments.ts";

const ONE_JS = `function exec_evaluation(turn) { return { score: 1, reason: "one" }; }`;
const SLOW_JS = `function exec_evaluation(turn) {
  const end = Date.now() + 300;
  while (Date.now() < end) {}
  return { score: 1, reason: "slow" };
}`;

Deno.test({
  name: "e2e experiments: kill through another process; the per-item time limit",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const fake = await fakeModels();
    // The fake stalls 30 s on "#slow"; the model timeout is longer than the item's limit.
    const env = {
      ...fake.env,
      COZE_LOOP_LLM_TIMEOUT_S: "60",
      COZE_LOOP_EXPT_ITEM_TIMEOUT_S: "3",
      COZE_LOOP_EXPT_WORKSPACE_CONCURRENCY: "3",
    };
    const server = await startServer(env);
    const peer = await startPeer(server, env);
    try {
      const u = await registerUser(server);
      const ws = { workspace_id: u.spaceId };
      const tag = crypto.randomUUID().slice(0, 8);
      await commitPrompt(server, u, "peers", "1");
      const target = await createPromptTarget(server, u, await promptIdOf(server, u, "peers"));
      const one = await versionIdOf(
        server,
        u,
        await createEvaluator(server, u, 2, "one", codeContent("JS", ONE_JS)),
      );
      const slow = await versionIdOf(
        server,
        u,
        await createEvaluator(server, u, 2, "slow", codeContent("JS", SLOW_JS)),
      );
      const run = async (name: string, questions: string[], concur: number, evaluator = one) => {
        const set = await committedSet(
          server,
          u,
          name,
          questions.map((q) => ({ question: q, reference: "" })),
        );
        return await submit(server, u, {
          ...ws,
          name,
          eval_set_version_id: set.versionId,
          target_version_id: target.versionId,
          evaluator_version_ids: [evaluator],
          target_field_mapping: {
            from_eval_set: [{ field_name: "question", from_field_name: "question" }],
          },
          item_concur_num: concur,
        });
      };

      await t.step("an item past its time limit fails with that reason", async () => {
        const e = await run("timeouts", [`${tag} fast`, `#slow ${tag}`], 2);
        const { expt } = await waitExpt(server, u, e.id, { timeoutMs: 60_000 });
        assert.equal(expt.status, 12, JSON.stringify(expt));
        assert.deepEqual(counts(expt), {
          pending: 0,
          processing: 0,
          success: 1,
          fail: 1,
          terminated: 0,
        });
        const r = await post(
          server,
          `${X}/results/batch_get?workspace_id=${u.spaceId}&page_size=10`,
          { experiment_ids: [e.id] },
          u,
        );
        assert.match(JSON.stringify(r.body), /longer than 3000 ms/);
      });

      await t.step("two runs on two processes stay within the workspace's limit", async () => {
        const items = (p: string) => Array.from({ length: 16 }, (_, i) => `${tag} ${p}${i}`);
        const a = await run("limit a", items("a"), 4, slow);
        const b = await run("limit b", items("b"), 4, slow);
        let most = 0;
        for (let done = false; !done;) {
          const [ea, eb] = await Promise.all([
            waitExpt(server, u, a.id, { until: () => true }),
            waitExpt(peer, u, b.id, { until: () => true }),
          ]);
          most = Math.max(most, counts(ea.expt).processing + counts(eb.expt).processing);
          done = [11, 12, 13].includes(ea.expt.status) && [11, 12, 13].includes(eb.expt.status);
        }
        assert.ok(most <= 3, `${most} items ran at once in a workspace limited to 3`);
        for (const id of [a.id, b.id]) {
          const { expt } = await waitExpt(server, u, id);
          assert.equal(expt.status, 11, JSON.stringify(expt));
          assert.equal(counts(expt).success, 16);
        }
      });

      await t.step("a kill sent to another process stops the run everywhere", async () => {
        const e = await run(
          "killed elsewhere",
          Array.from({ length: 12 }, (_, i) => `#slow ${tag} ${i}`),
          4,
        );
        await waitExpt(server, u, e.id, { until: (x) => counts(x).processing >= 2 });
        const k = await post(peer, `${X}/${e.id}/kill`, ws, u);
        assert.equal(k.body.code, 0, JSON.stringify(k.body));
        // Items stall 30 s at the model and would fail at 3 s: ending Terminated, with none
        // failed, means the running ones were aborted by the kill.
        const { expt } = await waitExpt(peer, u, e.id, { timeoutMs: 20_000 });
        assert.equal(expt.status, 13, JSON.stringify(expt));
        assert.deepEqual(counts(expt), {
          pending: 0,
          processing: 0,
          success: 0,
          fail: 0,
          terminated: 12,
        });
      });
    } finally {
      await peer.stop();
      await server.stop();
      await fake.close();
    }
  },
});
