/**
 * Code evaluators over HTTP against a real server (both modes): hostile code (an endless
 * loop, a memory bomb, network, files, environment, a subprocess, a flood of output) is
 * reported as the record's error while the server stays healthy and keeps running code.
 */
import assert from "node:assert/strict";
import { registerUser } from "./_client.ts";
import { codeContent, debug, HOSTILE_CODE, PY, sample, setupEvaluators } from "./_evaluators.ts";

Deno.test({
  name: "evaluators: hostile code in the sandbox",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { llm, server, models } = await setupEvaluators();
    try {
      const u = await registerUser(server);
      await t.step(
        "hostile code fails as the record's error; the server stays healthy",
        async () => {
          const cases: [string, "Python" | "JS", string, RegExp][] = [
            ...HOSTILE_CODE,
            [
              "network",
              "JS",
              "function exec_evaluation(turn) { return { score: 1, reason: typeof fetch + typeof Deno + typeof require } }",
              /^$/,
            ],
          ];
          for (const [what, lang, code, expected] of cases) {
            const out = await debug(server, u, 2, codeContent(lang, code), sample("x"));
            if (what === "network" && lang === "JS") {
              assert.equal(out.evaluator_result.reasoning, "undefinedundefinedundefined");
              continue;
            }
            assert.equal(
              out.evaluator_result,
              undefined,
              `${lang} ${what}: ${JSON.stringify(out)}`,
            );
            assert.match(out.evaluator_run_error.message, expected, `${lang} ${what}`);
          }
          const env = await debug(
            server,
            u,
            2,
            codeContent(
              "Python",
              "import os\ndef exec_evaluation(turn):\n    return {'score': len(os.environ), 'reason': ','.join(os.environ)}\n",
            ),
            sample("x"),
          );
          assert.equal(env.evaluator_result.reasoning, "HOME");
          const bigOut = await debug(
            server,
            u,
            2,
            codeContent(
              "Python",
              "def exec_evaluation(turn):\n    print('x' * 100000)\n    return {'score': 1}\n",
            ),
            sample("x"),
          );
          assert.ok(bigOut.stdout.length < 20_000, "stdout is bounded");
          assert.equal(await fetch(`${server.url}/ping`).then((r) => r.text()), "pong");
          const after = await debug(server, u, 2, codeContent("Python", PY), sample("a"));
          assert.equal(after.evaluator_result.score, 1);
        },
      );
    } finally {
      await server.stop();
      await llm.close();
      await Deno.remove(models);
    }
  },
});
