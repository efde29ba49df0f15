/** Helpers for the evaluator end-to-end tests: a server whose judge models are a local fake. */
import assert from "node:assert/strict";
import { startServer } from "../_server.ts";
import { FAKE_LLM_API_KEY, startFakeLlm } from "../fixtures/fake_llm_server.ts";
import { post, type TestUser } from "./_client.ts";
import type { ServerProcess } from "../_server.ts";

/** The evaluator routes. */
export const E = "/api/evaluation/v1/evaluators";
/** The version routes. */
export const V = "/api/evaluation/v1/evaluators_versions";

/** The fake provider and a models file naming it (model 1: text answers; model 3: can call
 * the judge tool); `env` points a server at them; `close` stops the fake and removes the file. */
export async function fakeModels() {
  const llm = await startFakeLlm({ apiKey: FAKE_LLM_API_KEY });
  const models = await Deno.makeTempFile({ suffix: ".yaml" });
  await Deno.writeTextFile(
    models,
    `models:
  - { id: 1, name: fake-gpt, protocol: openai, base_url: "${llm.url}/v1", api_key_env: FAKE_LLM_KEY, model: gpt-fake }
  - { id: 3, name: fake-judge, protocol: openai, base_url: "${llm.url}/v1", api_key_env: FAKE_LLM_KEY, model: judge-fake, ability: { function_call: true } }
`,
  );
  return {
    llm,
    models,
    env: { COZE_LOOP_MODELS_FILE: models, FAKE_LLM_KEY: FAKE_LLM_API_KEY },
    async close() {
      await llm.close();
      await Deno.remove(models).catch(() => {});
    },
  };
}

/** The fake provider (see fakeModels) and a server using it. */
export async function setupEvaluators() {
  const { llm, models, env } = await fakeModels();
  const server = await startServer({ ...env, COZE_LOOP_LLM_TIMEOUT_S: "5" });
  return { llm, server, models };
}

/** Text content. */
export const text = (t: string) => ({ content_type: "Text", text: t });

/** An input whose output and reference are given. */
export const sample = (actual: string, reference = actual, extra: Record<string, string> = {}) => ({
  evaluate_dataset_fields: { reference_output: text(reference), input: text("question?") },
  evaluate_target_output_fields: { actual_output: text(actual) },
  input_fields: Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, text(v)])),
});

/** LLM judge content: one user message, model `modelId`. */
export const judgeContent = (message: string, modelId = "1") => ({
  prompt_evaluator: {
    message_list: [{ role: 2, content: text(message) }],
    model_config: { model_id: modelId, temperature: 0 },
  },
});

/** Code content. */
export const codeContent = (language: "Python" | "JS", code: string) => ({
  code_evaluator: { language_type: language, code_content: code },
});

/** Creates an evaluator; returns its id. */
export async function createEvaluator(
  server: ServerProcess,
  u: TestUser,
  type: 1 | 2,
  name: string,
  content: unknown,
): Promise<string> {
  const r = await post(server, E, {
    evaluator: {
      workspace_id: u.spaceId,
      evaluator_type: type,
      name,
      current_version: { version: "1.0.0", evaluator_content: content },
    },
  }, u);
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return r.body.evaluator_id;
}

/** Runs content that is not saved on one input; returns the output data. */
export async function debug(
  server: ServerProcess,
  u: TestUser,
  type: 1 | 2,
  content: unknown,
  input: unknown,
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  const r = await post(server, `${E}/debug`, {
    workspace_id: u.spaceId,
    evaluator_type: type,
    evaluator_content: content,
    input_data: input,
  }, u);
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return r.body.evaluator_output_data;
}

/** A Python code evaluator comparing the output with the reference. */
export const PY = `def exec_evaluation(turn):
    actual = turn["evaluate_target_output_fields"]["actual_output"]["text"]
    expected = turn["evaluate_dataset_fields"]["reference_output"]["text"]
    print("comparing", actual, expected)
    return EvalOutput(score=1.0 if actual == expected else 0.0, reason="compared")
`;

/**
 * Code that a sandbox must stop, and what the record's error then says: an endless loop, a
 * memory bomb, the network, files, a subprocess (what, language, code, expected error).
 */
export const HOSTILE_CODE: [string, "Python" | "JS", string, RegExp][] = [
  [
    "loop",
    "Python",
    "def exec_evaluation(turn):\n    while True:\n        pass\n",
    /time limit/,
  ],
  [
    "memory",
    "Python",
    "def exec_evaluation(turn):\n    xs = []\n    while True:\n        xs.append(' ' * 10**7)\n",
    /MemoryError|memory limit/,
  ],
  [
    "network",
    "Python",
    "import urllib.request\ndef exec_evaluation(turn):\n    urllib.request.urlopen('http://127.0.0.1:1/')\n    return {'score': 1}\n",
    /\S/,
  ],
  [
    "files",
    "Python",
    "def exec_evaluation(turn):\n    return {'score': 1, 'reason': open('/etc/passwd').read()}\n",
    /FileNotFoundError/,
  ],
  [
    "subprocess",
    "Python",
    "import os\ndef exec_evaluation(turn):\n    os.system('touch /tmp/pwned')\n    return {'score': 1}\n",
    /PermissionError/,
  ],
  ["loop", "JS", "function exec_evaluation(turn) { for (;;) {} }", /time limit/],
  [
    "memory",
    "JS",
    "function exec_evaluation(turn) { const a = []; for (;;) a.push(new Array(1e5).fill(1)); }",
    /memory/,
  ],
];
