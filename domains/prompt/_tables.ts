/** Row shapes of the prompt tables, for Kysely (bigint ids read as strings). */

/** `prompts`. */
export interface PromptRow {
  id: string;
  space_id: string;
  prompt_key: string;
  display_name: string;
  description: string;
  prompt_type: string;
  security_level: string;
  latest_version: string | null;
  latest_committed_at: Date | null;
  created_by: string;
  updated_by: string;
  created_at: Date;
  updated_at: Date;
  deleted_at: number;
}

/** `prompt_commits`. `detail` is JSON text written, parsed object read. */
export interface CommitRow {
  id: string;
  prompt_id: string;
  space_id: string;
  version: string;
  version_order: number;
  base_version: string;
  detail: unknown;
  description: string;
  committed_by: string;
  committed_at: Date;
}

/** `prompt_drafts`. */
export interface DraftRow {
  prompt_id: string;
  user_id: string;
  detail: unknown;
  base_version: string;
  is_modified: number;
  created_at: Date;
  updated_at: Date;
}

/** The prompt schema. */
export interface PromptTables {
  prompts: PromptRow;
  prompt_commits: CommitRow;
  prompt_drafts: DraftRow;
  prompt_labels: { space_id: string; label_key: string; created_by: string; created_at: Date };
  prompt_commit_labels: {
    prompt_id: string;
    label_key: string;
    version: string;
    updated_by: string;
    updated_at: Date;
  };
  prompt_label_history: {
    id: string;
    prompt_id: string;
    label_key: string;
    from_version: string | null;
    to_version: string | null;
    changed_by: string;
    changed_at: Date;
  };
  prompt_debug_contexts: { prompt_id: string; user_id: string; context: unknown; updated_at: Date };
  prompt_debug_logs: {
    id: string;
    prompt_id: string;
    space_id: string;
    user_id: string;
    debug_id: string;
    input_tokens: number;
    output_tokens: number;
    cost_ms: number;
    status_code: number;
    started_at: Date;
    ended_at: Date;
  };
}
