import assert from "node:assert/strict";
import { createCodeSandbox } from "../../domains/evaluation/code_sandbox/mod.ts";

Deno.test({
  name: "code sandbox: limits and refusals are the run's error; runners are replaced",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const sb = createCodeSandbox({ timeoutMs: 1500, memoryMb: 128, maxOutputChars: 1000 });
    try {
      const ok = await sb.run(
        "Python",
        "def exec_evaluation(t):\n    print('hi')\n    return EvalOutput(score=0.5, reason='r')",
        {},
      );
      assert.equal(ok.score, 0.5);
      assert.equal(ok.stdout, "hi\n");
      const cases: ["Python" | "JS", string, RegExp][] = [
        ["Python", "def exec_evaluation(t):\n    while True: pass", /time limit/],
        [
          "Python",
          "def exec_evaluation(t):\n    x = []\n    while True: x.append(' ' * 10**6)",
          /memory/,
        ],
        ["Python", "import os\ndef exec_evaluation(t):\n    os.system('id')", /PermissionError/],
        ["Python", "import js\ndef exec_evaluation(t): return 1", /ImportError/],
        [
          "Python",
          "def exec_evaluation(t):\n    return open('/etc/hostname').read()",
          /FileNotFoundError/,
        ],
        ["Python", "def exec_evaluation(t):\n    return {'reason': 'no score'}", /numeric score/],
        ["JS", "function exec_evaluation(t) { while (true) {} }", /time limit/],
        [
          "JS",
          "function exec_evaluation(t) { const a = []; for (;;) a.push('x'.repeat(1e6) + a.length); }",
          /memory/,
        ],
        [
          "JS",
          "function f() { return f() } function exec_evaluation(t) { return f() }",
          /stack overflow/,
        ],
      ];
      for (const [lang, code, expected] of cases) {
        const r = await sb.run(lang, code, {});
        assert.equal(r.score, undefined, `${lang} ${code}`);
        assert.match(r.error ?? "", expected, `${lang} ${code}`);
      }
      const loud = await sb.run(
        "JS",
        "function exec_evaluation(t) { for (let i = 0; i < 1e4; i++) console.log('y'.repeat(100)); return {score: 1} }",
        {},
      );
      assert.ok(loud.stdout.length < 1100, "stdout is bounded");
      assert.equal(await sb.check("Python", "def exec_evaluation(t):\n    return 1"), undefined);
      assert.match(await sb.check("JS", "function (") ?? "", /SyntaxError/);
      assert.match(await sb.check("JS", "const y = 1") ?? "", /exec_evaluation/);
      const after = await sb.run(
        "JS",
        "function exec_evaluation(t) { return {score: 1, reason: 'again'} }",
        {},
      );
      assert.equal(after.reason, "again");
    } finally {
      await sb.stop();
    }
  },
});
