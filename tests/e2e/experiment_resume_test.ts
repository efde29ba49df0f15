/**
 * An experiment whose server is killed (SIGKILL) mid-run: on the real services a second
 * process of the same deployment takes the run over; embedded, the restarted server resumes
 * it. Every item ends once: none lost, none written twice, and no item that had finished
 * before the kill runs again (only those in flight at the kill do).
 */
import assert from "node:assert/strict";
import { startPeer, startServer } from "../_server.ts";
import { registerUser } from "./_client.ts";
import { codeContent, createEvaluator, fakeModels } from "./_evaluators.ts";
import { commitPrompt } from "./_prompts.ts";
import { createPromptTarget, promptIdOf } from "./_eval_targets.ts";
import { committedSet, counts, submit, versionIdOf, waitExpt } from "./_experiments.ts";

// Each record takes a while, so the kill lands mid-run.
const SLOW_JS = `function exec_evaluation(turn) {
  const end = Date.now() + 150;
  while (Date.now() < end) {}
  return { score: 1, reason: "slow" };
}`;
const ITEMS = 60;
const CONCURRENCY = 3;

Deno.test({
  name: "e2e experiments: a server killed mid-run, resumed elsewhere, every item once",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const fake = await fakeModels();
    const llm = fake.llm;
    const env = fake.env;
    let server = await startServer(env, { keepData: true });
    const dataDir = server.dataDir;
    const peer = server.mode === "real" ? await startPeer(server, env) : undefined;
    try {
      const u = await registerUser(server);
      const tag = crypto.randomUUID().slice(0, 8);
      const set = await committedSet(
        server,
        u,
        "resume",
        Array.from({ length: ITEMS }, (_, i) => ({ question: `${tag} q${i}`, reference: "" })),
      );
      await commitPrompt(server, u, "resumer", "1");
      const target = await createPromptTarget(server, u, await promptIdOf(server, u, "resumer"));
      const slow = await versionIdOf(
        server,
        u,
        await createEvaluator(server, u, 2, "slow", codeContent("JS", SLOW_JS)),
      );
      const e = await submit(server, u, {
        workspace_id: u.spaceId,
        name: "resumed run",
        eval_set_version_id: set.versionId,
        target_version_id: target.versionId,
        evaluator_version_ids: [slow],
        target_field_mapping: {
          from_eval_set: [{ field_name: "question", from_field_name: "question" }],
        },
        item_concur_num: CONCURRENCY,
      });
      const { expt: atKill } = await waitExpt(server, u, e.id, {
        until: (x) => counts(x).success >= 10,
      });
      assert.equal(atKill.status, 3, "still running when killed");
      await server.stop("SIGKILL");
      const finishedBefore = counts(atKill).success;
      server = peer ?? await startServer(env, { mode: "embedded", dataDir });
      const { expt } = await waitExpt(server, u, e.id, { timeoutMs: 180_000 });
      assert.equal(expt.status, 11, JSON.stringify(expt));
      assert.deepEqual(counts(expt), {
        pending: 0,
        processing: 0,
        success: ITEMS,
        fail: 0,
        terminated: 0,
      });
      // Target calls per item: one each, plus at most the items in flight at the kill.
      const perItem = new Map<string, number>();
      for (const r of llm.requests) {
        const m = new RegExp(`${tag} (q\\d+)`).exec(JSON.stringify(r));
        if (m) perItem.set(m[1], (perItem.get(m[1]) ?? 0) + 1);
      }
      assert.equal(perItem.size, ITEMS, "every item ran");
      const twice = [...perItem.values()].filter((n) => n > 1).length;
      assert.ok(
        twice <= CONCURRENCY,
        `${twice} items ran twice; only the ${CONCURRENCY} in flight at the kill may`,
      );
      assert.ok(finishedBefore >= 10);
    } finally {
      await server.stop();
      await fake.close();
      if (dataDir) await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
