/**
 * A CodeMirror extension marking a prompt template's variables: `{{var}}` tags of a normal
 * template, or the `{{ expr }}`, `{% tag %}` and `{# comment #}` spans of a Jinja2 one
 * (lib/template_vars.ts finds them). Colors are theme variables (styles/prompts.css).
 */
import {
  Decoration,
  type DecorationSet,
  EditorView,
  ViewPlugin,
  type ViewUpdate,
} from "@codemirror/view";
import type { Extension } from "@codemirror/state";
import { templateTokens, type TemplateType } from "../../lib/template_vars.ts";

const marks = {
  var: Decoration.mark({ class: "cm-tpl-var" }),
  expr: Decoration.mark({ class: "cm-tpl-expr" }),
  tag: Decoration.mark({ class: "cm-tpl-tag" }),
  comment: Decoration.mark({ class: "cm-tpl-comment" }),
};

function decorate(view: EditorView, type: TemplateType): DecorationSet {
  const text = view.state.doc.toString();
  return Decoration.set(templateTokens(text, type).map((t) => marks[t.kind].range(t.from, t.to)));
}

/** Highlights the template syntax of `type` in an editor. */
export function templateHighlight(type: TemplateType): Extension {
  return ViewPlugin.fromClass(
    class {
      decorations: DecorationSet;
      constructor(view: EditorView) {
        this.decorations = decorate(view, type);
      }
      update(u: ViewUpdate) {
        if (u.docChanged) this.decorations = decorate(u.view, type);
      }
    },
    { decorations: (p) => p.decorations },
  );
}
