/** `/auth/logout`: ends the session on the server, then shows the login page. */
import { useEffect } from "react";
import { useNavigate } from "react-router";
import { api } from "../api/client.ts";
import { Loading } from "../components/page.tsx";
import { loginPath } from "../lib/paths.ts";

/** Logs out and moves on to the login page (also when there was no session). */
export default function LogoutPage() {
  const navigate = useNavigate();
  useEffect(() => {
    api.post("/api/foundation/v1/users/logout", { noLoginRedirect: true })
      .catch(() => {})
      .finally(() => navigate(loginPath(), { replace: true }));
  }, [navigate]);
  return (
    <main className="auth">
      <Loading label="Logging out…" />
    </main>
  );
}
