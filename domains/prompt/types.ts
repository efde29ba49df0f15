/** Entities of the prompt domain. */
import type { PromptDetail } from "./detail.ts";

/** A prompt's metadata (PromptBasic). */
export interface Prompt {
  id: bigint;
  workspaceId: bigint;
  promptKey: string;
  displayName: string;
  description: string;
  promptType: string;
  securityLevel: string;
  latestVersion?: string;
  latestCommittedAt?: Date;
  createdBy: bigint;
  updatedBy: bigint;
  createdAt: Date;
  updatedAt: Date;
}

/** An immutable version. */
export interface Commit {
  promptId: bigint;
  version: string;
  baseVersion: string;
  description: string;
  detail: PromptDetail;
  committedBy: bigint;
  committedAt: Date;
}

/** A user's working copy. */
export interface Draft {
  promptId: bigint;
  userId: bigint;
  detail: PromptDetail;
  baseVersion: string;
  isModified: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** Labels every workspace has. */
export const PRESET_LABELS = ["production", "beta", "test"] as const;
