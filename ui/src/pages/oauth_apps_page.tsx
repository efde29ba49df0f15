/**
 * `/console/enterprise/personal/open/oauth/apps`: OAuth apps for the SDKs' JWT flow. Create
 * one (optionally limited to some workspaces), register its public keys (the key id is the
 * JWT's `kid`), delete keys and apps. `?app=<id>` opens an app, `?new=1` the creation form.
 */
import { type FormEvent, useState } from "react";
import { api } from "../api/client.ts";
import type { Answer, Known } from "../api/types.ts";
import { Button } from "../components/button.tsx";
import { CopyButton } from "../components/copy_button.tsx";
import { Dialog } from "../components/dialog.tsx";
import { CodeEditor } from "../components/editor/mod.tsx";
import { SelectField, TextField } from "../components/field.tsx";
import { ErrorNotice } from "../components/notice.tsx";
import { EmptyState, Loading, Page } from "../components/page.tsx";
import { useAsync } from "../hooks/use_async.ts";
import { useUrlState } from "../hooks/use_url_state.ts";
import { formatTime } from "../lib/format.ts";
import { useSession } from "../shell/session.tsx";

/** An OAuth app as the list answers it. */
export type OAuthApp = Known<
  Answer<"post", "/api/permission/oauth2/apps/list">["apps"][number],
  {
    id: string;
    name: string;
    description: string;
    client_id: string;
    workspace_ids: string[];
    public_keys: { key_id: string; algorithm: string; created_at: string }[];
    created_at: string;
  }
>;

const URL_STATE = {
  app: { kind: "string" },
  new: { kind: "boolean", default: false },
} as const;

