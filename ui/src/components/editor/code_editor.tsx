/**
 * A CodeMirror 6 editor for prompts, JSON and code. Loaded lazily (mod.tsx): pages that do
 * not edit code never download it. Colors come from the theme's CSS variables. Prompt
 * templates get their `{{var}}` / Jinja2 syntax marked; a `lint` function shows its problems
 * in the text (the tools' JSON).
 */
import { useEffect, useRef } from "react";
import { basicSetup, EditorView } from "codemirror";
import { EditorState, type Extension } from "@codemirror/state";
import { json } from "@codemirror/lang-json";
import { type Diagnostic, linter, lintGutter } from "@codemirror/lint";
import { templateHighlight } from "./template_highlight.ts";

/** A problem `lint` reports: a range of the text and a message. */
export interface LintProblem {
  from: number;
  to: number;
  message: string;
}

/** Props of CodeEditor. */
export interface CodeEditorProps {
  value: string;
  onChange?: (value: string) => void;
  /** `template` and `jinja2`: a prompt message of that template type. */
  language?: "json" | "text" | "template" | "jinja2";
  readOnly?: boolean;
  /** Minimum height (CSS length). */
  minHeight?: string;
  /** Accessible name of the editing area. */
  label: string;
  /** Problems of the text, shown as lint markers (called after each change). */
  lint?: (text: string) => LintProblem[];
}

/** An editor whose document follows `value`. */
export default function CodeEditor(
  { value, onChange, language = "text", readOnly, minHeight = "120px", label, lint }:
    CodeEditorProps,
) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;
  const check = useRef(lint);
  check.current = lint;
  const linted = !!lint;

  useEffect(() => {
    const extensions: Extension[] = [
      basicSetup,
      EditorView.lineWrapping,
      EditorView.theme({
        "&": { minHeight },
        ".cm-scroller": { fontFamily: "var(--mono)" },
      }),
      EditorView.contentAttributes.of({ "aria-label": label }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) changed.current?.(u.state.doc.toString());
      }),
      EditorState.readOnly.of(!!readOnly),
    ];
    if (language === "json") extensions.push(json());
    if (language === "template") extensions.push(templateHighlight("normal"));
    if (language === "jinja2") extensions.push(templateHighlight("jinja2"));
    if (linted) {
      extensions.push(
        lintGutter(),
        linter((v): Diagnostic[] =>
          (check.current?.(v.state.doc.toString()) ?? []).map((p) => ({
            from: Math.min(p.from, v.state.doc.length),
            to: Math.min(p.to, v.state.doc.length),
            message: p.message,
            severity: "error",
          })), { delay: 300 }),
      );
    }
    view.current = new EditorView({
      parent: host.current!,
      state: EditorState.create({ doc: value, extensions }),
    });
    return () => view.current?.destroy();
    // The editor is built once per language and mode; `value` is synced below.
  }, [language, readOnly, minHeight, label, linted]);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) {
      v.dispatch({
        changes: { from: 0, to: v.state.doc.length, insert: value },
      });
    }
  }, [value]);

  return <div ref={host} className="code-editor" />;
}
