/**
 * The console's frame around every signed-in page: navigation, the workspace switcher, the
 * theme toggle, the command palette (mod+K) and the shortcuts list (`?`).
 */
import { Suspense, useMemo, useState } from "react";
import { Link, NavLink, Outlet, useLocation, useNavigate } from "react-router";
import { Button } from "../components/button.tsx";
import { Loading } from "../components/page.tsx";
import type { PaletteCommand } from "../lib/palette.ts";
import {
  ACCOUNT_PATH,
  LOGOUT_PATH,
  OAUTH_APPS_PATH,
  playgroundPath,
  promptsPath,
  spaceIdOf,
  switchSpacePath,
  TOKENS_PATH,
  tracesPath,
} from "../lib/paths.ts";
import { CommandPalette } from "./command_palette.tsx";
import { type Shortcut, ShortcutsDialog, useShortcuts } from "./shortcuts.tsx";
import { useSession } from "./session.tsx";
import { useTheme } from "./theme.tsx";
import { rememberedSpace, rememberSpace } from "./last_space.ts";

/** The frame; the page renders in its outlet. */
export function AppShell() {
  const { user, spaces } = useSession();
  const { theme, toggle } = useTheme();
  const location = useLocation();
  const navigate = useNavigate();
  const [palette, setPalette] = useState(false);
  const [help, setHelp] = useState(false);

  const inUrl = spaceIdOf(location.pathname);
  const spaceId = inUrl ?? rememberedSpace(spaces) ?? spaces[0]?.id;
  if (inUrl) rememberSpace(inUrl);

  const pages = useMemo(() => sitePages(spaceId), [spaceId]);
  const commands = useMemo<PaletteCommand[]>(() => [
    ...pages.map((p) => ({
      id: `page:${p.to}`,
      group: "Pages",
      title: p.title,
      to: p.to,
      keywords: p.keywords,
    })),
    ...spaces.map((s) => ({
      id: `space:${s.id}`,
      group: "Workspaces",
      title: `Switch to ${s.name}`,
      keywords: `workspace ${s.id}`,
      to: switchSpacePath(location.pathname, s.id),
    })),
  ], [pages, spaces, location.pathname]);

  const shortcuts = useMemo<Shortcut[]>(() => [
    {
      keys: "mod+k",
      description: "Open the command palette",
      inFields: true,
      run: () => setPalette(true),
    },
    {
      keys: "?",
      description: "Show keyboard shortcuts",
      run: () => setHelp(true),
    },
    {
      keys: "shift+t",
      description: "Switch between light and dark theme",
      run: toggle,
    },
    ...pages.filter((p) => p.keys).map((p) => ({
      keys: p.keys!,
      description: `Go to ${p.title.toLowerCase()}`,
      run: () => navigate(p.to),
    })),
  ], [pages, toggle, navigate]);
  useShortcuts(shortcuts);

  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <Link
          to={spaceId ? promptsPath(spaceId) : ACCOUNT_PATH}
          className="brand"
        >
          <span className="brand-mark" aria-hidden="true" /> Coze Loop
        </Link>
        {spaces.length > 0 && (
          <select
            className="select"
            aria-label="Workspace"
            value={spaceId}
            onChange={(e) => navigate(switchSpacePath(location.pathname, e.target.value))}
          >
            {spaces.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          </select>
        )}
        <NavSection
          title="Prompt engineering"
          items={pages.filter((p) => p.section === "pe")}
        />
        <NavSection
          title="Observation"
          items={pages.filter((p) => p.section === "observation")}
        />
        <NavSection
          title="Account"
          items={pages.filter((p) => p.section === "account")}
        />
      </nav>
      <div className="main">
        <header className="topbar">
          <Button
            variant="secondary"
            onClick={() => setPalette(true)}
            aria-keyshortcuts="Control+K Meta+K"
          >
            Search… <kbd>{/Mac/.test(navigator.platform) ? "⌘K" : "Ctrl K"}</kbd>
          </Button>
          <div className="spacer" />
          <Button
            variant="ghost"
            onClick={() => setHelp(true)}
            aria-label="Keyboard shortcuts"
          >
            ?
          </Button>
          <Button
            variant="ghost"
            onClick={toggle}
            aria-label={`Switch to ${theme === "dark" ? "light" : "dark"} theme`}
            data-testid="theme-toggle"
          >
            {theme === "dark" ? "☀ Light" : "☾ Dark"}
          </Button>
          <Link to={ACCOUNT_PATH} className="muted">
            {user.nick_name || user.name || user.email}
          </Link>
          <Link to={LOGOUT_PATH} className="btn btn-ghost">Log out</Link>
        </header>
        <main className="content">
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
      <CommandPalette
        open={palette}
        onClose={() => setPalette(false)}
        commands={commands}
        spaceId={spaceId}
      />
      <ShortcutsDialog
        open={help}
        onClose={() => setHelp(false)}
        shortcuts={shortcuts}
      />
    </div>
  );
}

interface SitePage {
  title: string;
  to: string;
  section: "pe" | "observation" | "account";
  keys?: string;
  keywords?: string;
  /** Shown with a "coming" badge: the page is a placeholder. */
  coming?: boolean;
}

// Every page of the navigation, for the sidebar, the palette and the `g` shortcuts.
function sitePages(spaceId: string | undefined): SitePage[] {
  const inSpace: SitePage[] = spaceId
    ? [
      {
        title: "Prompts",
        to: promptsPath(spaceId),
        section: "pe",
        keys: "g p",
        keywords: "versions labels",
      },
      {
        title: "Playground",
        to: playgroundPath(spaceId),
        section: "pe",
        keys: "g l",
        keywords: "run debug model",
      },
      {
        title: "Traces",
        to: tracesPath(spaceId),
        section: "observation",
        keys: "g t",
        keywords: "spans observation",
      },
    ]
    : [];
  return [
    ...inSpace,
    {
      title: "Profile",
      to: ACCOUNT_PATH,
      section: "account",
      keys: "g a",
      keywords: "account password",
    },
    {
      title: "Access tokens",
      to: TOKENS_PATH,
      section: "account",
      keys: "g k",
      keywords: "personal access token pat sdk",
    },
    {
      title: "OAuth apps",
      to: OAUTH_APPS_PATH,
      section: "account",
      keys: "g o",
      keywords: "jwt public key sdk",
    },
  ];
}

function NavSection({ title, items }: { title: string; items: SitePage[] }) {
  if (!items.length) return null;
  return (
    <div className="nav-section">
      <div className="nav-title">{title}</div>
      {items.map((p) => (
        <NavLink key={p.to} to={p.to} className="nav-link">
          <span>{p.title}</span>
          {p.coming && <span className="badge">coming</span>}
        </NavLink>
      ))}
    </div>
  );
}
