/** `/console/enterprise/personal/account`: the profile, and a new password. */
import { type FormEvent, useState } from "react";
import { useNavigate } from "react-router";
import { api } from "../api/client.ts";
import { Button } from "../components/button.tsx";
import { TextField } from "../components/field.tsx";
import { ErrorNotice, Notice } from "../components/notice.tsx";
import { Page } from "../components/page.tsx";
import { useSession } from "../shell/session.tsx";
import { loginPath } from "../lib/paths.ts";

/** The account page. */
export default function AccountPage() {
  return (
    <Page
      title="Profile"
      description="Your name as others see it, and your password."
    >
      <ProfileForm />
      <PasswordForm />
    </Page>
  );
}

function ProfileForm() {
  const { user, reload } = useSession();
  const [nickName, setNickName] = useState(user.nick_name ?? "");
  const [description, setDescription] = useState(user.description ?? "");
  const [state, setState] = useState<
    { busy?: boolean; saved?: boolean; error?: unknown }
  >({});
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setState({ busy: true });
    try {
      await api.put("/api/foundation/v1/users/{user_id}/update_profile", {
        params: { user_id: user.user_id },
        body: { nick_name: nickName, description },
      });
      setState({ saved: true });
      reload();
    } catch (error) {
      setState({ error });
    }
  };
  return (
    <form className="card stack" onSubmit={submit} aria-label="Profile">
      <h2>Profile</h2>
      <TextField label="Email" value={user.email ?? ""} readOnly disabled />
      <TextField
        label="Display name"
        required
        maxLength={128}
        value={nickName}
        onChange={(e) => setNickName(e.target.value)}
      />
      <TextField
        label="Description"
        maxLength={1024}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
      />
      <ErrorNotice error={state.error} />
      {state.saved && <Notice kind="success">Profile saved.</Notice>}
      <div className="row">
        <Button type="submit" variant="primary" busy={state.busy}>
          Save profile
        </Button>
      </div>
    </form>
  );
}

function PasswordForm() {
  const { user } = useSession();
  const navigate = useNavigate();
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [state, setState] = useState<{ busy?: boolean; error?: unknown }>({});
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password !== confirm) {
      setState({ error: new Error("The two passwords differ.") });
      return;
    }
    setState({ busy: true });
    try {
      await api.post("/api/foundation/v1/users/reset_password", {
        body: { email: user.email ?? "", password },
        noLoginRedirect: true,
      });
      // A new password ends every session, this one included.
      navigate(loginPath(), { replace: true });
    } catch (error) {
      setState({ error });
    }
  };
  return (
    <form className="card stack" onSubmit={submit} aria-label="Password">
      <h2>Password</h2>
      <p className="muted" style={{ margin: 0 }}>
        Setting a new password logs you out everywhere, here included.
      </p>
      <TextField
        label="New password"
        type="password"
        autoComplete="new-password"
        required
        minLength={8}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <TextField
        label="Repeat the new password"
        type="password"
        autoComplete="new-password"
        required
        value={confirm}
        onChange={(e) => setConfirm(e.target.value)}
      />
      <ErrorNotice error={state.error} />
      <div className="row">
        <Button type="submit" variant="primary" busy={state.busy}>
          Change password
        </Button>
      </div>
    </form>
  );
}
