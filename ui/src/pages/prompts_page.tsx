/**
 * `…/space/:spaceId/pe/prompts`: the workspace's prompts. Search by name or key (`?q=`),
 * pages (`?page=`), each prompt's latest version and labels; create one (`?new=1`), clone a
 * version into a new prompt, delete one.
 */
import { useEffect, useRef, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api } from "../api/client.ts";
import { Button } from "../components/button.tsx";
import { ErrorNotice } from "../components/notice.tsx";
import { EmptyState, Loading, Page } from "../components/page.tsx";
import { useAsync } from "../hooks/use_async.ts";
import { useUrlState } from "../hooks/use_url_state.ts";
import { formatTime } from "../lib/format.ts";
import { promptPath } from "../lib/paths.ts";
import { loadLabels, type PromptList } from "./prompt_data.ts";
import { CloneDialog, CreatePromptDialog, DeletePromptDialog } from "./prompt_dialogs.tsx";
import "../styles/prompts.css";

/** A prompt of the list. */
export type ListedPrompt = PromptList["prompts"][number];

const PAGE_SIZE = 20;
const URL_STATE = {
  q: { kind: "string" },
  page: { kind: "number", default: 1 },
  new: { kind: "boolean", default: false },
} as const;

/** The prompt list page. */
export default function PromptsPage() {
  const { spaceId = "" } = useParams();
  const navigate = useNavigate();
  const [url, setUrl] = useUrlState(URL_STATE);
  const [search, setSearch] = useState(url.q ?? "");
  const [cloning, setCloning] = useState<ListedPrompt>();
  const [deleting, setDeleting] = useState<ListedPrompt>();
  // Typing updates the URL once it pauses (replacing the entry: one history step per search);
  // a query the URL gets otherwise (back, forward, a link) shows in the field.
  const written = useRef(url.q ?? "");
  useEffect(() => {
    if (search === (url.q ?? "")) return;
    const t = setTimeout(() => {
      written.current = search;
      setUrl({ q: search, page: 1 }, { replace: true });
    }, 300);
    return () => clearTimeout(t);
  }, [search]);
  useEffect(() => {
    if ((url.q ?? "") !== written.current) setSearch(url.q ?? "");
    written.current = url.q ?? "";
  }, [url.q]);

  const list = useAsync((signal) =>
    api.post("/api/prompt/v1/prompts/list", {
      body: {
        workspace_id: spaceId,
        key_word: url.q || undefined,
        page_num: url.page,
        page_size: PAGE_SIZE,
      },
      signal,
    }), [spaceId, url.q, url.page]);
  const pages = Math.max(1, Math.ceil((list.data?.total ?? 0) / PAGE_SIZE));
  const open = (id: string) => navigate(promptPath(spaceId, id));

  return (
    <Page
      title="Prompts"
      description="Prompt templates with versions and labels, fetched by the SDKs."
      actions={
        <Button variant="primary" onClick={() => setUrl({ new: true })}>
          New prompt
        </Button>
      }
    >
      <div className="card stack">
        <input
          className="input"
          type="search"
          aria-label="Search prompts"
          placeholder="Search by name or key"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <ErrorNotice error={list.error} />
        {!list.data && !list.error && <Loading />}
        {list.data?.prompts.length === 0 && (
          <EmptyState>
            {url.q ? `No prompt matches “${url.q}”.` : "No prompt yet: create the first one."}
          </EmptyState>
        )}
        {!!list.data?.prompts.length && (
          <table className="table" aria-label="Prompts">
            <thead>
              <tr>
                <th>Name</th>
                <th>Key</th>
                <th>Latest version</th>
                <th>Labels</th>
                <th>Updated</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.data.prompts.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Link to={promptPath(spaceId, p.id)}>{p.prompt_basic.display_name}</Link>
                    {p.prompt_basic.description && (
                      <div className="muted" style={{ fontSize: 12 }}>
                        {p.prompt_basic.description}
                      </div>
                    )}
                  </td>
                  <td className="mono">{p.prompt_key}</td>
                  <td className="version-chip">
                    {p.prompt_basic.latest_version || <span className="muted">draft only</span>}
                  </td>
                  <td>
                    <PromptLabels spaceId={spaceId} prompt={p} />
                  </td>
                  <td>{formatTime(p.prompt_basic.updated_at ?? 0)}</td>
                  <td style={{ textAlign: "right" }}>
                    <span className="row" style={{ justifyContent: "end" }}>
                      <Button
                        size="sm"
                        disabled={!p.prompt_basic.latest_version}
                        title={p.prompt_basic.latest_version ? "" : "Commit a version first"}
                        onClick={() => setCloning(p)}
                      >
                        Clone
                      </Button>
                      <Button size="sm" variant="danger" onClick={() => setDeleting(p)}>
                        Delete
                      </Button>
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {pages > 1 && (
          <nav className="row" aria-label="Pages">
            <Button
              size="sm"
              disabled={url.page <= 1}
              onClick={() => setUrl({ page: url.page - 1 })}
            >
              Previous
            </Button>
            <span className="muted">Page {url.page} of {pages}</span>
            <Button
              size="sm"
              disabled={url.page >= pages}
              onClick={() => setUrl({ page: url.page + 1 })}
            >
              Next
            </Button>
          </nav>
        )}
      </div>
      <CreatePromptDialog
        open={url.new}
        spaceId={spaceId}
        onClose={() => setUrl({ new: false }, { replace: true })}
        onCreated={open}
      />
      <CloneDialog prompt={cloning} onClose={() => setCloning(undefined)} onCloned={open} />
      <DeletePromptDialog
        prompt={deleting}
        onClose={() => setDeleting(undefined)}
        onDeleted={() => {
          setDeleting(undefined);
          list.reload();
        }}
      />
    </Page>
  );
}

// The labels of one prompt (the list answers none): loaded per row, after the list.
function PromptLabels({ spaceId, prompt }: { spaceId: string; prompt: ListedPrompt }) {
  const committed = !!prompt.prompt_basic.latest_version;
  const labels = useAsync(
    (signal) => committed ? loadLabels(spaceId, prompt.id, signal) : Promise.resolve(undefined),
    [spaceId, prompt.id, committed],
  );
  const entries = Object.entries(labels.data?.mapping ?? {});
  if (!entries.length) return <span className="muted">—</span>;
  return (
    <span className="row">
      {entries.map(([label, version]) => (
        <span key={label} className="label-chip" title={`${label} → ${version}`}>
          {label} <span className="version-chip">{version}</span>
        </span>
      ))}
    </span>
  );
}
