/**
 * The builtin templates (list_template, get_template_info) and the judge tool
 * (default_prompt_evaluator_tools): the reference's keys, our own text and code.
 */
import { AppError, Codes } from "../../errors.ts";
import { codeLanguage } from "../content.ts";
import type { EvaluatorContent, PromptEvaluator } from "../types.ts";
import { CODE_TEMPLATE_KEYS, codeTemplate, codeTemplateEntries } from "./code_templates.ts";
import { PROMPT_TEMPLATE_KEYS, promptTemplate, promptTemplateEntry } from "./prompt_templates.ts";

/** The IDL's TemplateType: 1 prompt, 2 code. */
export type TemplateType = 1 | 2;

/** The judge's tool: the model answers by calling it with {reason, score}. */
export const JUDGE_TOOL: NonNullable<PromptEvaluator["tools"]>[number] = {
  type: 1,
  function: {
    name: "eval",
    description: "Report your evaluation. Think through the criteria in the prompt step by " +
      "step, write that reasoning in `reason` first, then give `score`.",
    parameters: JSON.stringify({
      type: "object",
      properties: {
        reason: { type: "string", description: "Why the score is what it is." },
        score: {
          type: "number",
          description: "How well the criteria are met, from 0.0 (not at all) to 1.0 (fully).",
        },
      },
      required: ["reason", "score"],
      additionalProperties: false,
    }),
  },
};

/** The templates of a type, without their content. */
export function listTemplates(type: TemplateType): EvaluatorContent[] {
  return type === 1
    ? PROMPT_TEMPLATE_KEYS.map((k) => promptTemplateEntry(k)!)
    : CODE_TEMPLATE_KEYS.flatMap(codeTemplateEntries);
}

/** One template with its content; code templates in `language` (Python by default). */
export function templateInfo(type: TemplateType, key: string, language?: string): EvaluatorContent {
  let found: EvaluatorContent | undefined;
  if (type === 1) found = promptTemplate(key);
  else {
    const lang = language ? codeLanguage(language) : "Python";
    found = lang && codeTemplate(key, lang);
  }
  if (!found) {
    throw new AppError(
      Codes.evaluatorTemplateNotFound,
      `template ${JSON.stringify(key)} not found`,
    );
  }
  return found;
}
