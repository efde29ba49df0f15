/**
 * The console's routes. Paths follow the official frontend (lib/paths.ts); each page is its
 * own lazily loaded chunk. To add a page: write `pages/<name>_page.tsx` with a default
 * export, add a path builder to lib/paths.ts, and add a route below (and a navigation entry
 * in shell/app_shell.tsx).
 */
import { lazy } from "react";
import { Navigate, type RouteObject } from "react-router";
import { AppShell } from "../shell/app_shell.tsx";
import { SessionProvider } from "../shell/session.tsx";

const AuthPage = lazy(() => import("../pages/auth_page.tsx"));
const LogoutPage = lazy(() => import("../pages/logout_page.tsx"));
const AccountPage = lazy(() => import("../pages/account_page.tsx"));
const TokensPage = lazy(() => import("../pages/tokens_page.tsx"));
const OAuthAppsPage = lazy(() => import("../pages/oauth_apps_page.tsx"));
const PromptsPage = lazy(() => import("../pages/prompts_page.tsx"));
const PromptPage = lazy(() => import("../pages/prompt_page.tsx"));
const PlaygroundPage = lazy(() => import("../pages/playground_page.tsx"));
const TracesPage = lazy(() => import("../pages/traces_page.tsx"));
const NotFoundPage = lazy(() => import("../pages/not_found_page.tsx"));
const SpaceRedirect = lazy(() => import("../pages/space_redirect.tsx"));

/** Every route of the console. */
export const routes: RouteObject[] = [
  { path: "/auth/login", element: <AuthPage mode="login" /> },
  { path: "/auth/register", element: <AuthPage mode="register" /> },
  { path: "/auth/logout", element: <LogoutPage /> },
  {
    element: (
      <SessionProvider>
        <AppShell />
      </SessionProvider>
    ),
    children: [
      { path: "/", element: <SpaceRedirect /> },
      { path: "/console", element: <SpaceRedirect /> },
      { path: "/console/enterprise/personal", element: <SpaceRedirect /> },
      {
        path: "/console/enterprise/personal/space/:spaceId",
        children: [
          { index: true, element: <Navigate to="pe/prompts" replace /> },
          { path: "pe", element: <Navigate to="prompts" replace /> },
          { path: "pe/prompts", element: <PromptsPage /> },
          { path: "pe/prompts/:promptId", element: <PromptPage /> },
          { path: "pe/playground", element: <PlaygroundPage /> },
          // The span list; ?trace_id=&span_id= open a trace at a span.
          { path: "observation/traces", element: <TracesPage /> },
        ],
      },
      {
        path: "/console/enterprise/personal/account",
        element: <AccountPage />,
      },
      {
        path: "/console/enterprise/personal/open/oauth/pats",
        element: <TokensPage />,
      },
      {
        path: "/console/enterprise/personal/open/oauth/apps",
        element: <OAuthAppsPage />,
      },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
];
