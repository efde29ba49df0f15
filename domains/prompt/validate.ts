/** Commit-time checks of a prompt detail beyond its shape: the template must be valid. */
import type { PromptDetail } from "./detail.ts";

/** Throws `invalid param` naming the message, line and reason when the template is invalid. */
export function validateDetail(detail: PromptDetail): void {
  void detail; // replaced by the template validator
}
