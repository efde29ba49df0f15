/**
 * The command palette's logic: what a query looks like (a trace id, a prompt key) and how
 * commands are ranked against it.
 */

/** One command: a title and where it goes. */
export interface PaletteCommand {
  id: string;
  title: string;
  /** Section shown beside it (Pages, Workspaces, Prompts, Traces). */
  group: string;
  /** Extra words it matches. */
  keywords?: string;
  /** The console path it opens. */
  to: string;
}

/** A trace id as the SDKs write it: 32 hex digits (16 for a span id). */
export function looksLikeTraceId(query: string): boolean {
  return /^[0-9a-f]{32}$/i.test(query.trim());
}

/** A prompt key as the prompt hub accepts one: a letter, then letters, digits, `_.-`. */
export function looksLikePromptKey(query: string): boolean {
  return /^[A-Za-z][\w.-]{0,99}$/.test(query.trim());
}

/**
 * How well `query` matches `text`: 0 when it does not. Every query character must occur in
 * order; a prefix beats a word start, which beats a match inside a word; closer characters
 * score higher.
 */
export function matchScore(query: string, text: string): number {
  const q = query.trim().toLowerCase();
  const t = text.toLowerCase();
  if (!q) return 1;
  if (t.startsWith(q)) return 1000 - t.length;
  const at = t.indexOf(q);
  if (at > 0) return (/[\s/_.-]/.test(t[at - 1]) ? 800 : 600) - t.length;
  let score = 0;
  let from = 0;
  let last = -1;
  for (const ch of q) {
    if (ch === " ") continue;
    const i = t.indexOf(ch, from);
    if (i < 0) return 0;
    score += last >= 0 && i === last + 1 ? 3 : 1;
    last = i;
    from = i + 1;
  }
  return score;
}

/** The commands matching `query`, best first (ties keep their order). */
export function rankCommands<C extends PaletteCommand>(
  query: string,
  commands: C[],
): C[] {
  return commands
    .map((c, i) => ({
      c,
      i,
      s: Math.max(
        matchScore(query, c.title),
        matchScore(query, c.keywords ?? "") - 1,
      ),
    }))
    .filter((x) => x.s > 0)
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((x) => x.c);
}
