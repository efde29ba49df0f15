/**
 * `/console/enterprise/personal/open/oauth/pats`: personal access tokens for the SDKs:
 * create one with an expiry (its secret is shown once), list them, revoke one. `?new=1`
 * opens the creation dialog.
 */
import { type FormEvent, useState } from "react";
import { api } from "../api/client.ts";
import type { Answer } from "../api/types.ts";
import { Button } from "../components/button.tsx";
import { CopyButton } from "../components/copy_button.tsx";
import { Dialog } from "../components/dialog.tsx";
import { SelectField, TextField } from "../components/field.tsx";
import { ErrorNotice, Notice } from "../components/notice.tsx";
import { EmptyState, Loading, Page } from "../components/page.tsx";
import { useAsync } from "../hooks/use_async.ts";
import { useUrlState } from "../hooks/use_url_state.ts";
import { expiryLabel, formatTime } from "../lib/format.ts";

/** A token as the list answers it (never its value). */
export type AccessToken = Answer<
  "post",
  "/api/auth/v1/personal_access_tokens/list"
>["personal_access_tokens"][number];

const EXPIRIES = [
  { value: "30", label: "30 days" },
  { value: "1", label: "1 day" },
  { value: "60", label: "60 days" },
  { value: "90", label: "90 days" },
  { value: "180", label: "180 days" },
  { value: "365", label: "1 year" },
  { value: "permanent", label: "Never" },
] as const;

const URL_STATE = { new: { kind: "boolean", default: false } } as const;

/** The tokens page. */
export default function TokensPage() {
  const [url, setUrl] = useUrlState(URL_STATE);
  const [created, setCreated] = useState<{ name: string; token: string }>();
  const [revoking, setRevoking] = useState<AccessToken>();
  const list = useAsync(async (signal) => {
    const r = await api.post("/api/auth/v1/personal_access_tokens/list", {
      body: { page_size: 100 },
      signal,
    });
    return r.personal_access_tokens;
  }, []);

  return (
    <Page
      title="Personal access tokens"
      description={
        <>
          The SDKs authenticate with a token: <code>COZELOOP_API_TOKEN</code>.
        </>
      }
      actions={
        <Button variant="primary" onClick={() => setUrl({ new: true })}>
          New token
        </Button>
      }
    >
      {created && (
        <div className="card stack" data-testid="new-token">
          <Notice kind="warning">
            Copy the token <strong>{created.name}</strong> now: it is shown only once.
          </Notice>
          <div className="secret">
            <span data-testid="token-value" style={{ flex: 1 }}>
              {created.token}
            </span>
            <CopyButton text={created.token} />
          </div>
          <div className="row">
            <Button onClick={() => setCreated(undefined)}>Done</Button>
          </div>
        </div>
      )}
      <div className="card">
        <ErrorNotice error={list.error} />
        {!list.data && !list.error && <Loading />}
        {list.data?.length === 0 && <EmptyState>No token yet.</EmptyState>}
        {!!list.data?.length && (
          <table className="table" aria-label="Tokens">
            <thead>
              <tr>
                <th>Name</th>
                <th>Created</th>
                <th>Last used</th>
                <th>Expiry</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.data.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td>{formatTime(t.created_at, "s")}</td>
                  <td>
                    {Number(t.last_used_at) > 0 ? formatTime(t.last_used_at, "s") : "never"}
                  </td>
                  <td>{expiryLabel(t.expire_at, Date.now())}</td>
                  <td style={{ textAlign: "right" }}>
                    <Button
                      size="sm"
                      variant="danger"
                      onClick={() => setRevoking(t)}
                    >
                      Revoke
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <CreateDialog
        open={url.new}
        onClose={() => setUrl({ new: false }, { replace: true })}
        onCreated={(c) => {
          setCreated(c);
          setUrl({ new: false }, { replace: true });
          list.reload();
        }}
      />
      <RevokeDialog
        token={revoking}
        onClose={() => setRevoking(undefined)}
        onRevoked={() => {
          setRevoking(undefined);
          list.reload();
        }}
      />
    </Page>
  );
}

function CreateDialog({ open, onClose, onCreated }: {
  open: boolean;
  onClose: () => void;
  onCreated: (c: { name: string; token: string }) => void;
}) {
  const [name, setName] = useState("");
  const [expiry, setExpiry] = useState<(typeof EXPIRIES)[number]["value"]>(
    "30",
  );
  const [state, setState] = useState<{ busy?: boolean; error?: unknown }>({});
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setState({ busy: true });
    try {
      const r = await api.post("/api/auth/v1/personal_access_tokens", {
        body: { name, duration_day: expiry },
      });
      setState({});
      setName("");
      onCreated({ name, token: r.token });
    } catch (error) {
      setState({ error });
    }
  };
  return (
    <Dialog open={open} title="New personal access token" onClose={onClose}>
      <form className="stack" onSubmit={submit}>
        <TextField
          label="Name"
          required
          maxLength={128}
          autoFocus
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <SelectField
          label="Expires after"
          options={[...EXPIRIES]}
          value={expiry}
          onChange={(e) => setExpiry(e.target.value as typeof expiry)}
        />
        <ErrorNotice error={state.error} />
        <div className="row">
          <Button type="submit" variant="primary" busy={state.busy}>
            Create token
          </Button>
          <Button onClick={onClose}>Cancel</Button>
        </div>
      </form>
    </Dialog>
  );
}

function RevokeDialog({ token, onClose, onRevoked }: {
  token: AccessToken | undefined;
  onClose: () => void;
  onRevoked: () => void;
}) {
  const [state, setState] = useState<{ busy?: boolean; error?: unknown }>({});
  const revoke = async () => {
    if (!token) return;
    setState({ busy: true });
    try {
      await api.delete("/api/auth/v1/personal_access_tokens/{id}", {
        params: { id: token.id },
      });
      setState({});
      onRevoked();
    } catch (error) {
      setState({ error });
    }
  };
  return (
    <Dialog open={!!token} title="Revoke token" onClose={onClose}>
      <div className="stack">
        <p style={{ margin: 0 }}>
          Revoke <strong>{token?.name}</strong>? Programs using it stop working at once.
        </p>
        <ErrorNotice error={state.error} />
        <div className="row">
          <Button variant="primary" busy={state.busy} onClick={revoke}>
            Revoke
          </Button>
          <Button onClick={onClose}>Cancel</Button>
        </div>
      </div>
    </Dialog>
  );
}
