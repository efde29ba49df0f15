/** Keyboard shortcuts (ui/src/lib/shortcuts.ts): chords, sequences, typing. */
import assert from "node:assert/strict";
import {
  chordOf,
  createShortcutMatcher,
  displayKeys,
  isTypingTarget,
} from "../../ui/src/lib/shortcuts.ts";

Deno.test("ui shortcuts: chords", () => {
  assert.equal(chordOf({ key: "k", ctrlKey: true }), "mod+k");
  assert.equal(
    chordOf({ key: "K", metaKey: true, shiftKey: true }),
    "mod+shift+k",
  );
  assert.equal(chordOf({ key: "?", shiftKey: true }), "?");
  assert.equal(chordOf({ key: "T", shiftKey: true }), "shift+t");
  assert.equal(chordOf({ key: "Escape" }), "escape");
  assert.deepEqual(displayKeys("mod+k", true), ["⌘k"]);
  assert.deepEqual(displayKeys("g p", false), ["g", "p"]);
});

Deno.test("ui shortcuts: sequences, their timeout, and typing in a field", () => {
  const specs = [
    { keys: "mod+k", description: "palette", inFields: true },
    { keys: "?", description: "help" },
    { keys: "g p", description: "prompts" },
    { keys: "g t", description: "traces" },
  ];
  const match = createShortcutMatcher(specs, 1000);
  assert.equal(match("g", 0, false), undefined);
  assert.equal(match("t", 500, false)?.description, "traces");
  assert.equal(match("g", 1000, false), undefined);
  assert.equal(match("p", 2500, false), undefined, "too late for the sequence");
  assert.equal(match("?", 3000, true), undefined, "not while typing");
  assert.equal(match("mod+k", 3000, true)?.description, "palette");
  assert.equal(match("?", 3000, false)?.description, "help");
});

Deno.test("ui shortcuts: which elements take typing", () => {
  assert.ok(isTypingTarget({ tagName: "INPUT", type: "text" }));
  assert.ok(isTypingTarget({ tagName: "textarea" }));
  assert.ok(isTypingTarget({ tagName: "DIV", isContentEditable: true }));
  assert.ok(!isTypingTarget({ tagName: "INPUT", type: "checkbox" }));
  assert.ok(!isTypingTarget({ tagName: "BUTTON" }));
  assert.ok(!isTypingTarget(null));
});
