/**
 * A prompt's labels (production, beta, test and the workspace's own): which version each
 * points at, pointing one at another version (assign or move) or removing it, creating a
 * workspace label, and every move in the label history.
 */
import { type FormEvent, useState } from "react";
import { api } from "../api/client.ts";
import { Button } from "../components/button.tsx";
import { ErrorNotice } from "../components/notice.tsx";
import { EmptyState, Loading } from "../components/page.tsx";
import { type AsyncState, useAsync } from "../hooks/use_async.ts";
import { formatTime } from "../lib/format.ts";
import { loadLabelHistory, type loadLabels, setVersionLabels } from "./prompt_data.ts";
import type { Versions } from "./prompt_versions_tab.tsx";

/** The labels tab. */
export function LabelsTab({ spaceId, promptId, versions, labels }: {
  spaceId: string;
  promptId: string;
  versions: AsyncState<Versions>;
  labels: AsyncState<Awaited<ReturnType<typeof loadLabels>>>;
}) {
  const history = useAsync((signal) => loadLabelHistory(promptId, signal), [promptId]);
  const [picked, setPicked] = useState<Record<string, string>>({});
  const [state, setState] = useState<{ busy?: string; error?: unknown }>({});
  const [newLabel, setNewLabel] = useState("");
  const commits = versions.data?.commits ?? [];
  const onVersion = versions.data?.labels ?? {};
  const mapping = labels.data?.mapping ?? {};

  const act = async (busy: string, f: () => Promise<unknown>) => {
    setState({ busy });
    try {
      await f();
      setState({});
      versions.reload();
      labels.reload();
      history.reload();
    } catch (error) {
      setState({ error });
    }
  };
  const point = (label: string, version: string) =>
    act(label, () =>
      setVersionLabels(promptId, version, [
        ...(onVersion[version] ?? []).filter((l) => l !== label),
        label,
      ]));
  const remove = (label: string, version: string) =>
    act(
      label,
      () =>
        setVersionLabels(promptId, version, (onVersion[version] ?? []).filter((l) => l !== label)),
    );
  const create = (e: FormEvent) => {
    e.preventDefault();
    act("new", async () => {
      await api.post("/api/prompt/v1/labels", {
        body: { workspace_id: spaceId, label: { key: newLabel.trim() } },
      });
      setNewLabel("");
    });
  };

  if (!labels.data || !versions.data) {
    const error = labels.error ?? versions.error;
    return error ? <ErrorNotice error={error} /> : <Loading />;
  }
  return (
    <div className="stack">
      <section className="card stack" aria-label="Labels">
        {commits.length === 0 && (
          <p className="muted" style={{ margin: 0 }}>Labels point at versions: commit one first.</p>
        )}
        <table className="table" aria-label="Label versions">
          <thead>
            <tr>
              <th>Label</th>
              <th>Points at</th>
              <th>Point it at</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {labels.data.labels.map((l) => {
              const current = mapping[l];
              const target = picked[l] ?? (commits[0]?.version ?? "");
              return (
                <tr key={l} data-label={l}>
                  <td>
                    <span className="label-chip">{l}</span>
                  </td>
                  <td className="version-chip" data-testid={`label-${l}-version`}>
                    {current ?? "—"}
                  </td>
                  <td>
                    <span className="row">
                      <select
                        className="select input-sm"
                        style={{ width: "auto" }}
                        aria-label={`Version for ${l}`}
                        value={target}
                        disabled={!commits.length}
                        onChange={(e) => setPicked({ ...picked, [l]: e.target.value })}
                      >
                        {commits.map((c) => (
                          <option key={c.version} value={c.version}>{c.version}</option>
                        ))}
                      </select>
                      <Button
                        size="sm"
                        variant="primary"
                        busy={state.busy === l}
                        disabled={!target || target === current}
                        onClick={() => point(l, target)}
                      >
                        {current ? "Move" : "Assign"}
                      </Button>
                    </span>
                  </td>
                  <td style={{ textAlign: "right" }}>
                    {current && (
                      <Button
                        size="sm"
                        variant="danger"
                        onClick={() => remove(l, current)}
                      >
                        Remove
                      </Button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <form className="row" onSubmit={create}>
          <input
            className="input input-sm"
            style={{ width: 220 }}
            aria-label="New label"
            placeholder="new_label"
            pattern="[a-z][a-z0-9_]{0,63}"
            value={newLabel}
            onChange={(e) => setNewLabel(e.target.value)}
          />
          <Button type="submit" size="sm" busy={state.busy === "new"} disabled={!newLabel.trim()}>
            Create label
          </Button>
          <span className="muted">lowercase letters, digits and _; for the whole workspace</span>
        </form>
        <ErrorNotice error={state.error} />
      </section>
      <section className="card stack" aria-label="Label history">
        <div className="section-title">History</div>
        <ErrorNotice error={history.error} />
        {history.data?.length === 0 && <EmptyState>No label has moved yet.</EmptyState>}
        {!!history.data?.length && (
          <table className="table" aria-label="Label history">
            <thead>
              <tr>
                <th>Label</th>
                <th>From</th>
                <th>To</th>
                <th>When</th>
                <th>By</th>
              </tr>
            </thead>
            <tbody>
              {history.data.map((h, i) => (
                <tr key={i}>
                  <td>{h.label_key}</td>
                  <td className="version-chip">{h.from_version || "—"}</td>
                  <td className="version-chip">{h.to_version || "removed"}</td>
                  <td>{formatTime(h.changed_at)}</td>
                  <td className="muted">{h.changed_by}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
