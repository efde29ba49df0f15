/**
 * A prompt's version history, newest first: version, description, when and by whom, its
 * labels; open one (`?version=`) to read it, compare it with the one before or with the
 * draft, or restore it into the draft.
 */
import { useState } from "react";
import { api } from "../api/client.ts";
import { Button } from "../components/button.tsx";
import { CodeEditor } from "../components/editor/mod.tsx";
import { ErrorNotice } from "../components/notice.tsx";
import { EmptyState, Loading } from "../components/page.tsx";
import type { AsyncState } from "../hooks/use_async.ts";
import { useUrlState } from "../hooks/use_url_state.ts";
import { formatTime } from "../lib/format.ts";
import { detailText, DRAFT, formatDiffRange } from "../lib/prompt_diff.ts";
import type { loadVersions } from "./prompt_data.ts";

/** What loadVersions answers. */
export type Versions = Awaited<ReturnType<typeof loadVersions>>;

const URL_STATE = { version: { kind: "string" } } as const;

/** The versions tab. */
export function VersionsTab({ promptId, versions, onRestored, compareLink }: {
  promptId: string;
  versions: AsyncState<Versions>;
  onRestored: () => Promise<void>;
  compareLink: (range: string) => void;
}) {
  const [url, setUrl] = useUrlState(URL_STATE);
  const [state, setState] = useState<{ busy?: string; error?: unknown; done?: string }>({});
  const data = versions.data;
  if (!data) return versions.error ? null : <Loading />;
  if (data.commits.length === 0) {
    return <EmptyState>No version yet: commit the draft to create 1.0.0.</EmptyState>;
  }
  const restore = async (version: string) => {
    if (!confirm(`Replace your draft with version ${version}?`)) return;
    setState({ busy: version });
    try {
      await api.post("/api/prompt/v1/prompts/{prompt_id}/drafts/revert_from_commit", {
        params: { prompt_id: promptId },
        body: { commit_version_reverting_from: version },
      });
      await onRestored();
      setState({ done: version });
    } catch (error) {
      setState({ error });
    }
  };
  const open = url.version ? data.details[url.version] : undefined;
  return (
    <div className="stack">
      <div className="card">
        <table className="table" aria-label="Versions">
          <thead>
            <tr>
              <th>Version</th>
              <th>Description</th>
              <th>Labels</th>
              <th>Based on</th>
              <th>Committed</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data.commits.map((c, i) => {
              const previous = data.commits[i + 1]?.version;
              return (
                <tr key={c.version} aria-selected={c.version === url.version}>
                  <td>
                    <a
                      className="version-chip"
                      href={`?tab=versions&version=${c.version}`}
                      onClick={(e) => {
                        e.preventDefault();
                        setUrl({ version: c.version === url.version ? undefined : c.version });
                      }}
                    >
                      {c.version}
                    </a>
                  </td>
                  <td>{c.description || <span className="muted">—</span>}</td>
                  <td>
                    <span className="row">
                      {(data.labels[c.version] ?? []).map((l) => (
                        <span key={l} className="label-chip">{l}</span>
                      ))}
                    </span>
                  </td>
                  <td className="version-chip">{c.base_version || "—"}</td>
                  <td>{formatTime(c.committed_at ?? 0)}</td>
                  <td style={{ textAlign: "right" }}>
                    <span className="row" style={{ justifyContent: "end" }}>
                      {previous && (
                        <Button
                          size="sm"
                          onClick={() => compareLink(formatDiffRange(previous, c.version))}
                        >
                          vs {previous}
                        </Button>
                      )}
                      <Button
                        size="sm"
                        onClick={() => compareLink(formatDiffRange(c.version, DRAFT))}
                      >
                        vs draft
                      </Button>
                      <Button
                        size="sm"
                        busy={state.busy === c.version}
                        onClick={() => restore(c.version)}
                      >
                        Restore
                      </Button>
                    </span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <ErrorNotice error={state.error} />
      {state.done && (
        <p className="muted" role="status">Your draft now holds version {state.done}.</p>
      )}
      {url.version && (
        <section className="card stack" aria-label={`Version ${url.version}`}>
          <div className="section-title">
            <span>Version {url.version}</span>
            <Button size="sm" variant="ghost" onClick={() => setUrl({ version: undefined })}>
              Close
            </Button>
          </div>
          {open
            ? <CodeEditor label={`Version ${url.version}`} readOnly value={detailText(open)} />
            : <ErrorNotice error={`No version ${url.version}`} />}
        </section>
      )}
    </div>
  );
}
