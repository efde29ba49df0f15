/**
 * The prompt list's dialogs: create a prompt (its key suggested from its name; it starts
 * with a draft to edit), clone a version into a new prompt, delete a prompt.
 */
import { type FormEvent, useState } from "react";
import { api } from "../api/client.ts";
import { Button } from "../components/button.tsx";
import { Dialog } from "../components/dialog.tsx";
import { TextField } from "../components/field.tsx";
import { ErrorNotice } from "../components/notice.tsx";
import { copyKey, isPromptKey, keyFromName } from "../lib/prompt_names.ts";
import { starterDetail } from "./prompt_data.ts";
import type { ListedPrompt } from "./prompts_page.tsx";

type Busy = { busy?: boolean; error?: unknown };

/** Creates a prompt; `onCreated` gets its id. */
export function CreatePromptDialog({ open, spaceId, onClose, onCreated }: {
  open: boolean;
  spaceId: string;
  onClose: () => void;
  onCreated: (id: string) => void;
}) {
  const [name, setName] = useState("");
  const [key, setKey] = useState<string>();
  const [description, setDescription] = useState("");
  const [state, setState] = useState<Busy>({});
  const shownKey = key ?? keyFromName(name);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setState({ busy: true });
    try {
      const r = await api.post("/api/prompt/v1/prompts", {
        body: {
          workspace_id: spaceId,
          prompt_name: name.trim(),
          prompt_key: shownKey,
          prompt_description: description || undefined,
          draft_detail: starterDetail(),
        },
      });
      setState({});
      setName("");
      setKey(undefined);
      setDescription("");
      onCreated(r.prompt_id);
    } catch (error) {
      setState({ error });
    }
  };
  return (
    <Dialog open={open} title="New prompt" onClose={onClose}>
      <form className="stack" onSubmit={submit} aria-label="New prompt">
        <TextField
          label="Name"
          name="name"
          required
          maxLength={128}
          autoFocus
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <TextField
          label="Key"
          name="key"
          required
          maxLength={128}
          hint="The SDKs fetch the prompt by its key: letters, digits, _ . -"
          value={shownKey}
          onChange={(e) => setKey(e.target.value)}
        />
        <TextField
          label="Description"
          name="description"
          maxLength={1024}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
        <ErrorNotice error={state.error} />
        <div className="row">
          <Button
            type="submit"
            variant="primary"
            busy={state.busy}
            disabled={!name.trim() || !isPromptKey(shownKey)}
          >
            Create prompt
          </Button>
          <Button onClick={onClose}>Cancel</Button>
        </div>
      </form>
    </Dialog>
  );
}

/** Clones a version of `prompt` into a new prompt; `onCloned` gets its id. */
export function CloneDialog({ prompt, onClose, onCloned }: {
  prompt: ListedPrompt | undefined;
  onClose: () => void;
  onCloned: (id: string) => void;
}) {
  return (
    <Dialog open={!!prompt} title="Clone a prompt" onClose={onClose}>
      {prompt && (
        <CloneForm
          key={prompt.id}
          prompt={prompt}
          onClose={onClose}
          onCloned={onCloned}
        />
      )}
    </Dialog>
  );
}

function CloneForm({ prompt, onClose, onCloned }: {
  prompt: ListedPrompt;
  onClose: () => void;
  onCloned: (id: string) => void;
}) {
  const [version, setVersion] = useState(prompt.prompt_basic.latest_version);
  const [name, setName] = useState(`${prompt.prompt_basic.display_name} (copy)`.slice(0, 128));
  const [key, setKey] = useState(copyKey(prompt.prompt_key));
  const [state, setState] = useState<Busy>({});
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setState({ busy: true });
    try {
      const r = await api.post("/api/prompt/v1/prompts/{prompt_id}/clone", {
        params: { prompt_id: prompt.id },
        body: { commit_version: version, cloned_prompt_name: name, cloned_prompt_key: key },
      });
      setState({});
      onCloned(r.cloned_prompt_id);
    } catch (error) {
      setState({ error });
    }
  };
  return (
    <form className="stack" onSubmit={submit} aria-label="Clone">
      <TextField
        label="Version to copy"
        name="version"
        required
        value={version}
        onChange={(e) => setVersion(e.target.value)}
      />
      <TextField
        label="New name"
        name="name"
        required
        maxLength={128}
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <TextField
        label="New key"
        name="key"
        required
        maxLength={128}
        value={key}
        onChange={(e) => setKey(e.target.value)}
      />
      <ErrorNotice error={state.error} />
      <div className="row">
        <Button type="submit" variant="primary" busy={state.busy} disabled={!isPromptKey(key)}>
          Clone
        </Button>
        <Button onClick={onClose}>Cancel</Button>
      </div>
    </form>
  );
}

/** Deletes `prompt` once confirmed. */
export function DeletePromptDialog({ prompt, onClose, onDeleted }: {
  prompt: ListedPrompt | undefined;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const [state, setState] = useState<Busy>({});
  const remove = async () => {
    if (!prompt) return;
    setState({ busy: true });
    try {
      await api.delete("/api/prompt/v1/prompts/{prompt_id}", { params: { prompt_id: prompt.id } });
      setState({});
      onDeleted();
    } catch (error) {
      setState({ error });
    }
  };
  return (
    <Dialog open={!!prompt} title="Delete prompt" onClose={onClose}>
      <div className="stack">
        <p style={{ margin: 0 }}>
          Delete <strong>{prompt?.prompt_basic.display_name}</strong> (<code>
            {prompt?.prompt_key}
          </code>)? SDKs fetching it by its key get an error from now on.
        </p>
        <ErrorNotice error={state.error} />
        <div className="row">
          <Button variant="danger" busy={state.busy} onClick={remove}>Delete</Button>
          <Button onClick={onClose}>Cancel</Button>
        </div>
      </div>
    </Dialog>
  );
}
