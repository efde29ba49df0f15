/**
 * Two versions side by side with their differences (CodeMirror's merge view), read-only:
 * for comparing prompt versions. Loaded lazily (mod.tsx).
 */
import { useEffect, useRef } from "react";
import { basicSetup, EditorView } from "codemirror";
import { EditorState } from "@codemirror/state";
import { MergeView } from "@codemirror/merge";

/** Props of DiffView. */
export interface DiffViewProps {
  before: string;
  after: string;
  /** Fold long runs of unchanged lines (a click unfolds them). */
  collapseUnchanged?: boolean;
}

/** A read-only side-by-side diff. */
export default function DiffView({ before, after, collapseUnchanged }: DiffViewProps) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const extensions = [
      basicSetup,
      EditorView.lineWrapping,
      EditorView.editable.of(false),
      EditorState.readOnly.of(true),
    ];
    const merge = new MergeView({
      parent: host.current!,
      a: { doc: before, extensions },
      b: { doc: after, extensions },
      ...(collapseUnchanged ? { collapseUnchanged: { margin: 3, minSize: 6 } } : {}),
    });
    return () => merge.destroy();
  }, [before, after, collapseUnchanged]);
  return <div ref={host} className="code-editor" />;
}
