/**
 * A span's input or output: chat bubbles (text as Markdown, images, files, tool calls,
 * reasoning, offered tools), JSON, or text; or the raw value as it was stored.
 */
import { memo, useMemo } from "react";
import { Markdown } from "../../components/markdown.tsx";
import { looksLikeMarkdown } from "../../lib/markdown.ts";
import {
  type ChatMessage,
  type ChatPart,
  parseSpanContent,
  prettyJson,
  type ToolDef,
} from "../../lib/span_content.ts";

/** Props of SpanContentView. */
export interface SpanContentViewProps {
  raw: string;
  /** pretty: chat and Markdown; raw: the stored text (indented when JSON). */
  mode: "pretty" | "raw";
  /** An attachment key to its presigned URL. */
  resolve: (ref: string) => string | undefined;
  label: string;
}

/** Shows an input or an output. */
export const SpanContentView = memo(function SpanContentView(
  { raw, mode, resolve, label }: SpanContentViewProps,
) {
  const content = useMemo(
    () => (mode === "raw" ? undefined : parseSpanContent(raw, resolve)),
    [raw, mode, resolve],
  );
  if (!raw) return <p className="muted">No {label.toLowerCase()}.</p>;
  if (!content) return <pre className="raw" aria-label={`${label} (raw)`}>{prettyJson(raw)}</pre>;
  switch (content.kind) {
    case "empty":
      return <p className="muted">No {label.toLowerCase()}.</p>;
    case "text":
      return <Text text={content.text} />;
    case "json":
      return <pre className="raw">{JSON.stringify(content.value, null, 2)}</pre>;
    case "chat":
      return (
        <div className="chat" aria-label={`${label} messages`}>
          {content.messages.map((m, i) => <Message key={i} m={m} />)}
          {content.tools.length > 0 && <Tools tools={content.tools} />}
          {content.params && (
            <details>
              <summary className="muted">Parameters</summary>
              <pre className="raw">{JSON.stringify(content.params, null, 2)}</pre>
            </details>
          )}
        </div>
      );
  }
});

function Text({ text }: { text: string }) {
  return looksLikeMarkdown(text)
    ? <Markdown text={text} />
    : <div className="text-block">{text}</div>;
}

function Message({ m }: { m: ChatMessage }) {
  return (
    <div className={`chat-msg role-${m.role.replace(/[^a-z]/gi, "")}`} data-role={m.role}>
      <div className="chat-role">
        <span className="chat-role-name">{m.role}</span>
        {m.name ? ` · ${m.name}` : ""}
        {m.toolCallId ? ` · result of ${m.toolCallId}` : ""}
        {m.finishReason ? <span className="muted">{` · ${m.finishReason}`}</span> : null}
      </div>
      {m.reasoning && (
        <details>
          <summary className="muted">Reasoning</summary>
          <div className="text-block muted">{m.reasoning}</div>
        </details>
      )}
      {m.parts.map((p, i) => <Part key={i} p={p} />)}
      {m.toolCalls.map((c, i) => (
        <div key={i} className="tool-call" data-testid="tool-call">
          <strong>{c.name || "(tool)"}</strong>
          {c.id ? <span className="muted">{` · ${c.id}`}</span> : null}
          <pre className="raw">{prettyJson(c.arguments)}</pre>
        </div>
      ))}
    </div>
  );
}

function Part({ p }: { p: ChatPart }) {
  if (p.kind === "text") return <Text text={p.text} />;
  if (p.kind === "image") {
    return p.url
      ? (
        <a href={p.url} target="_blank" rel="noopener noreferrer">
          <img className="chat-img" src={p.url} alt={p.name || "image"} loading="lazy" />
        </a>
      )
      : <p className="muted">Image not available: {p.name || p.ref || "no address"}</p>;
  }
  return p.url
    ? (
      <p>
        <a href={p.url} target="_blank" rel="noopener noreferrer">📎 {p.name || "file"}</a>
      </p>
    )
    : <p className="muted">File not available: {p.name || p.ref}</p>;
}

function Tools({ tools }: { tools: ToolDef[] }) {
  return (
    <details>
      <summary className="muted">Tools offered ({tools.length})</summary>
      {tools.map((t, i) => (
        <div key={i} className="tool-call">
          <strong>{t.name}</strong>
          {t.description && <div className="muted">{t.description}</div>}
          {t.parameters !== undefined && (
            <pre className="raw">{JSON.stringify(t.parameters, null, 2)}</pre>
          )}
        </div>
      ))}
    </details>
  );
}
