/**
 * Committing the draft: its differences from the version it is based on (side by side, and
 * summarised), the new version (the next minor one suggested; patch, minor or major in one
 * click), a description, and labels to point at it. The server enforces strictly increasing
 * versions: its refusal is shown as it words it.
 */
import { type FormEvent, useState } from "react";
import { api } from "../api/client.ts";
import { Button } from "../components/button.tsx";
import { Dialog } from "../components/dialog.tsx";
import { DiffView } from "../components/editor/mod.tsx";
import { TextField } from "../components/field.tsx";
import { ErrorNotice } from "../components/notice.tsx";
import { Loading } from "../components/page.tsx";
import { useAsync } from "../hooks/use_async.ts";
import { detailText, diffSummary, lineChanges } from "../lib/prompt_diff.ts";
import { type Bump, nextVersion, versionProblem } from "../lib/semver.ts";
import { loadPrompt, type Model, type PromptDetail } from "./prompt_data.ts";

/** Props of CommitDialog. */
export interface CommitDialogProps {
  open: boolean;
  onClose: () => void;
  spaceId: string;
  promptId: string;
  /** The latest version ("" before the first commit). */
  latest: string;
  /** The version the draft started from ("" for none). */
  base: string;
  draft: PromptDetail;
  models: Model[] | undefined;
  labels: string[];
  /** Saves the draft on the server before committing it. */
  prepare: () => Promise<void>;
  canCommit: boolean;
  onCommitted: (version: string) => void | Promise<void>;
}

/** The commit dialog. */
export function CommitDialog(props: CommitDialogProps) {
  const { open, onClose, latest } = props;
  return (
    <Dialog open={open} title="Commit a version" onClose={onClose} className="dialog-wide">
      {open && <CommitForm key={latest} {...props} />}
    </Dialog>
  );
}

function CommitForm(
  {
    onClose,
    spaceId,
    promptId,
    latest,
    base,
    draft,
    models,
    labels,
    prepare,
    canCommit,
    onCommitted,
  }: CommitDialogProps,
) {
  const [version, setVersion] = useState(() => nextVersion(latest, "minor"));
  const [description, setDescription] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const [state, setState] = useState<{ busy?: boolean; error?: unknown }>({});
  const baseDetail = useAsync(async (signal) => {
    if (!base) return undefined;
    const p = await loadPrompt(spaceId, promptId, signal, base);
    return p.prompt_commit?.detail;
  }, [spaceId, promptId, base]);

  const name = (id: string) => models?.find((m) => m.model_id === id)?.name ?? "";
  const before = detailText(baseDetail.data, name);
  const after = detailText(draft, name);
  const summary = diffSummary(baseDetail.data, draft);
  const lines = lineChanges(base ? before : "", after);
  const problem = versionProblem(version, latest);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setState({ busy: true });
    try {
      await prepare();
      await api.post("/api/prompt/v1/prompts/{prompt_id}/drafts/commit", {
        params: { prompt_id: promptId },
        body: {
          commit_version: version.trim(),
          commit_description: description || undefined,
          label_keys: chosen.length ? chosen : undefined,
        },
      });
      setState({});
      await onCommitted(version.trim());
    } catch (error) {
      setState({ error });
    }
  };

  return (
    <form className="stack" onSubmit={submit} aria-label="Commit">
      <div className="row">
        <strong>{base ? `Changes since ${base}` : "First version"}</strong>
        <span className="muted" data-testid="commit-line-changes">
          +{lines.added} −{lines.removed} lines
        </span>
      </div>
      {base && baseDetail.loading && !baseDetail.data ? <Loading label="Loading base…" /> : (
        <>
          {base && summary.length === 0 && (
            <p className="muted" style={{ margin: 0 }}>No change from {base}.</p>
          )}
          {summary.length > 0 && (
            <ul className="diff-summary" data-testid="commit-summary">
              {summary.map((s) => <li key={s}>{s}</li>)}
            </ul>
          )}
          <div className="diff-box" data-testid="commit-diff">
            <DiffView before={base ? before : ""} after={after} collapseUnchanged />
          </div>
        </>
      )}
      <ErrorNotice error={baseDetail.error} />
      <div className="row" style={{ alignItems: "end" }}>
        <div style={{ width: 160 }}>
          <TextField
            label="Version"
            name="version"
            required
            value={version}
            onChange={(e) => setVersion(e.target.value)}
            hint={problem}
          />
        </div>
        {(["patch", "minor", "major"] as Bump[]).map((b) => (
          <Button
            key={b}
            size="sm"
            onClick={() => setVersion(nextVersion(latest, b))}
          >
            {nextVersion(latest, b)} ({b})
          </Button>
        ))}
      </div>
      <TextField
        label="Description"
        name="description"
        maxLength={1024}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
      />
      {labels.length > 0 && (
        <fieldset className="row" style={{ border: 0, padding: 0, margin: 0 }}>
          <legend className="muted" style={{ marginBottom: 4 }}>Point labels at it</legend>
          {labels.map((l) => (
            <label key={l} className="row">
              <input
                type="checkbox"
                checked={chosen.includes(l)}
                onChange={(e) =>
                  setChosen(e.target.checked ? [...chosen, l] : chosen.filter((x) => x !== l))}
              />
              {l}
            </label>
          ))}
        </fieldset>
      )}
      <ErrorNotice error={state.error} />
      <div className="row">
        <Button type="submit" variant="primary" busy={state.busy} disabled={!canCommit}>
          Commit {version.trim()}
        </Button>
        <Button onClick={onClose}>Cancel</Button>
        {!canCommit && <span className="muted">Fix the tools' JSON first.</span>}
      </div>
    </form>
  );
}
