/** The command palette's logic (ui/src/lib/palette.ts), theme and display formats. */
import assert from "node:assert/strict";
import {
  looksLikePromptKey,
  looksLikeTraceId,
  matchScore,
  rankCommands,
} from "../../ui/src/lib/palette.ts";
import { parseThemePreference, resolveTheme, toggledPreference } from "../../ui/src/lib/theme.ts";
import { expiryLabel, formatTime } from "../../ui/src/lib/format.ts";

Deno.test("ui palette: trace ids and prompt keys", () => {
  assert.ok(looksLikeTraceId("0123456789abcdef0123456789ABCDEF"));
  assert.ok(!looksLikeTraceId("0123456789abcdef"));
  assert.ok(looksLikePromptKey("travel.expert-v2"));
  assert.ok(!looksLikePromptKey("two words"));
});

Deno.test("ui palette: ranking prefers prefixes, then word starts, then scattered letters", () => {
  const cmds = [
    { id: "1", group: "Pages", title: "OAuth apps", to: "/a" },
    {
      id: "2",
      group: "Pages",
      title: "Access tokens",
      to: "/t",
      keywords: "pat sdk",
    },
    { id: "3", group: "Pages", title: "Traces", to: "/tr" },
    { id: "4", group: "Pages", title: "Prompts", to: "/p" },
  ];
  assert.deepEqual(rankCommands("tr", cmds).map((c) => c.id), ["3"]);
  assert.deepEqual(rankCommands("tok", cmds).map((c) => c.id), ["2"]);
  assert.deepEqual(rankCommands("pat", cmds).map((c) => c.id), ["2"]);
  assert.deepEqual(rankCommands("", cmds).map((c) => c.id), [
    "1",
    "2",
    "3",
    "4",
  ]);
  assert.ok(matchScore("pr", "Prompts") > matchScore("pr", "my prompts"));
  assert.ok(matchScore("pr", "my prompts") > matchScore("pms", "Prompts"));
  assert.equal(matchScore("xyz", "Prompts"), 0);
});

Deno.test("ui theme: stored preference, system preference, toggle", () => {
  assert.equal(parseThemePreference("dark"), "dark");
  assert.equal(parseThemePreference("purple"), "system");
  assert.equal(parseThemePreference(null), "system");
  assert.equal(resolveTheme("system", true), "dark");
  assert.equal(resolveTheme("system", false), "light");
  assert.equal(resolveTheme("light", true), "light");
  assert.equal(toggledPreference("dark"), "light");
  assert.equal(toggledPreference("light"), "dark");
});

Deno.test("ui format: times and token expiries", () => {
  assert.equal(formatTime(0), "—");
  assert.match(formatTime(1_700_000_000, "s"), /^2023-11-1[45] \d\d:\d\d$/);
  const now = Date.UTC(2026, 0, 1);
  assert.equal(expiryLabel(0, now), "never expires");
  assert.equal(expiryLabel(now / 1000 - 1, now), "expired");
  assert.equal(
    expiryLabel(now / 1000 + 30 * 86_400, now),
    "expires in 30 days",
  );
  assert.equal(expiryLabel(now / 1000 + 3600, now), "expires in 1 h");
});
