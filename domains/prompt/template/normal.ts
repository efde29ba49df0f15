/**
 * The `normal` template language: `{{name}}` is replaced by the variable's text. Braces around
 * anything that is not a declared variable stay as written (prompts often contain JSON or
 * other templating), and substituted values are never scanned again, so a value cannot
 * inject further substitutions.
 */
import { RenderLimitError } from "./_limits.ts";

// Whitespace inside the braces is tolerated: `{{ city }}` is `{{city}}`.
const TAG = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Names of the `{{name}}` tags in a text, in order of appearance (with repeats). */
export function normalTags(text: string): string[] {
  return [...text.matchAll(TAG)].map((m) => m[1]);
}

/**
 * Replaces each tag whose name `resolve` knows (returns a string); a tag it answers null for
 * stays literally. Throws RenderLimitError once the output passes maxChars.
 */
export function renderNormal(
  text: string,
  resolve: (name: string) => string | null,
  maxChars: number,
): string {
  const out: string[] = [];
  let size = 0;
  let last = 0;
  const push = (s: string) => {
    size += s.length;
    if (size > maxChars) throw new RenderLimitError(`rendered text exceeds ${maxChars} bytes`);
    out.push(s);
  };
  for (const m of text.matchAll(TAG)) {
    const value = resolve(m[1]);
    if (value === null) continue;
    push(text.slice(last, m.index));
    push(value);
    last = m.index + m[0].length;
  }
  push(text.slice(last));
  return out.join("");
}
