/**
 * Markdown as React elements (lib/markdown.ts reads it): no HTML string is ever injected, and
 * links open http(s) addresses only, in a new tab.
 */
import { Fragment, memo, type ReactNode } from "react";
import { type Block, type Inline, parseMarkdown } from "../lib/markdown.ts";
import "./markdown.css";

/** Longest text rendered as Markdown; longer ones show as they are. */
const MAX_MARKDOWN = 100_000;

/** A Markdown text. */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  if (text.length > MAX_MARKDOWN) return <pre className="md-pre">{text}</pre>;
  return <div className="md">{parseMarkdown(text).map(block)}</div>;
});

function block(b: Block, key: number): ReactNode {
  switch (b.t) {
    case "p":
      return <p key={key}>{inlines(b.c)}</p>;
    case "h": {
      const H = (["h3", "h4", "h5", "h6", "h6", "h6"] as const)[b.level - 1];
      return <H key={key}>{inlines(b.c)}</H>;
    }
    case "code":
      return (
        <pre key={key} className="md-pre" data-lang={b.lang || undefined}>
          <code>{b.v}</code>
        </pre>
      );
    case "list": {
      const L = b.ordered ? "ol" : "ul";
      return <L key={key}>{b.items.map((it, i) => <li key={i}>{inlines(it)}</li>)}</L>;
    }
    case "quote":
      return <blockquote key={key}>{b.c.map(block)}</blockquote>;
    case "hr":
      return <hr key={key} />;
  }
}

function inlines(list: Inline[]): ReactNode {
  return list.map((n, i) => {
    switch (n.t) {
      case "text":
        return <Fragment key={i}>{n.v}</Fragment>;
      case "code":
        return <code key={i}>{n.v}</code>;
      case "strong":
        return <strong key={i}>{inlines(n.c)}</strong>;
      case "em":
        return <em key={i}>{inlines(n.c)}</em>;
      case "link":
        return (
          <a key={i} href={n.href} target="_blank" rel="noopener noreferrer">
            {inlines(n.c)}
          </a>
        );
      case "br":
        return <br key={i} />;
    }
  });
}
