/** Prompt entities to the IDL's prompt.Prompt / PromptBasic / PromptDraft / PromptCommit. */
import type { Commit, Draft, Prompt } from "../../domains/prompt/types.ts";

const ms = (d: Date | undefined) => (d ? BigInt(d.getTime()) : undefined);

/** `prompt.PromptBasic`. */
export function promptBasic(p: Prompt) {
  return {
    display_name: p.displayName,
    description: p.description,
    latest_version: p.latestVersion ?? "",
    created_by: p.createdBy.toString(),
    updated_by: p.updatedBy.toString(),
    created_at: ms(p.createdAt),
    updated_at: ms(p.updatedAt),
    latest_committed_at: ms(p.latestCommittedAt),
    prompt_type: p.promptType,
    security_level: p.securityLevel,
  };
}

/** `prompt.CommitInfo`. */
export function commitInfo(c: Commit) {
  return {
    version: c.version,
    base_version: c.baseVersion,
    description: c.description,
    committed_by: c.committedBy.toString(),
    committed_at: ms(c.committedAt),
  };
}

/** `prompt.DraftInfo`. */
export function draftInfo(d: Draft) {
  return {
    user_id: d.userId.toString(),
    base_version: d.baseVersion,
    is_modified: d.isModified,
    created_at: ms(d.createdAt),
    updated_at: ms(d.updatedAt),
  };
}

/** `prompt.Prompt`, with the draft and/or commit when given. */
export function promptView(p: Prompt, draft?: Draft, commit?: Commit) {
  return {
    id: p.id,
    workspace_id: p.workspaceId,
    prompt_key: p.promptKey,
    prompt_basic: promptBasic(p),
    ...(draft ? { prompt_draft: { detail: draft.detail, draft_info: draftInfo(draft) } } : {}),
    ...(commit
      ? { prompt_commit: { detail: commit.detail, commit_info: commitInfo(commit) } }
      : {}),
  };
}
