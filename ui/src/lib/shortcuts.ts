/**
 * Keyboard shortcuts: key chords (`mod+k`, `shift+t`, `?`) and two-key sequences (`g p`),
 * matched without a DOM so that the rules are testable.
 */

/** The parts of a KeyboardEvent a chord is made of. */
export interface KeyInput {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  shiftKey?: boolean;
}

/** One shortcut as listed on `?`. */
export interface ShortcutSpec {
  /** Chords separated by spaces: `mod+k`, `g p`, `?`. `mod` is Cmd on macOS, Ctrl elsewhere. */
  keys: string;
  description: string;
  /** Also active while typing in a field. */
  inFields?: boolean;
}

/**
 * A key press as a chord: modifiers in a fixed order, then the key lower-cased. Shift is
 * named only for letters (`?` is itself the shifted key); Cmd and Ctrl are both `mod`.
 */
export function chordOf(e: KeyInput): string {
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key.toLowerCase();
  const parts: string[] = [];
  if (e.ctrlKey || e.metaKey) parts.push("mod");
  if (e.altKey) parts.push("alt");
  if (e.shiftKey && /^[a-z]$/.test(key)) parts.push("shift");
  parts.push(key === " " ? "space" : key);
  return parts.join("+");
}

/** Whether an element takes text input (where plain-letter shortcuts must not fire). */
export function isTypingTarget(
  el: { tagName?: string; isContentEditable?: boolean; type?: string } | null,
): boolean {
  if (!el) return false;
  if (el.isContentEditable) return true;
  const tag = (el.tagName ?? "").toUpperCase();
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  return !["checkbox", "radio", "button", "submit", "reset"].includes(
    el.type ?? "text",
  );
}

/**
 * A matcher over `specs`: feed it each chord with the time; it answers the spec a chord
 * completes, holding a sequence's first chord for `timeoutMs`.
 */
export function createShortcutMatcher<S extends ShortcutSpec>(
  specs: S[],
  timeoutMs = 1000,
): (chord: string, nowMs: number, typing: boolean) => S | undefined {
  let pending: { chord: string; at: number } | undefined;
  return (chord, nowMs, typing) => {
    const candidates = specs.filter((s) => !typing || s.inFields);
    if (pending && nowMs - pending.at <= timeoutMs) {
      const seq = `${pending.chord} ${chord}`;
      pending = undefined;
      const hit = candidates.find((s) => s.keys === seq);
      if (hit) return hit;
    }
    pending = undefined;
    const single = candidates.find((s) => s.keys === chord);
    if (single) return single;
    if (candidates.some((s) => s.keys.startsWith(`${chord} `))) {
      pending = { chord, at: nowMs };
    }
    return undefined;
  };
}

/** How a chord is shown: `mod` as ⌘ on macOS and Ctrl elsewhere. */
export function displayKeys(keys: string, mac: boolean): string[] {
  return keys.split(" ").map((chord) =>
    chord.split("+").map((k) =>
      k === "mod" ? (mac ? "⌘" : "Ctrl") : k === "shift" ? "Shift" : k === "alt" ? "Alt" : k
    ).join(mac ? "" : "+")
  );
}
