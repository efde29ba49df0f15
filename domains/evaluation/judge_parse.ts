/**
 * Reading a judge's answer: `{reason, score}` from the tool call's arguments or from the reply
 * text, robustly (a JSON object alone, fenced, with text around it, JSON-ish with single
 * quotes or a trailing comma, `Score: 0.8` lines, a bare number). A reply with no score is no
 * score: nothing is made up.
 */

/** A parsed judgement; `score` is absent when none could be read. */
export interface Judgement {
  score?: number;
  reason: string;
}

/** Reads a judgement from a reply (or tool arguments). */
export function parseJudgement(text: string): Judgement {
  const trimmed = text.trim();
  if (!trimmed) return { reason: "" };
  for (const candidate of jsonCandidates(trimmed)) {
    const obj = parseObject(candidate);
    if (!obj) continue;
    const score = numberOf(obj.score ?? obj.Score ?? obj.SCORE);
    if (score === undefined) continue;
    const reason = obj.reason ?? obj.Reason ?? obj.reasoning ?? obj.explanation ?? "";
    return { score, reason: typeof reason === "string" ? reason : JSON.stringify(reason) };
  }
  const bare = /^[-+]?(\d+(\.\d+)?|\.\d+)$/.exec(trimmed);
  if (bare) return { score: Number(trimmed), reason: "" };
  const line = /^\s*\**\s*score\s*\**\s*[:：=]\s*\**\s*([-+]?(?:\d+(?:\.\d+)?|\.\d+))\b/im.exec(
    trimmed,
  );
  if (line) {
    const reason = /^\s*\**\s*reason(?:ing)?\s*\**\s*[:：=]\s*(.+)$/im.exec(trimmed)?.[1]?.trim();
    return { score: Number(line[1]), reason: reason ?? trimmed.replace(line[0], "").trim() };
  }
  return { reason: "" };
}

// Fenced blocks first, then every balanced {...} in order.
function* jsonCandidates(text: string): Generator<string> {
  for (const m of text.matchAll(/```(?:json|JSON)?\s*\n?([\s\S]*?)```/g)) yield m[1].trim();
  for (let start = text.indexOf("{"); start !== -1; start = text.indexOf("{", start + 1)) {
    const end = balancedEnd(text, start);
    if (end !== -1) yield text.slice(start, end + 1);
  }
}

// Index of the brace closing the one at `start`, skipping strings; -1 if none.
function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let quote = "";
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = "";
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "{") depth++;
    else if (ch === "}" && --depth === 0) return i;
  }
  return -1;
}

function parseObject(candidate: string): Record<string, unknown> | undefined {
  for (const text of [candidate, loosen(candidate)]) {
    try {
      const v = JSON.parse(text);
      if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch { /* try the next reading */ }
  }
  return undefined;
}

// Python-ish JSON: single quotes, trailing commas, bare keys.
function loosen(text: string): string {
  return text
    .replace(
      /'([^'\\]*(?:\\.[^'\\]*)*)'/g,
      (_m, s: string) => JSON.stringify(s.replace(/\\'/g, "'")),
    )
    .replace(/,\s*([}\]])/g, "$1")
    .replace(/([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:/g, '$1"$2":');
}

function numberOf(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}
