/**
 * Per-record overhead of the code evaluator sandbox (`deno task bench code-sandbox [runs]`):
 * cold (a new runner: its Web Worker, engine thread and engine load, then the run) and warm
 * (a run on a loaded runner), for Python (Pyodide) and JavaScript (QuickJS), with a trivial
 * exec_evaluation so that what is measured is the sandbox, not the code.
 */
import { createCodeSandbox } from "../../domains/evaluation/code_sandbox/mod.ts";

const runs = Number(Deno.args[0] ?? 200);
const turn = {
  evaluate_dataset_fields: { reference_output: { content_type: "Text", text: "Paris" } },
  evaluate_target_output_fields: { actual_output: { content_type: "Text", text: "Paris" } },
  ext: {},
};
const CODE = {
  Python: "def exec_evaluation(turn):\n    return EvalOutput(score=1.0, reason='ok')\n",
  JS: "function exec_evaluation(turn) { return { score: 1, reason: 'ok' }; }",
} as const;

const pct = (xs: number[], p: number) =>
  xs.toSorted((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

for (const lang of ["Python", "JS"] as const) {
  const colds: number[] = [];
  for (let i = 0; i < 3; i++) {
    const sb = createCodeSandbox({ warm: 0 });
    const t = performance.now();
    const r = await sb.run(lang, CODE[lang], turn);
    colds.push(performance.now() - t);
    if (r.score !== 1) throw new Error(`${lang}: ${r.error}`);
    await sb.stop();
  }
  const sb = createCodeSandbox({ maxRunners: 1 });
  await sb.run(lang, CODE[lang], turn);
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await sb.run(lang, CODE[lang], turn);
    warm.push(performance.now() - t);
  }
  await sb.stop();
  console.log(
    `${lang.padEnd(6)} cold median ${pct(colds, 0.5).toFixed(0)} ms (3 starts) | warm p50 ` +
      `${pct(warm, 0.5).toFixed(2)} ms, p99 ${pct(warm, 0.99).toFixed(2)} ms (${runs} runs)`,
  );
}
Deno.exit(0);
