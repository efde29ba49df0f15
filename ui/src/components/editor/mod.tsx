/**
 * The editors, each in its own lazily loaded chunk: CodeEditor (CodeMirror 6) and DiffView
 * (its merge view). Use these, not the modules behind them, so the first load stays small.
 */
import { lazy, Suspense } from "react";
import type { CodeEditorProps, LintProblem } from "./code_editor.tsx";
import type { DiffViewProps } from "./diff_view.tsx";
import { Loading } from "../page.tsx";

const CodeEditorImpl = lazy(() => import("./code_editor.tsx"));
const DiffViewImpl = lazy(() => import("./diff_view.tsx"));

/** A CodeMirror editor, loaded on first use. */
export function CodeEditor(props: CodeEditorProps) {
  return (
    <Suspense fallback={<Loading label="Loading editor…" />}>
      <CodeEditorImpl {...props} />
    </Suspense>
  );
}

/** A side-by-side diff, loaded on first use. */
export function DiffView(props: DiffViewProps) {
  return (
    <Suspense fallback={<Loading label="Loading diff…" />}>
      <DiffViewImpl {...props} />
    </Suspense>
  );
}

export type { CodeEditorProps, DiffViewProps, LintProblem };
