/** Commit-time checks of a prompt detail beyond its shape: the template must be valid. */
import type { PromptDetail } from "./detail.ts";
import { type PromptTemplate, validateTemplate } from "./template/mod.ts";

/** Throws `invalid param` naming the message, line and reason when the template is invalid. */
export function validateDetail(detail: PromptDetail): void {
  if (!detail.prompt_template) return;
  validateTemplate(detail.prompt_template as PromptTemplate);
}
