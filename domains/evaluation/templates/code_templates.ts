/**
 * The builtin code templates, under the reference's keys (equal, contains_any, regex,
 * starts_with, is_valid_json_object), in Python and JavaScript, written by us. Each reads the
 * turn as the sandbox passes it: `evaluate_target_output_fields.actual_output.text` and
 * `evaluate_dataset_fields.reference_output.text`.
 */
import type { EvaluatorContent } from "../types.ts";

const PY_READ = `def _text(turn, group, field):
    value = (turn.get(group) or {}).get(field) or {}
    return str(value.get("text") or "") if isinstance(value, dict) else str(value)

`;
const JS_READ = `function text(turn, group, field) {
  const value = (turn[group] || {})[field] || {};
  return typeof value === "object" ? String(value.text ?? "") : String(value);
}

`;

const TEMPLATES: Record<string, { name: string; Python: string; JS: string }> = {
  equal: {
    name: "Equals the reference",
    Python: PY_READ + `def exec_evaluation(turn):
    actual = _text(turn, "evaluate_target_output_fields", "actual_output").strip()
    expected = _text(turn, "evaluate_dataset_fields", "reference_output").strip()
    same = actual == expected
    return EvalOutput(score=1.0 if same else 0.0,
                      reason="the output equals the reference" if same
                      else f"the output {actual!r} differs from the reference {expected!r}")
`,
    JS: JS_READ + `function exec_evaluation(turn) {
  const actual = text(turn, "evaluate_target_output_fields", "actual_output").trim();
  const expected = text(turn, "evaluate_dataset_fields", "reference_output").trim();
  const same = actual === expected;
  return {
    score: same ? 1 : 0,
    reason: same ? "the output equals the reference"
      : \`the output "\${actual}" differs from the reference "\${expected}"\`,
  };
}
`,
  },
  contains_any: {
    name: "Contains any of the references",
    Python: PY_READ + `def exec_evaluation(turn):
    actual = _text(turn, "evaluate_target_output_fields", "actual_output")
    # The reference lists the accepted phrases, one per line (or separated by commas).
    raw = _text(turn, "evaluate_dataset_fields", "reference_output")
    phrases = [p.strip() for p in raw.replace(",", "\\n").splitlines() if p.strip()]
    found = [p for p in phrases if p in actual]
    return EvalOutput(score=1.0 if found else 0.0,
                      reason=f"found {found[0]!r}" if found else f"none of {phrases} found")
`,
    JS: JS_READ + `function exec_evaluation(turn) {
  const actual = text(turn, "evaluate_target_output_fields", "actual_output");
  // The reference lists the accepted phrases, one per line (or separated by commas).
  const phrases = text(turn, "evaluate_dataset_fields", "reference_output")
    .split(/[\\n,]/).map((p) => p.trim()).filter(Boolean);
  const found = phrases.find((p) => actual.includes(p));
  return {
    score: found !== undefined ? 1 : 0,
    reason: found !== undefined ? \`found "\${found}"\` : \`none of \${JSON.stringify(phrases)} found\`,
  };
}
`,
  },
  regex: {
    name: "Matches a regular expression",
    Python: `import re

` + PY_READ + `PATTERN = r"^\\d{6}$"  # edit: the pattern the whole output must match


def exec_evaluation(turn):
    actual = _text(turn, "evaluate_target_output_fields", "actual_output").strip()
    ok = re.fullmatch(PATTERN, actual) is not None
    return EvalOutput(score=1.0 if ok else 0.0,
                      reason=f"{actual!r} {'matches' if ok else 'does not match'} {PATTERN}")
`,
    JS: JS_READ + `const PATTERN = /^\\d{6}$/; // edit: the pattern the whole output must match

function exec_evaluation(turn) {
  const actual = text(turn, "evaluate_target_output_fields", "actual_output").trim();
  const ok = PATTERN.test(actual);
  return { score: ok ? 1 : 0, reason: \`"\${actual}" \${ok ? "matches" : "does not match"} \${PATTERN}\` };
}
`,
  },
  starts_with: {
    name: "Starts with the reference",
    Python: PY_READ + `def exec_evaluation(turn):
    actual = _text(turn, "evaluate_target_output_fields", "actual_output").lstrip()
    prefix = _text(turn, "evaluate_dataset_fields", "reference_output").strip()
    ok = actual.startswith(prefix)
    return EvalOutput(score=1.0 if ok else 0.0,
                      reason=f"the output {'starts' if ok else 'does not start'} with {prefix!r}")
`,
    JS: JS_READ + `function exec_evaluation(turn) {
  const actual = text(turn, "evaluate_target_output_fields", "actual_output").trimStart();
  const prefix = text(turn, "evaluate_dataset_fields", "reference_output").trim();
  const ok = actual.startsWith(prefix);
  return { score: ok ? 1 : 0, reason: \`the output \${ok ? "starts" : "does not start"} with "\${prefix}"\` };
}
`,
  },
  is_valid_json_object: {
    name: "Is a JSON object",
    Python: `import json

` + PY_READ + `def exec_evaluation(turn):
    actual = _text(turn, "evaluate_target_output_fields", "actual_output")
    try:
        value = json.loads(actual)
    except ValueError as e:
        return EvalOutput(score=0.0, reason=f"not JSON: {e}")
    ok = isinstance(value, dict)
    return EvalOutput(score=1.0 if ok else 0.0,
                      reason="a JSON object" if ok else f"JSON, but a {type(value).__name__}")
`,
    JS: JS_READ + `function exec_evaluation(turn) {
  const actual = text(turn, "evaluate_target_output_fields", "actual_output");
  let value;
  try {
    value = JSON.parse(actual);
  } catch (e) {
    return { score: 0, reason: "not JSON: " + e.message };
  }
  const ok = value !== null && typeof value === "object" && !Array.isArray(value);
  return { score: ok ? 1 : 0, reason: ok ? "a JSON object" : "JSON, but not an object" };
}
`,
  },
};

/** The keys of the builtin code templates. */
export const CODE_TEMPLATE_KEYS: string[] = Object.keys(TEMPLATES);

/** A code template's list entry (one per language). */
export function codeTemplateEntries(key: string): EvaluatorContent[] {
  const t = TEMPLATES[key];
  if (!t) return [];
  return (["Python", "JS"] as const).map((language_type) => ({
    code_evaluator: { language_type, code_template_key: key, code_template_name: t.name },
  }));
}

/** A code template in a language (Python when not given). */
export function codeTemplate(key: string, language: "Python" | "JS"): EvaluatorContent | undefined {
  const t = TEMPLATES[key];
  return t && {
    receive_chat_history: false,
    code_evaluator: {
      language_type: language,
      code_content: t[language],
      code_template_key: key,
      code_template_name: t.name,
    },
  };
}
