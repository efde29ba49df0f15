/**
 * Log in (`/auth/login`) and register (`/auth/register`), then go on to `?next=` (a console
 * path) or the console. A visitor who already has a session goes straight on.
 */
import { type FormEvent, useEffect, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { api } from "../api/client.ts";
import { Button } from "../components/button.tsx";
import { TextField } from "../components/field.tsx";
import { ErrorNotice } from "../components/notice.tsx";
import { loginPath, registerPath, safeNext } from "../lib/paths.ts";

/** The login or register page. */
export default function AuthPage({ mode }: { mode: "login" | "register" }) {
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const navigate = useNavigate();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const register = mode === "register";

  useEffect(() => {
    document.title = `${register ? "Create an account" : "Log in"} · Coze Loop`;
    const ac = new AbortController();
    api.get("/api/foundation/v1/users/session", {
      signal: ac.signal,
      noLoginRedirect: true,
    })
      .then(() => navigate(next ?? "/console", { replace: true }), () => {});
    return () => ac.abort();
  }, [register, next, navigate]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = { email, password };
      if (register) {
        await api.post("/api/foundation/v1/users/register", {
          body,
          noLoginRedirect: true,
        });
      } else {
        await api.post("/api/foundation/v1/users/login_by_password", {
          body,
          noLoginRedirect: true,
        });
      }
      navigate(next ?? "/console", { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <main className="auth">
      <form
        className="card stack"
        onSubmit={submit}
        aria-label={register ? "Register" : "Log in"}
      >
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" /> Coze Loop
        </div>
        <h1>{register ? "Create an account" : "Log in"}</h1>
        <ErrorNotice error={error} />
        <TextField
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete={register ? "new-password" : "current-password"}
          required
          minLength={register ? 8 : undefined}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <Button type="submit" variant="primary" busy={busy}>
          {register ? "Create account" : "Log in"}
        </Button>
        <p className="muted" style={{ margin: 0 }}>
          {register
            ? (
              <>
                Have an account? <Link to={loginPath(next)}>Log in</Link>
              </>
            )
            : (
              <>
                New here? <Link to={registerPath(next)}>Create an account</Link>
              </>
            )}
        </p>
      </form>
    </main>
  );
}
