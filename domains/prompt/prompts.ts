/**
 * Prompt management: create (unique key per workspace), list, get (with the caller's draft
 * and/or a commit), update metadata, soft delete and clone. Every call checks membership.
 */
import type { Database } from "../../infra/db/mod.ts";
import type { IdGenerator } from "../../infra/idgen/mod.ts";
import { AlreadyExistsError } from "../../infra/errors.ts";
import { AppError, Codes, invalidParam } from "../errors.ts";
import type { Authz } from "../foundation/authz.ts";
import type { PromptCache } from "./cache.ts";
import { parseDetail, type PromptDetail } from "./detail.ts";
import { createPromptRepo, type PromptRepo } from "./repo.ts";
import type { Commit, Draft, Prompt } from "./types.ts";

const KEY = /^[A-Za-z0-9_.\-]{1,128}$/;

/** What `get` can include. */
export interface PromptView {
  prompt: Prompt;
  draft?: Draft;
  commit?: Commit;
}

/** The prompt management service. */
export interface PromptService {
  create(userId: bigint, input: {
    workspaceId: bigint;
    promptKey: string;
    name: string;
    description?: string;
    promptType?: string;
    securityLevel?: string;
    draftDetail?: unknown;
  }): Promise<Prompt>;
  list(userId: bigint, q: {
    workspaceId: bigint;
    keyword?: string;
    createdBys?: string[];
    committedOnly?: boolean;
    pageNum?: number;
    pageSize?: number;
    orderBy?: "created_at" | "committed_at";
    asc?: boolean;
  }): Promise<{ prompts: Prompt[]; total: number }>;
  get(userId: bigint, promptId: bigint, o?: {
    workspaceId?: bigint;
    withDraft?: boolean;
    withCommit?: boolean;
    commitVersion?: string;
  }): Promise<PromptView>;
  update(userId: bigint, promptId: bigint, patch: {
    name?: string;
    description?: string;
    securityLevel?: string;
  }): Promise<Prompt>;
  remove(userId: bigint, promptId: bigint): Promise<void>;
  clone(userId: bigint, promptId: bigint, input: {
    commitVersion: string;
    promptKey: string;
    name: string;
    description?: string;
  }): Promise<Prompt>;
  /** The prompt, checking the caller's membership (for the other prompt services). */
  load(userId: bigint, promptId: bigint, forUpdate?: boolean): Promise<Prompt>;
}

/** Creates the service. */
export function createPromptService(deps: {
  db: Database;
  ids: IdGenerator;
  authz: Authz;
  cache: PromptCache<unknown>;
  now?: () => Date;
}): PromptService {
  const repo: PromptRepo = createPromptRepo(deps.db);
  const now = deps.now ?? (() => new Date());

  const load = async (userId: bigint, promptId: bigint, forUpdate = false) => {
    const p = await repo.byId(promptId, forUpdate);
    // A prompt in a foreign workspace is "not found": ids cannot be probed.
    if (!p || !(await deps.authz.roleOf(userId, p.workspaceId))) {
      throw new AppError(Codes.promptNotFound, `prompt ${promptId} not found`);
    }
    return p;
  };

  const insert = async (
    userId: bigint,
    input: {
      workspaceId: bigint;
      promptKey: string;
      name: string;
      description?: string;
      promptType?: string;
      securityLevel?: string;
    },
    draft?: PromptDetail,
    baseVersion = "",
  ) => {
    if (!KEY.test(input.promptKey)) {
      throw invalidParam("prompt_key", "1-128 letters, digits, '_', '.' or '-'");
    }
    const name = input.name.trim();
    if (!name || name.length > 128) throw invalidParam("prompt_name", "1..128 characters");
    const at = now();
    const p: Prompt = {
      id: await deps.ids.genId(),
      workspaceId: input.workspaceId,
      promptKey: input.promptKey,
      displayName: name,
      description: input.description ?? "",
      promptType: input.promptType ?? "normal",
      securityLevel: input.securityLevel ?? "L3",
      createdBy: userId,
      updatedBy: userId,
      createdAt: at,
      updatedAt: at,
    };
    try {
      await deps.db.transaction(async () => {
        await repo.insertPrompt(p);
        if (draft) {
          await repo.saveDraft({
            promptId: p.id,
            userId,
            detail: draft,
            baseVersion,
            isModified: false,
            createdAt: at,
            updatedAt: at,
          });
        }
      });
    } catch (err) {
      if (err instanceof AlreadyExistsError) {
        throw new AppError(
          Codes.promptKeyExists,
          `Cannot create prompt "${input.promptKey}": key already exists in this workspace`,
        );
      }
      throw err;
    }
    // A key served as "missing" before must be found now.
    await deps.cache.invalidate(p.workspaceId, p.promptKey);
    return p;
  };

  return {
    load,
    async create(userId, input) {
      await deps.authz.requireMember(userId, input.workspaceId);
      const draft = input.draftDetail === undefined
        ? undefined
        : parseDetail(input.draftDetail, "draft_detail");
      return await insert(userId, input, draft);
    },
    async list(userId, q) {
      await deps.authz.requireMember(userId, q.workspaceId);
      const size = q.pageSize ?? 20;
      return await repo.list(q.workspaceId, {
        keyword: q.keyword?.slice(0, 128),
        createdBys: q.createdBys,
        committedOnly: q.committedOnly,
        limit: size,
        offset: ((q.pageNum ?? 1) - 1) * size,
        orderBy: q.orderBy ?? "created_at",
        asc: q.asc ?? false,
      });
    },
    async get(userId, promptId, o = {}) {
      const prompt = await load(userId, promptId);
      if (o.workspaceId !== undefined && o.workspaceId !== prompt.workspaceId) {
        throw new AppError(Codes.promptNotFound, `prompt ${promptId} not found`);
      }
      const view: PromptView = { prompt };
      if (o.withDraft) view.draft = await repo.draft(promptId, userId);
      const version = o.commitVersion || (o.withCommit ? prompt.latestVersion : undefined);
      if (version) {
        view.commit = await repo.commit(promptId, version);
        if (!view.commit) {
          throw new AppError(Codes.promptVersionNotExist, `version ${version} does not exist`);
        }
      }
      return view;
    },
    async update(userId, promptId, patch) {
      const p = await load(userId, promptId);
      const name = patch.name?.trim();
      if (name !== undefined && (!name || name.length > 128)) {
        throw invalidParam("prompt_name", "1..128 characters");
      }
      await repo.updatePrompt(promptId, {
        ...(name !== undefined ? { display_name: name } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.securityLevel !== undefined ? { security_level: patch.securityLevel } : {}),
        updated_by: userId.toString(),
        updated_at: now(),
      });
      await deps.cache.invalidate(p.workspaceId, p.promptKey);
      return await load(userId, promptId);
    },
    async remove(userId, promptId) {
      const p = await load(userId, promptId);
      await repo.softDelete(promptId, Date.now());
      await deps.cache.invalidate(p.workspaceId, p.promptKey);
    },
    async clone(userId, promptId, input) {
      const source = await load(userId, promptId);
      const commit = await repo.commit(promptId, input.commitVersion);
      if (!commit) {
        throw new AppError(
          Codes.promptVersionNotExist,
          `version ${input.commitVersion} does not exist`,
        );
      }
      return await insert(userId, {
        workspaceId: source.workspaceId,
        promptKey: input.promptKey,
        name: input.name,
        description: input.description,
        promptType: source.promptType,
        securityLevel: source.securityLevel,
      }, commit.detail);
    },
  };
}
