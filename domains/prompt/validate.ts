/** Commit-time checks of a prompt detail beyond its shape: the template must be valid. */
import type { PromptDetail } from "./detail.ts";
import { type PromptTemplate, validateTemplate } from "./template/mod.ts";

/** Throws `invalid param` naming the message, line and reason when the template is invalid. */
export function validateDetail(detail: PromptDetail): void {
  if (!detail.prompt_template) return;
  // An absent template type means the default one, "normal" (as in the reference).
  validateTemplate({ template_type: "normal", ...detail.prompt_template } as PromptTemplate);
}