/** The OAuth apps page. */
export default function OAuthAppsPage() {
  const [url, setUrl] = useUrlState(URL_STATE);
  const list = useAsync(async (signal) => {
    const r = await api.post("/api/permission/oauth2/apps/list", {
      body: { page_size: 100 },
      signal,
    });
    return r.apps as OAuthApp[];
  }, []);
  const open = list.data?.find((a) => a.id === url.app);
  return (
    <Page
      title="OAuth apps"
      description={
        <>
          SDKs sign a JWT with the app's private key: <code>COZELOOP_JWT_OAUTH_CLIENT_ID</code>,
          {" "}
          <code>_PRIVATE_KEY</code>, <code>_PUBLIC_KEY_ID</code>.
        </>
      }
      actions={
        <Button variant="primary" onClick={() => setUrl({ new: true })}>
          New app
        </Button>
      }
    >
      <div className="card">
        <ErrorNotice error={list.error} />
        {!list.data && !list.error && <Loading />}
        {list.data?.length === 0 && <EmptyState>No OAuth app yet.</EmptyState>}
        {!!list.data?.length && (
          <table className="table" aria-label="OAuth apps">
            <thead>
              <tr>
                <th>Name</th>
                <th>Client id</th>
                <th>Keys</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((a) => (
                <tr key={a.id}>
                  <td>
                    <a
                      href={`?app=${a.id}`}
                      onClick={(e) => {
                        e.preventDefault();
                        setUrl({ app: a.id });
                      }}
                    >
                      {a.name}
                    </a>
                  </td>
                  <td className="mono">{a.client_id}</td>
                  <td>{a.public_keys?.length ?? 0}</td>
                  <td>{formatTime(a.created_at, "s")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {open && (
        <AppDetails
          app={open}
          onChanged={list.reload}
          onClose={() => setUrl({ app: undefined })}
        />
      )}
      <CreateAppDialog
        open={url.new}
        onClose={() => setUrl({ new: false }, { replace: true })}
        onCreated={(id) => {
          list.reload();
          setUrl({ new: false, app: id }, { replace: true });
        }}
      />
    </Page>
  );
}

function AppDetails(
  { app, onChanged, onClose }: {
    app: OAuthApp;
    onChanged: () => void;
    onClose: () => void;
  },
) {
  const [pem, setPem] = useState("");
  const [algorithm, setAlgorithm] = useState<"RS256" | "ES256">("RS256");
  const [state, setState] = useState<{ busy?: boolean; error?: unknown }>({});
  const act = async (f: () => Promise<unknown>) => {
    setState({ busy: true });
    try {
      await f();
      setState({});
      onChanged();
    } catch (error) {
      setState({ error });
    }
  };
  const keys = app.public_keys;
  return (
    <section className="card stack" aria-label={`OAuth app ${app.name}`}>
      <div className="page-header">
        <h2>{app.name}</h2>
        <div className="row">
          <Button
            variant="danger"
            busy={state.busy}
            onClick={() =>
              act(async () => {
                if (
                  !confirm(
                    `Delete the app ${app.name}? Its tokens stop working at once.`,
                  )
                ) return;
                await api.delete("/api/permission/oauth2/apps/{id}", {
                  params: { id: app.id },
                });
                onClose();
              })}
          >
            Delete app
          </Button>
          <Button onClick={onClose}>Close</Button>
        </div>
      </div>
      <div className="secret">
        <span style={{ flex: 1 }}>client id {app.client_id}</span>
        <CopyButton text={app.client_id} />
      </div>
      {app.description && <p className="muted" style={{ margin: 0 }}>{app.description}</p>}
      <h3>Public keys</h3>
      {keys.length === 0
        ? (
          <p className="muted" style={{ margin: 0 }}>
            No key yet: add the public half of the SDK's key pair.
          </p>
        )
        : (
          <table className="table">
            <thead>
              <tr>
                <th>Key id (kid)</th>
                <th>Algorithm</th>
                <th>Added</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.key_id}>
                  <td className="mono">{k.key_id}</td>
                  <td>{k.algorithm}</td>
                  <td>{formatTime(k.created_at, "s")}</td>
                  <td style={{ textAlign: "right" }}>
                    <Button
                      size="sm"
                      variant="danger"
                      onClick={() =>
                        act(() =>
                          api.delete(
                            "/api/permission/oauth2/apps/{id}/public_keys/{key_id}",
                            { params: { id: app.id, key_id: k.key_id } },
                          )
                        )}
                    >
                      Remove
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      <form
        className="stack"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          act(async () => {
            await api.post("/api/permission/oauth2/apps/{id}/public_keys", {
              params: { id: app.id },
              body: { public_key: pem, algorithm },
            });
            setPem("");
          });
        }}
      >
        <div className="field">
          <span className="field-label">Public key (PEM)</span>
          <CodeEditor
            label="Public key (PEM)"
            value={pem}
            onChange={setPem}
            minHeight="100px"
          />
        </div>
        <div className="row">
          <SelectField
            label="Algorithm"
            value={algorithm}
            onChange={(e) => setAlgorithm(e.target.value as "RS256" | "ES256")}
            options={[{ value: "RS256", label: "RS256 (RSA)" }, {
              value: "ES256",
              label: "ES256 (EC P-256)",
            }]}
          />
          <Button
            type="submit"
            variant="primary"
            busy={state.busy}
            disabled={!pem.trim()}
            style={{ alignSelf: "end" }}
          >
            Add key
          </Button>
        </div>
      </form>
      <ErrorNotice error={state.error} />
    </section>
  );
}

function CreateAppDialog(
  { open, onClose, onCreated }: {
    open: boolean;
    onClose: () => void;
    onCreated: (id: string) => void;
  },
) {
  const { spaces } = useSession();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [scope, setScope] = useState<string[]>([]);
  const [state, setState] = useState<{ busy?: boolean; error?: unknown }>({});
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setState({ busy: true });
    try {
      const r = await api.post("/api/permission/oauth2/apps", {
        body: {
          name,
          description: description || undefined,
          workspace_ids: scope.length ? scope : undefined,
        },
      });
      setState({});
      setName("");
      setDescription("");
      setScope([]);
      onCreated(String(r.app.id));
    } catch (error) {
      setState({ error });
    }
  };
  return (
    <Dialog open={open} title="New OAuth app" onClose={onClose}>
      <form className="stack" onSubmit={submit}>
        <TextField
          label="Name"
          required
          maxLength={128}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <TextField
          label="Description"
          maxLength={1024}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
        <fieldset
          className="stack"
          style={{ border: 0, padding: 0, margin: 0, gap: 4 }}
        >
          <legend className="muted" style={{ marginBottom: 4 }}>
            Workspaces (none checked: all of yours)
          </legend>
          {spaces.map((s) => (
            <label key={s.id} className="row">
              <input
                type="checkbox"
                checked={scope.includes(s.id)}
                onChange={(e) =>
                  setScope(
                    e.target.checked ? [...scope, s.id] : scope.filter((x) => x !== s.id),
                  )}
              />
              {s.name}
            </label>
          ))}
        </fieldset>
        <ErrorNotice error={state.error} />
        <div className="row">
          <Button type="submit" variant="primary" busy={state.busy}>
            Create app
          </Button>
          <Button onClick={onClose}>Cancel</Button>
        </div>
      </form>
    </Dialog>
  );
}
