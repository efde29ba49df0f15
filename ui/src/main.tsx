/** The console's entry: theme, router, and the routes of app/routes.tsx. */
import { StrictMode, Suspense } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter, RouterProvider } from "react-router";
import { routes } from "./app/routes.tsx";
import { ThemeProvider } from "./shell/theme.tsx";
import { Loading } from "./components/page.tsx";
import "./styles/theme.css";
import "./styles/base.css";

const router = createBrowserRouter(routes);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ThemeProvider>
      <Suspense
        fallback={
          <div className="content">
            <Loading />
          </div>
        }
      >
        <RouterProvider router={router} />
      </Suspense>
    </ThemeProvider>
  </StrictMode>,
);
