/**
 * `…/space/:spaceId/pe/prompts/:promptId`: one prompt. Tabs (`?tab=`): the editor of the
 * caller's draft (autosaved), the version history, the labels with their history, and a
 * comparison of any two versions (`?diff=1.0.0..1.1.0`, the draft included). `?commit=1`
 * opens the commit dialog, which shows the draft's diff against its base version.
 */
import { useCallback, useMemo, useRef, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { Button } from "../components/button.tsx";
import { ErrorNotice } from "../components/notice.tsx";
import { Loading, Page } from "../components/page.tsx";
import { useAsync } from "../hooks/use_async.ts";
import { type SaveStatus, useAutosave } from "../hooks/use_autosave.ts";
import { useUrlState } from "../hooks/use_url_state.ts";
import { playgroundPath, promptsPath } from "../lib/paths.ts";
import { textToTools, toolsToText } from "../lib/tools_json.ts";
import { withQuery } from "../lib/url_state.ts";
import {
  editableDetail,
  loadLabels,
  loadModels,
  loadPrompt,
  loadVersions,
  type Prompt,
  type PromptDetail,
  saveDraft,
} from "./prompt_data.ts";
import { PromptEditor } from "./prompt_editor.tsx";
import { CommitDialog } from "./prompt_commit_dialog.tsx";
import { VersionsTab } from "./prompt_versions_tab.tsx";
import { LabelsTab } from "./prompt_labels_tab.tsx";
import { DiffTab } from "./prompt_diff_tab.tsx";
import "../styles/prompts.css";

const URL_STATE = {
  tab: { kind: "string" },
  diff: { kind: "string" },
  commit: { kind: "boolean", default: false },
} as const;

const TABS = [
  ["editor", "Editor"],
  ["versions", "Versions"],
  ["labels", "Labels"],
  ["diff", "Compare"],
] as const;

/** The prompt page. */
export default function PromptPage() {
  const { spaceId = "", promptId = "" } = useParams();
  const prompt = useAsync((signal) => loadPrompt(spaceId, promptId, signal), [
    spaceId,
    promptId,
  ]);
  if (prompt.error || !prompt.data) {
    return (
      <Page title="Prompt">
        <ErrorNotice error={prompt.error} />
        {prompt.error ? <Link to={promptsPath(spaceId)}>All prompts</Link> : <Loading />}
      </Page>
    );
  }
  return <PromptWorkspace key={promptId} spaceId={spaceId} initial={prompt.data} />;
}

function PromptWorkspace({ spaceId, initial }: { spaceId: string; initial: Prompt }) {
  const promptId = initial.id;
  const navigate = useNavigate();
  const [url, setUrl] = useUrlState(URL_STATE);
  const [prompt, setPrompt] = useState(initial);
  const start = useMemo(() => editableDetail(initial), [initial]);
  const [detail, setDetail] = useState<PromptDetail>(start.detail);
  const [base, setBase] = useState(start.base);
  const [toolsText, setToolsText] = useState(() => toolsToText(start.detail.tools));
  const toolsValid = textToTools(toolsText).problems.length === 0;

  const models = useAsync((signal) => loadModels(spaceId, signal), [spaceId]);
  const versions = useAsync((signal) => loadVersions(promptId, signal), [promptId]);
  const labels = useAsync((signal) => loadLabels(spaceId, promptId, signal), [
    spaceId,
    promptId,
  ]);
  // Whether the server holds a draft of the caller's (a commit needs one).
  const hasDraft = useRef(!!initial.prompt_draft);
  const save = useCallback(async (d: PromptDetail) => {
    await saveDraft(promptId, d, base);
    hasDraft.current = true;
  }, [promptId, base]);
  const autosave = useAutosave(detail, save, { valid: toolsValid });
  const prepareCommit = async () => {
    await autosave.flush();
    if (!hasDraft.current) await save(detail);
  };

  const onToolsText = (text: string) => {
    setToolsText(text);
    const { tools } = textToTools(text);
    if (tools) setDetail((d) => ({ ...d, tools }));
  };
  // After a commit or a restore: the server's draft is the truth again.
  const refresh = async () => {
    const p = await loadPrompt(spaceId, promptId);
    const e = editableDetail(p);
    setPrompt(p);
    setDetail(e.detail);
    setBase(e.base);
    setToolsText(toolsToText(e.detail.tools));
    autosave.reset(e.detail);
    versions.reload();
    labels.reload();
  };

  const tab = url.tab ?? (url.diff ? "diff" : "editor");
  const playground = withQuery(
    playgroundPath(spaceId),
    new URLSearchParams({ prompt_id: promptId }),
  );
  const latest = prompt.prompt_basic.latest_version;
  const onLatest = Object.entries(labels.data?.mapping ?? {}).filter(([, v]) => v === latest);
  return (
    <Page
      title={prompt.prompt_basic.display_name || prompt.prompt_key}
      description={
        <span className="row">
          <code>{prompt.prompt_key}</code>
          {latest
            ? <span className="badge version-chip" data-testid="latest-version">{latest}</span>
            : <span className="badge">not committed yet</span>}
          {onLatest.map(([l]) => <span key={l} className="label-chip">{l}</span>)}
          {prompt.prompt_basic.description && (
            <span className="muted">{prompt.prompt_basic.description}</span>
          )}
        </span>
      }
      actions={
        <>
          <SaveState status={autosave.status} error={autosave.error} base={base} />
          <Link
            className="btn btn-secondary"
            data-testid="open-playground"
            to={playground}
            onClick={(e) => {
              // The playground runs the saved draft: save the last edits first.
              e.preventDefault();
              autosave.flush().catch(() => {}).then(() => navigate(playground));
            }}
          >
            Playground
          </Link>
          <Button variant="primary" onClick={() => setUrl({ commit: true })}>
            Commit
          </Button>
        </>
      }
    >
      <nav className="tabs" aria-label="Prompt sections">
        {TABS.map(([key, title]) => (
          <a
            key={key}
            className="tab"
            href={`?tab=${key}`}
            aria-current={tab === key ? "page" : undefined}
            onClick={(e) => {
              e.preventDefault();
              setUrl({ tab: key === "editor" ? undefined : key });
            }}
          >
            {title}
            {key === "versions" && versions.data ? ` (${versions.data.commits.length})` : ""}
          </a>
        ))}
      </nav>
      {tab === "editor" && (
        <PromptEditor
          detail={detail}
          onChange={setDetail}
          toolsText={toolsText}
          onToolsText={onToolsText}
          models={models.data}
        />
      )}
      {tab === "versions" && (
        <VersionsTab
          promptId={promptId}
          versions={versions}
          onRestored={refresh}
          compareLink={(diff) => setUrl({ tab: "diff", diff })}
        />
      )}
      {tab === "labels" && (
        <LabelsTab
          spaceId={spaceId}
          promptId={promptId}
          versions={versions}
          labels={labels}
        />
      )}
      {tab === "diff" && (
        <DiffTab
          range={url.diff}
          onRange={(diff) => setUrl({ diff }, { replace: true })}
          versions={versions}
          draft={detail}
          models={models.data}
        />
      )}
      <CommitDialog
        open={url.commit}
        onClose={() => setUrl({ commit: false }, { replace: true })}
        promptId={promptId}
        spaceId={spaceId}
        latest={latest}
        base={base}
        draft={detail}
        models={models.data}
        labels={labels.data?.labels ?? []}
        prepare={prepareCommit}
        canCommit={toolsValid}
        onCommitted={async () => {
          setUrl({ commit: false }, { replace: true });
          await refresh();
        }}
      />
      {versions.error ? <ErrorNotice error={versions.error} /> : null}
    </Page>
  );
}

function SaveState({ status, error, base }: {
  status: SaveStatus;
  error: unknown;
  base: string;
}) {
  const text = {
    saved: "Draft saved",
    unsaved: "Unsaved changes",
    saving: "Saving…",
    error: `Not saved: ${error instanceof Error ? error.message : String(error)}`,
    invalid: "Not saved: fix the tools",
  }[status];
  return (
    <span className="save-state" data-state={status} data-testid="save-state" role="status">
      {text}
      {base ? ` · based on ${base}` : ""}
    </span>
  );
}
