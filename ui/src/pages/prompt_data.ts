/**
 * The prompt pages' reads and writes over the API client: a prompt with the caller's draft,
 * its versions (with their details, for diffs), its labels and their history, the model
 * catalogue, and saving a draft. Types come from the generated API schema.
 */
import { api } from "../api/client.ts";
import type { Answer } from "../api/types.ts";
import type { components } from "../api/schema.gen.ts";

/** A prompt as the API answers it. */
export type Prompt = components["schemas"]["Prompt"];
/** A prompt's detail: template, tools, tool choice, model. */
export type PromptDetail = components["schemas"]["PromptDetail"];
/** A template message. */
export type PromptMessage = NonNullable<
  NonNullable<PromptDetail["prompt_template"]>["messages"]
>[number];
/** A version's commit information. */
export type CommitInfo = components["schemas"]["CommitInfo"];
/** A model of the catalogue. */
export type Model = components["schemas"]["Model"];
/** One move of a label. */
export type LabelChange = components["schemas"]["LabelChange"];
/** The prompt list's answer. */
export type PromptList = Answer<"post", "/api/prompt/v1/prompts/list">;

/** The labels every workspace has (the server's presets). */
export const PRESET_LABELS = ["production", "beta", "test"];

/** The detail a new prompt starts with. */
export function starterDetail(): PromptDetail {
  return {
    prompt_template: {
      template_type: "normal",
      messages: [
        { role: "system", content: "You are a helpful assistant." },
        { role: "user", content: "{{question}}" },
      ],
      variable_defs: [{ key: "question", type: "string" }],
    },
    tools: [],
    tool_call_config: { tool_choice: "auto" },
    model_config: {},
  };
}

/** A prompt with the caller's draft and, when asked, one version (default the latest). */
export async function loadPrompt(
  spaceId: string,
  promptId: string,
  signal?: AbortSignal,
  version?: string,
): Promise<Prompt> {
  const r = await api.get("/api/prompt/v1/prompts/{prompt_id}", {
    params: { prompt_id: promptId },
    query: {
      workspace_id: spaceId,
      with_draft: true,
      with_commit: true,
      ...(version ? { commit_version: version } : {}),
    },
    signal,
  });
  return r.prompt;
}

/** The detail the editor starts from: the draft, else the latest version, else a starter. */
export function editableDetail(p: Prompt): { detail: PromptDetail; base: string } {
  if (p.prompt_draft) {
    return { detail: p.prompt_draft.detail, base: p.prompt_draft.draft_info.base_version };
  }
  if (p.prompt_commit) {
    return { detail: p.prompt_commit.detail, base: p.prompt_commit.commit_info.version };
  }
  return { detail: starterDetail(), base: "" };
}

/** Every version of a prompt, newest first, with their labels and details. */
export async function loadVersions(promptId: string, signal?: AbortSignal): Promise<{
  commits: CommitInfo[];
  labels: Record<string, string[]>;
  details: Record<string, PromptDetail>;
}> {
  const commits: CommitInfo[] = [];
  const labels: Record<string, string[]> = {};
  const details: Record<string, PromptDetail> = {};
  let token: string | undefined;
  // Pages of 100; a prompt with more than 2,000 versions shows its newest 2,000.
  for (let i = 0; i < 20; i++) {
    const r = await api.post("/api/prompt/v1/prompts/{prompt_id}/commits/list", {
      params: { prompt_id: promptId },
      body: { with_commit_detail: true, page_size: 100, page_token: token },
      signal,
    });
    commits.push(...r.prompt_commit_infos);
    for (const [v, ls] of Object.entries(r.commit_version_label_mapping)) {
      labels[v] = ls.map((l) => l.key);
    }
    Object.assign(details, r.prompt_commit_detail_mapping ?? {});
    if (!r.has_more) break;
    token = r.next_page_token;
  }
  return { commits, labels, details };
}

/** The workspace's labels and, for a prompt, which version each points at. */
export async function loadLabels(
  spaceId: string,
  promptId: string | undefined,
  signal?: AbortSignal,
): Promise<{ labels: string[]; mapping: Record<string, string> }> {
  const r = await api.post("/api/prompt/v1/labels/list", {
    body: {
      workspace_id: spaceId,
      page_size: 200,
      ...(promptId ? { with_prompt_version_mapping: true, prompt_id: promptId } : {}),
    },
    signal,
  });
  return { labels: r.labels.map((l) => l.key), mapping: r.prompt_version_mapping ?? {} };
}

/** Every label move of a prompt, newest first. */
export async function loadLabelHistory(
  promptId: string,
  signal?: AbortSignal,
): Promise<LabelChange[]> {
  const r = await api.get("/api/prompt/v1/prompts/{prompt_id}/labels/history", {
    params: { prompt_id: promptId },
    signal,
  });
  return r.label_changes;
}

/** Points exactly `labels` at `version` (others leave it). */
export async function setVersionLabels(
  promptId: string,
  version: string,
  labels: string[],
): Promise<void> {
  await api.post("/api/prompt/v1/prompts/{prompt_id}/commits/{commit_version}/labels_update", {
    params: { prompt_id: promptId, commit_version: version },
    body: { label_keys: labels },
  });
}

/** The model catalogue of a workspace. */
export async function loadModels(spaceId: string, signal?: AbortSignal): Promise<Model[]> {
  const r = await api.post("/api/llm/v1/models/list", {
    body: { workspace_id: spaceId, scenario: "prompt_debug", page_size: 100 },
    signal,
  });
  return r.models;
}

/** Saves the caller's draft. */
export async function saveDraft(
  promptId: string,
  detail: PromptDetail,
  baseVersion: string,
): Promise<void> {
  await api.post("/api/prompt/v1/prompts/{prompt_id}/drafts/save", {
    params: { prompt_id: promptId },
    body: { prompt_draft: { detail, draft_info: { base_version: baseVersion } } },
  });
}
