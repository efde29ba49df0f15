/**
 * A small Markdown reader for model messages: headings, paragraphs, fenced code, lists,
 * quotes, rules; inline code, bold, italics and http(s) links. It produces a tree that
 * components/markdown.tsx renders as React elements (never HTML strings), so that a message
 * cannot inject markup. Pure logic: tests/unit/ui_trace_content_test.ts.
 */

/** Inline content. */
export type Inline =
  | { t: "text"; v: string }
  | { t: "code"; v: string }
  | { t: "strong" | "em"; c: Inline[] }
  | { t: "link"; href: string; c: Inline[] }
  | { t: "br" };

/** A block. */
export type Block =
  | { t: "p"; c: Inline[] }
  | { t: "h"; level: number; c: Inline[] }
  | { t: "code"; lang: string; v: string }
  | { t: "list"; ordered: boolean; items: Inline[][] }
  | { t: "quote"; c: Block[] }
  | { t: "hr" };

const FENCE = /^\s{0,3}(```|~~~)\s*([\w+-]*)\s*$/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^\s{0,3}\d{1,9}[.)]\s+(.*)$/;
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;

/** The blocks of a Markdown text. */
export function parseMarkdown(text: string, depth = 0): Block[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const out: Block[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) out.push({ t: "p", c: parseInline(para.join("\n")) });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i].trimStart().startsWith(fence[1]); i++) {
        body.push(lines[i]);
      }
      out.push({ t: "code", lang: fence[2], v: body.join("\n") });
      continue;
    }
    if (!line.trim()) {
      flush();
      continue;
    }
    const h = HEADING.exec(line);
    if (h) {
      flush();
      out.push({ t: "h", level: h[1].length, c: parseInline(h[2]) });
      continue;
    }
    if (RULE.test(line)) {
      flush();
      out.push({ t: "hr" });
      continue;
    }
    const q = QUOTE.exec(line);
    if (q && depth < 4) {
      flush();
      const body = [q[1]];
      while (i + 1 < lines.length && QUOTE.test(lines[i + 1])) {
        body.push(QUOTE.exec(lines[++i])![1]);
      }
      out.push({ t: "quote", c: parseMarkdown(body.join("\n"), depth + 1) });
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    if (bullet || numbered) {
      flush();
      const ordered = !!numbered;
      const re = ordered ? NUMBERED : BULLET;
      const items: string[] = [(bullet ?? numbered)![1]];
      while (i + 1 < lines.length) {
        const next = lines[i + 1];
        const m = re.exec(next);
        if (m) items.push(m[1]);
        else if (next.trim() && /^\s{2,}/.test(next)) items[items.length - 1] += "\n" + next.trim();
        else break;
        i++;
      }
      out.push({ t: "list", ordered, items: items.map(parseInline) });
      continue;
    }
    para.push(line);
  }
  flush();
  return out;
}

/** The inline content of a text. */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let buf = "";
  const push = (node: Inline) => {
    if (buf) out.push({ t: "text", v: buf });
    buf = "";
    out.push(node);
  };
  for (let i = 0; i < text.length;) {
    const ch = text[i];
    if (ch === "\\" && i + 1 < text.length && /[\\`*_[\]()#>-]/.test(text[i + 1])) {
      buf += text[i + 1];
      i += 2;
      continue;
    }
    if (ch === "\n") {
      push({ t: "br" });
      i++;
      continue;
    }
    if (ch === "`") {
      const ticks = /^`+/.exec(text.slice(i))![0];
      const end = text.indexOf(ticks, i + ticks.length);
      if (end > 0) {
        push({ t: "code", v: text.slice(i + ticks.length, end).trim() });
        i = end + ticks.length;
        continue;
      }
    }
    if ((ch === "*" || ch === "_") && text[i + 1] === ch) {
      const end = text.indexOf(ch + ch, i + 2);
      if (end > i + 2) {
        push({ t: "strong", c: parseInline(text.slice(i + 2, end)) });
        i = end + 2;
        continue;
      }
    }
    if ((ch === "*" || ch === "_") && text[i + 1] && text[i + 1] !== " ") {
      const end = text.indexOf(ch, i + 1);
      const wordStart = i === 0 || !/\w/.test(text[i - 1]) || ch === "*";
      if (end > i + 1 && wordStart && text[end - 1] !== " ") {
        push({ t: "em", c: parseInline(text.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    }
    if (ch === "[") {
      const m = /^\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/.exec(text.slice(i));
      if (m) {
        push({ t: "link", href: m[2], c: parseInline(m[1]) });
        i += m[0].length;
        continue;
      }
    }
    buf += ch;
    i++;
  }
  if (buf) out.push({ t: "text", v: buf });
  return out;
}

/** Whether a text looks like Markdown (worth rendering rather than showing as it is). */
export function looksLikeMarkdown(text: string): boolean {
  return /(^|\n)\s{0,3}(#{1,6}\s|[-*+]\s|\d+[.)]\s|>|```)|\*\*[^*]+\*\*|`[^`]+`|\[[^\]]+\]\(https?:/
    .test(text);
}
