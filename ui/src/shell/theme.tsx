/**
 * The theme in effect on <html data-theme>: the stored preference (localStorage), else the
 * system's (prefers-color-scheme, followed live). index.html sets it before the first paint.
 */
import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from "react";
import {
  parseThemePreference,
  resolveTheme,
  type Theme,
  THEME_STORAGE_KEY,
  type ThemePreference,
  toggledPreference,
} from "../lib/theme.ts";

interface ThemeContextValue {
  theme: Theme;
  preference: ThemePreference;
  setPreference: (p: ThemePreference) => void;
  toggle: () => void;
}

const ThemeContext = createContext<ThemeContextValue | null>(null);
const DARK_QUERY = "(prefers-color-scheme: dark)";

function readPreference(): ThemePreference {
  try {
    return parseThemePreference(localStorage.getItem(THEME_STORAGE_KEY));
  } catch {
    return "system";
  }
}

/** Provides the theme and applies it to the document. */
export function ThemeProvider({ children }: { children: ReactNode }) {
  const [preference, setPref] = useState<ThemePreference>(readPreference);
  const [systemDark, setSystemDark] = useState(() => matchMedia(DARK_QUERY).matches);
  useEffect(() => {
    const mq = matchMedia(DARK_QUERY);
    const onChange = () => setSystemDark(mq.matches);
    mq.addEventListener("change", onChange);
    return () => mq.removeEventListener("change", onChange);
  }, []);
  const theme = resolveTheme(preference, systemDark);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const value = useMemo<ThemeContextValue>(() => {
    const setPreference = (p: ThemePreference) => {
      setPref(p);
      try {
        if (p === "system") localStorage.removeItem(THEME_STORAGE_KEY);
        else localStorage.setItem(THEME_STORAGE_KEY, p);
      } catch { /* storage disabled: the choice lasts this visit */ }
    };
    return {
      theme,
      preference,
      setPreference,
      toggle: () => setPreference(toggledPreference(theme)),
    };
  }, [theme, preference]);
  return <ThemeContext.Provider value={value}>{children}</ThemeContext.Provider>;
}

/** The theme and its setters. */
export function useTheme(): ThemeContextValue {
  const v = useContext(ThemeContext);
  if (!v) throw new Error("useTheme outside ThemeProvider");
  return v;
}
