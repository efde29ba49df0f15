/**
 * Global keyboard shortcuts (lib/shortcuts.ts) and the list shown on `?`. Plain keys never
 * fire while typing in a field; mod+K does.
 */
import { useEffect, useMemo } from "react";
import { Dialog } from "../components/dialog.tsx";
import {
  chordOf,
  createShortcutMatcher,
  displayKeys,
  isTypingTarget,
  type ShortcutSpec,
} from "../lib/shortcuts.ts";

/** A shortcut with what it does. */
export interface Shortcut extends ShortcutSpec {
  run: () => void;
}

/** Listens for `shortcuts` on the window while mounted. */
export function useShortcuts(shortcuts: Shortcut[]): void {
  const match = useMemo(() => createShortcutMatcher(shortcuts), [shortcuts]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.isComposing || e.repeat) return;
      if (["Shift", "Control", "Meta", "Alt"].includes(e.key)) return;
      // Open dialogs handle their own keys (Escape, arrows), except the palette's chord.
      const typing = isTypingTarget(e.target as HTMLElement | null) ||
        !!document.querySelector("dialog[open]");
      const hit = match(chordOf(e), performance.now(), typing);
      if (hit) {
        e.preventDefault();
        hit.run();
      }
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [match]);
}

const MAC = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/** The list of shortcuts, on `?`. */
export function ShortcutsDialog(
  { open, onClose, shortcuts }: {
    open: boolean;
    onClose: () => void;
    shortcuts: ShortcutSpec[];
  },
) {
  return (
    <Dialog open={open} title="Keyboard shortcuts" onClose={onClose}>
      <table className="table">
        <tbody>
          {shortcuts.map((s) => (
            <tr key={s.keys}>
              <td>{s.description}</td>
              <td style={{ textAlign: "right", whiteSpace: "nowrap" }}>
                {displayKeys(s.keys, MAC).map((k, i) => (
                  <span key={i}>
                    {i > 0 && <span className="muted">then</span>}
                    <kbd>{k}</kbd>
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
