/**
 * Drafts and commits: each user edits their own draft of a prompt; committing it creates an
 * immutable version (a semantic version above every earlier one) after the template has been
 * validated, optionally pointing labels at it; a draft can be reset from any version.
 */
import type { Database } from "../../infra/db/mod.ts";
import type { IdGenerator } from "../../infra/idgen/mod.ts";
import { AlreadyExistsError } from "../../infra/errors.ts";
import { AppError, Codes, invalidParam } from "../errors.ts";
import type { PromptCache } from "./cache.ts";
import { parseDetail, type PromptDetail } from "./detail.ts";
import type { LabelService } from "./labels.ts";
import type { PromptService } from "./prompts.ts";
import { createPromptRepo } from "./repo.ts";
import type { Commit, Draft } from "./types.ts";
import { versionOrder } from "./versions.ts";

/** A page of commits. */
export interface CommitPage {
  commits: Commit[];
  labels: Map<string, string[]>;
  hasMore: boolean;
  nextPageToken: string;
}

/** The versioning service. */
export interface VersioningService {
  saveDraft(
    userId: bigint,
    promptId: bigint,
    input: { detail: unknown; baseVersion?: string },
  ): Promise<Draft>;
  commit(userId: bigint, promptId: bigint, input: {
    version: string;
    description?: string;
    labelKeys?: string[];
  }): Promise<Commit>;
  revert(userId: bigint, promptId: bigint, version: string): Promise<Draft>;
  listCommits(
    userId: bigint,
    promptId: bigint,
    o: { pageSize?: number; pageToken?: string; asc?: boolean },
  ): Promise<CommitPage>;
}

/** Creates the service; `validate` checks a template at commit time (line and reason). */
export function createVersioningService(deps: {
  db: Database;
  ids: IdGenerator;
  prompts: PromptService;
  labels: LabelService;
  cache: PromptCache<unknown>;
  validate: (detail: PromptDetail) => void;
  now?: () => Date;
}): VersioningService {
  const repo = createPromptRepo(deps.db);
  const now = deps.now ?? (() => new Date());

  const writeDraft = async (
    userId: bigint,
    promptId: bigint,
    detail: PromptDetail,
    base: string,
    modified: boolean,
  ) => {
    const old = await repo.draft(promptId, userId);
    const at = now();
    const d: Draft = {
      promptId,
      userId,
      detail,
      baseVersion: base,
      isModified: modified,
      createdAt: old?.createdAt ?? at,
      updatedAt: at,
    };
    await repo.saveDraft(d);
    return d;
  };

  return {
    async saveDraft(userId, promptId, input) {
      const p = await deps.prompts.load(userId, promptId);
      const detail = parseDetail(input.detail, "prompt_draft.detail");
      const base = input.baseVersion ?? (await repo.draft(promptId, userId))?.baseVersion ??
        p.latestVersion ?? "";
      return await writeDraft(userId, promptId, detail, base, true);
    },
    async commit(userId, promptId, input) {
      const order = versionOrder(input.version);
      if ((input.description ?? "").length > 1024) {
        throw invalidParam("commit_description", "at most 1024 characters");
      }
      const commit = await deps.db.transaction(async () => {
        const p = await deps.prompts.load(userId, promptId, true); // serializes commits
        const draft = await repo.draft(promptId, userId);
        if (!draft) throw new AppError(Codes.bizInvalid, "nothing to commit: save a draft first");
        deps.validate(draft.detail);
        const latest = await repo.maxOrder(promptId);
        if (order <= latest) {
          throw new AppError(
            Codes.promptVersionExists,
            `version ${input.version} must be greater than the latest version ${p.latestVersion}`,
          );
        }
        const c: Commit = {
          promptId,
          version: input.version,
          baseVersion: draft.baseVersion,
          description: input.description ?? "",
          detail: draft.detail,
          committedBy: userId,
          committedAt: now(),
        };
        try {
          await repo.insertCommit({
            ...c,
            id: await deps.ids.genId(),
            workspaceId: p.workspaceId,
            order,
          });
        } catch (err) {
          if (err instanceof AlreadyExistsError) {
            throw new AppError(
              Codes.promptVersionExists,
              `version ${input.version} already exists`,
            );
          }
          throw err;
        }
        await repo.updatePrompt(promptId, {
          latest_version: input.version,
          latest_committed_at: c.committedAt,
          updated_by: userId.toString(),
          updated_at: c.committedAt,
        });
        await writeDraft(userId, promptId, draft.detail, input.version, false);
        if (input.labelKeys?.length) {
          await deps.labels.moveInTx(
            userId,
            promptId,
            input.version,
            input.labelKeys,
            p.workspaceId,
          );
        }
        return { c, space: p.workspaceId, key: p.promptKey };
      });
      await deps.cache.invalidate(commit.space, commit.key);
      return commit.c;
    },
    async revert(userId, promptId, version) {
      await deps.prompts.load(userId, promptId);
      const c = await repo.commit(promptId, version);
      if (!c) throw new AppError(Codes.promptVersionNotExist, `version ${version} does not exist`);
      return await writeDraft(userId, promptId, c.detail, version, false);
    },
    async listCommits(userId, promptId, o) {
      await deps.prompts.load(userId, promptId);
      const size = o.pageSize ?? 20;
      if (!Number.isInteger(size) || size < 1 || size > 100) {
        throw invalidParam("page_size", "1..100");
      }
      let after: number | undefined;
      if (o.pageToken) {
        if (!/^\d{1,16}$/.test(o.pageToken)) {
          throw invalidParam("page_token", "not a token this server issued");
        }
        after = Number(o.pageToken);
      }
      const rows = await repo.commits(promptId, {
        limit: size + 1,
        afterOrder: after,
        asc: o.asc ?? false,
      });
      const page = rows.slice(0, size);
      const mapping = await deps.labels.mapping(promptId);
      const labels = new Map<string, string[]>();
      for (const [label, version] of mapping) {
        labels.set(version, [...(labels.get(version) ?? []), label]);
      }
      return {
        commits: page,
        labels,
        hasMore: rows.length > size,
        nextPageToken: rows.length > size ? String(page.at(-1)!.order) : "",
      };
    },
  };
}
