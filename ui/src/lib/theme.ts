/** Light and dark themes: the stored preference and what it resolves to. */

/** What the user chose; `system` follows the operating system (prefers-color-scheme). */
export type ThemePreference = "light" | "dark" | "system";
/** The theme in effect. */
export type Theme = "light" | "dark";

/** localStorage key of the preference. */
export const THEME_STORAGE_KEY = "coze-loop-theme";

/** A stored value as a preference (anything unknown is `system`). */
export function parseThemePreference(
  value: string | null | undefined,
): ThemePreference {
  return value === "light" || value === "dark" ? value : "system";
}

/** The theme a preference gives, when the system prefers dark or not. */
export function resolveTheme(
  preference: ThemePreference,
  systemPrefersDark: boolean,
): Theme {
  if (preference === "system") return systemPrefersDark ? "dark" : "light";
  return preference;
}

/** The theme toggle: the opposite of the theme in effect, as an explicit choice. */
export function toggledPreference(current: Theme): ThemePreference {
  return current === "dark" ? "light" : "dark";
}
