/**
 * Evaluator content as clients send it (the IDL's EvaluatorContent): structure checked and
 * bounded on every write; at create and submit also what a run needs (a judge's messages and
 * model; code that parses and defines exec_evaluation, checked in the sandbox).
 */
import { AppError, invalidParam } from "../errors.ts";
import { checkStoredDepth } from "../json_depth.ts";
import type { CodeLanguage, CodeSandbox } from "./code_sandbox/mod.ts";
import { Codes } from "../errors.ts";
import type { EvaluatorContent, EvaluatorType } from "./types.ts";

const MAX_CONTENT_BYTES = 512 * 1024;
const MAX_CODE_CHARS = 100_000;
const LANGUAGES: Record<string, CodeLanguage> = {
  python: "Python",
  python3: "Python",
  js: "JS",
  javascript: "JS",
};

/** The code language named on the wire (Python, JS and a few aliases), or undefined. */
export function codeLanguage(name: string | undefined): CodeLanguage | undefined {
  return name ? LANGUAGES[name.toLowerCase()] : undefined;
}

/** Checks the structure of `raw` for an evaluator of `type`; answers it normalized. */
export function parseContent(type: EvaluatorType, raw: unknown, field: string): EvaluatorContent {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw invalidParam(field, "expected an object");
  }
  checkStoredDepth(raw, field);
  const c = structuredClone(raw) as EvaluatorContent;
  if (JSON.stringify(c).length > MAX_CONTENT_BYTES) {
    throw invalidParam(field, `larger than ${MAX_CONTENT_BYTES} bytes`);
  }
  if (type === 1) {
    const p = c.prompt_evaluator;
    if (!p || typeof p !== "object") {
      throw invalidParam(`${field}.prompt_evaluator`, "required for an LLM evaluator");
    }
    if (!Array.isArray(p.message_list)) {
      throw invalidParam(`${field}.prompt_evaluator.message_list`, "expected a list of messages");
    }
    p.message_list.forEach((m, i) => {
      if (typeof m !== "object" || m === null) {
        throw invalidParam(`${field}.prompt_evaluator.message_list.${i}`, "expected a message");
      }
      if (m.role !== undefined && ![1, 2, 3, 4].includes(m.role)) {
        throw invalidParam(`${field}.prompt_evaluator.message_list.${i}.role`, "1..4");
      }
    });
    delete c.code_evaluator;
  } else {
    const code = c.code_evaluator;
    if (!code || typeof code !== "object") {
      throw invalidParam(`${field}.code_evaluator`, "required for a code evaluator");
    }
    if (code.language_type !== undefined) {
      const lang = codeLanguage(code.language_type);
      if (!lang) throw invalidParam(`${field}.code_evaluator.language_type`, "Python or JS");
      code.language_type = lang;
    }
    if ((code.code_content ?? "").length > MAX_CODE_CHARS) {
      throw invalidParam(
        `${field}.code_evaluator.code_content`,
        `at most ${MAX_CODE_CHARS} characters`,
      );
    }
    delete c.prompt_evaluator;
  }
  return c;
}

/** What a version must have to run: throws `invalid param` or the code's problem. */
export async function checkRunnable(
  type: EvaluatorType,
  c: EvaluatorContent,
  sandbox: CodeSandbox,
  field: string,
): Promise<void> {
  if (type === 1) {
    const p = c.prompt_evaluator!;
    if (p.message_list.length === 0) {
      throw invalidParam(`${field}.prompt_evaluator.message_list`, "at least one message");
    }
    const id = p.model_config?.model_id;
    if (id === undefined || !/^\d{1,19}$/.test(String(id))) {
      throw invalidParam(`${field}.prompt_evaluator.model_config.model_id`, "the judge's model");
    }
    return;
  }
  const code = c.code_evaluator!;
  const lang = codeLanguage(code.language_type);
  if (!lang) throw invalidParam(`${field}.code_evaluator.language_type`, "Python or JS");
  if (!code.code_content?.trim()) {
    throw invalidParam(`${field}.code_evaluator.code_content`, "the code is empty");
  }
  const problem = await sandbox.check(lang, code.code_content);
  if (problem) {
    throw new AppError(Codes.evaluatorCodeInvalid, `invalid ${lang} code: ${problem}`);
  }
}
