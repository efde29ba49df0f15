/**
 * `…/space/:spaceId/pe/playground`: run a prompt's draft against a model of the catalogue.
 * `?prompt_id=` picks the prompt and `?model=` overrides its model, so a playground setup is
 * a link; the run itself (variables, mock tool replies, the chat) is page state.
 */
import { Link, useParams } from "react-router";
import { api } from "../api/client.ts";
import { ErrorNotice } from "../components/notice.tsx";
import { EmptyState, Loading, Page } from "../components/page.tsx";
import { useAsync } from "../hooks/use_async.ts";
import { useUrlState } from "../hooks/use_url_state.ts";
import { promptPath, promptsPath } from "../lib/paths.ts";
import { loadModels, loadPrompt } from "./prompt_data.ts";
import { PlaygroundSession } from "./playground_session.tsx";
import "../styles/prompts.css";

const URL_STATE = {
  prompt_id: { kind: "string" },
  model: { kind: "string" },
} as const;

/** The playground page. */
export default function PlaygroundPage() {
  const { spaceId = "" } = useParams();
  const [url, setUrl] = useUrlState(URL_STATE);
  const prompts = useAsync((signal) =>
    api.post("/api/prompt/v1/prompts/list", {
      body: { workspace_id: spaceId, page_size: 100 },
      signal,
    }), [spaceId]);
  const models = useAsync((signal) => loadModels(spaceId, signal), [spaceId]);
  const prompt = useAsync(
    (signal) =>
      url.prompt_id ? loadPrompt(spaceId, url.prompt_id, signal) : Promise.resolve(undefined),
    [spaceId, url.prompt_id],
  );
  const listed = prompts.data?.prompts ?? [];
  const current = prompt.data;

  return (
    <Page
      title="Playground"
      description={current
        ? (
          <>
            Runs your draft of{" "}
            <Link to={promptPath(spaceId, current.id)}>
              {current.prompt_basic.display_name}
            </Link>{" "}
            (edit it there).
          </>
        )
        : "Run a prompt's draft against a model, streamed."}
      actions={
        <select
          className="select"
          aria-label="Prompt"
          value={url.prompt_id ?? ""}
          onChange={(e) => setUrl({ prompt_id: e.target.value || undefined })}
        >
          <option value="">Choose a prompt…</option>
          {url.prompt_id && !listed.some((p) => p.id === url.prompt_id) && (
            <option value={url.prompt_id}>
              {current?.prompt_basic.display_name ?? url.prompt_id}
            </option>
          )}
          {listed.map((p) => (
            <option key={p.id} value={p.id}>
              {p.prompt_basic.display_name} ({p.prompt_key})
            </option>
          ))}
        </select>
      }
    >
      <ErrorNotice error={prompts.error ?? models.error ?? prompt.error} />
      {!url.prompt_id && (
        <EmptyState>
          {prompts.data && listed.length === 0
            ? (
              <>
                No prompt yet: <Link to={`${promptsPath(spaceId)}?new=1`}>create one</Link> first.
              </>
            )
            : "Choose a prompt to run its draft."}
        </EmptyState>
      )}
      {url.prompt_id && !current && !prompt.error && <Loading />}
      {current && current.id === url.prompt_id && (
        <PlaygroundSession
          key={current.id}
          spaceId={spaceId}
          prompt={current}
          models={models.data}
          model={url.model}
          onModel={(model) => setUrl({ model: model || undefined }, { replace: true })}
        />
      )}
    </Page>
  );
}
