import assert from "node:assert/strict";
import { parseJudgement } from "../../domains/evaluation/judge_parse.ts";
import { fill, variablesOf } from "../../domains/evaluation/judge.ts";

Deno.test("judge_parse: a JSON object, alone or with text around it", () => {
  assert.deepEqual(parseJudgement('{"reason": "fine", "score": 0.8}'), {
    score: 0.8,
    reason: "fine",
  });
  assert.deepEqual(
    parseJudgement('Here is my verdict: {"reason": "ok {nested}", "score": 1} Hope it helps.'),
    { score: 1, reason: "ok {nested}" },
  );
  assert.deepEqual(parseJudgement('{"score": "0.5", "reason": "string score"}').score, 0.5);
});

Deno.test("judge_parse: fenced JSON, trailing text, loose JSON", () => {
  const fenced = 'Thinking...\n```json\n{"reason": "r", "score": 0.25}\n```\ntrailing words';
  assert.deepEqual(parseJudgement(fenced), { score: 0.25, reason: "r" });
  assert.deepEqual(parseJudgement("{'reason': 'single quotes', 'score': 0.4,}"), {
    score: 0.4,
    reason: "single quotes",
  });
  assert.equal(parseJudgement('{reason: "bare keys", score: 0.6}').score, 0.6);
  // The first object without a score is skipped.
  assert.equal(parseJudgement('{"a": 1} then {"score": 0.3, "reason": "x"}').score, 0.3);
});

Deno.test("judge_parse: a bare score and Score: lines", () => {
  assert.deepEqual(parseJudgement(" 0.7 "), { score: 0.7, reason: "" });
  assert.deepEqual(parseJudgement("Reason: it is right\nScore: 1"), {
    score: 1,
    reason: "it is right",
  });
  assert.equal(parseJudgement("**Score**: 0.5").score, 0.5);
});

Deno.test("judge_parse: garbage has no score", () => {
  for (
    const text of [
      "",
      "I cannot grade this.",
      "{not json",
      '{"reason": "no score"}',
      "score it from 0 to 1",
      '{"score": "high"}',
      '{"score": NaN}',
    ]
  ) {
    assert.equal(parseJudgement(text).score, undefined, text);
  }
});

Deno.test("judge: variables from every field group; a missing one is empty", () => {
  const vars = variablesOf({
    input_fields: { a: { content_type: "Text", text: "A" } },
    evaluate_dataset_fields: {
      b: { content_type: "MultiPart", multi_part: [{ text: "B1" }, { text: "B2" }] },
    },
    evaluate_target_output_fields: { c: { text: "C" } },
  });
  assert.equal(fill("{{a}}|{{ b }}|{{c}}|{{missing}}", vars), "A|B1\nB2|C|");
});
