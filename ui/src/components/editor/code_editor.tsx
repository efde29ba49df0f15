/**
 * A CodeMirror 6 editor for prompts, JSON and code. Loaded lazily (mod.tsx): pages that do
 * not edit code never download it. Colors come from the theme's CSS variables.
 */
import { useEffect, useRef } from "react";
import { basicSetup, EditorView } from "codemirror";
import { EditorState, type Extension } from "@codemirror/state";
import { json } from "@codemirror/lang-json";

/** Props of CodeEditor. */
export interface CodeEditorProps {
  value: string;
  onChange?: (value: string) => void;
  language?: "json" | "text";
  readOnly?: boolean;
  /** Minimum height (CSS length). */
  minHeight?: string;
  /** Accessible name of the editing area. */
  label: string;
}

/** An editor whose document follows `value`. */
export default function CodeEditor(
  { value, onChange, language = "text", readOnly, minHeight = "120px", label }: CodeEditorProps,
) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;

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
    view.current = new EditorView({
      parent: host.current!,
      state: EditorState.create({ doc: value, extensions }),
    });
    return () => view.current?.destroy();
    // The editor is built once per language and mode; `value` is synced below.
  }, [language, readOnly, minHeight, label]);

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
