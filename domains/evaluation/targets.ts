/**
 * Evaluation targets for the web API: create (find or create the target and version of a
 * committed prompt version), read targets by source and versions by id, list the sources a
 * target can be made of (the workspace's prompts and their commits), and run a version on
 * sample input. Only EvalTargetType 2 (CozeLoopPrompt) is served; every call checks that the
 * caller is a member of the workspace it names, and what belongs to another workspace is
 * "not found" or absent from lists.
 */
import { AppError, Codes, invalidParam } from "../errors.ts";
import type { Authz } from "../foundation/authz.ts";
import type { PromptService } from "../prompt/prompts.ts";
import type { VersioningService } from "../prompt/versioning.ts";
import {
  type EvalPrompt,
  type EvalTargetContent,
  inputSchemasOf,
  promptContent,
  RUNTIME_PARAM_DEMO,
  SubmitStatus,
} from "./target_content.ts";
import type { EvalMessage } from "./target_input.ts";
import { createTargetRepo, type StoredTarget, type StoredTargetVersion } from "./target_repo.ts";
import type { PromptTargetRunner } from "./target_run.ts";
import { checkTargetType, createPromptSource, promptIdOf } from "./target_source.ts";
import type { EvalTargetVersion, TargetRunOutput } from "./target_types.ts";
import type { Content } from "./types.ts";
import type { Database } from "../../infra/db/mod.ts";

/** Who made a stored object, and when. */
export interface Stamp {
  createdBy: bigint;
  updatedBy: bigint;
  createdAt: Date;
  updatedAt: Date;
}

/** A target version as answered (a source version has no id). */
export interface TargetVersionView {
  id?: bigint;
  targetId?: bigint;
  workspaceId: bigint;
  sourceTargetVersion?: string;
  content: EvalTargetContent;
  stamp?: Stamp;
}

/** A target as answered (a source has no id). */
export interface TargetView {
  id?: bigint;
  workspaceId: bigint;
  sourceTargetId: string;
  targetType: number;
  version?: TargetVersionView;
  stamp?: Stamp;
  /** The prompt or its version is gone (answered as `base_info.deleted_at`). */
  sourceDeleted?: boolean;
}

/** A page of a list. */
export interface Page<T> {
  items: T[];
  nextPageToken: string;
  hasMore: boolean;
}

/** The target service. */
export interface TargetService {
  create(userId: bigint, workspaceId: bigint, param: {
    targetType?: number;
    sourceTargetId?: string;
    sourceTargetVersion?: string;
  }): Promise<{ id: bigint; versionId: bigint }>;
  batchGetBySource(userId: bigint, workspaceId: bigint, q: {
    sourceTargetIds: string[];
    targetType?: number;
    needSourceInfo?: boolean;
  }): Promise<TargetView[]>;
  getVersion(userId: bigint, workspaceId: bigint, versionId: bigint): Promise<TargetView>;
  batchGetVersions(
    userId: bigint,
    workspaceId: bigint,
    ids: bigint[],
    needSourceInfo?: boolean,
  ): Promise<TargetView[]>;
  listSource(userId: bigint, workspaceId: bigint, q: {
    targetType?: number;
    name?: string;
    pageSize?: number;
    pageToken?: string;
  }): Promise<Page<TargetView>>;
  listSourceVersions(userId: bigint, workspaceId: bigint, q: {
    sourceTargetId: string;
    targetType?: number;
    pageSize?: number;
    pageToken?: string;
  }): Promise<Page<TargetVersionView>>;
  batchGetSource(userId: bigint, workspaceId: bigint, q: {
    sourceTargetIds: string[];
    targetType?: number;
  }): Promise<TargetView[]>;
  getSourceVersion(userId: bigint, workspaceId: bigint, q: {
    sourceTargetId?: string;
    sourceTargetVersion?: string;
    targetType?: number;
  }): Promise<TargetVersionView>;
  execute(userId: bigint, workspaceId: bigint, q: {
    targetId: bigint;
    versionId: bigint;
    inputFields: Record<string, Content>;
    historyMessages?: EvalMessage[];
    runtimeParam?: string;
    signal?: AbortSignal;
  }): Promise<{ version: EvalTargetVersion; output: TargetRunOutput }>;
}

/** Creates the service over the runner (which creates targets and runs them). */
export function createTargetService(deps: {
  db: Database;
  authz: Authz;
  prompts: PromptService;
  versioning: VersioningService;
  runner: PromptTargetRunner;
}): TargetService {
  const repo = createTargetRepo(deps.db);
  const source = createPromptSource(deps.prompts);
  const member = (userId: bigint, ws: bigint) => deps.authz.requireMember(userId, ws);
  const versionNotFound = (id: bigint) =>
    new AppError(Codes.resourceNotFound, `evaluation target version ${id} not found`);

  const stampOf = (o: StoredTarget | StoredTargetVersion): Stamp => ({
    createdBy: o.createdBy,
    updatedBy: o.updatedBy,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  });
  const storedView = (t: StoredTarget, v?: StoredTargetVersion): TargetView => ({
    id: t.id,
    workspaceId: t.workspaceId,
    sourceTargetId: t.sourceTargetId,
    targetType: t.targetType,
    stamp: stampOf(t),
    ...(v
      ? {
        version: {
          id: v.id,
          targetId: v.targetId,
          workspaceId: v.workspaceId,
          sourceTargetVersion: v.sourceTargetVersion,
          content: structuredClone(v.content),
          stamp: stampOf(v),
        },
      }
      : {}),
  });
  // The prompt's name and the commit's description, read live; a gone source is marked.
  const withSource = async (userId: bigint, views: TargetView[]) => {
    await Promise.all(views.map(async (view) => {
      const id = BigInt(view.sourceTargetId);
      const c = view.version?.sourceTargetVersion;
      if (c) {
        try {
          const s = await source.commit(userId, view.workspaceId, id, c);
          const p = view.version!.content.prompt ??= { prompt_id: view.sourceTargetId };
          Object.assign(p, promptInfo(s.prompt), { description: s.description });
        } catch (err) {
          if (!isGone(err)) throw err;
          view.sourceDeleted = true;
        }
        return;
      }
      const p = await source.maybePrompt(userId, view.workspaceId, id);
      if (!p) view.sourceDeleted = true;
      else view.version = { workspaceId: view.workspaceId, content: { prompt: promptInfo(p) } };
    }));
    return views;
  };
  const versionsOf = async (userId: bigint, ws: bigint, ids: bigint[], info: boolean) => {
    const versions = await repo.versionsByIds(ws, [...new Set(ids)]);
    const targets = new Map(
      (await repo.targetsByIds([...new Set(versions.map((v) => v.targetId))]))
        .map((t) => [t.id, t]),
    );
    const views = versions.filter((v) => targets.has(v.targetId))
      .map((v) => storedView(targets.get(v.targetId)!, v));
    return info ? await withSource(userId, views) : views;
  };

  return {
    async create(userId, workspaceId, param) {
      await member(userId, workspaceId);
      const r = await deps.runner.ensure(userId, workspaceId, {
        targetType: checkTargetType(param.targetType, "param.eval_target_type"),
        sourceTargetId: param.sourceTargetId ?? "",
        sourceTargetVersion: param.sourceTargetVersion ?? "",
      });
      return { id: r.target.id, versionId: r.version.id };
    },
    async batchGetBySource(userId, workspaceId, q) {
      await member(userId, workspaceId);
      const type = checkTargetType(q.targetType, "eval_target_type");
      if (q.sourceTargetIds.length === 0) throw invalidParam("source_target_ids", "required");
      const ids = q.sourceTargetIds.map((s) => promptIdOf(s, "source_target_ids").toString());
      const views = (await repo.bySource(workspaceId, type, [...new Set(ids)]))
        .map((t) => storedView(t));
      return q.needSourceInfo ? await withSource(userId, views) : views;
    },
    async getVersion(userId, workspaceId, versionId) {
      await member(userId, workspaceId);
      const [view] = await versionsOf(userId, workspaceId, [versionId], true);
      if (!view) throw versionNotFound(versionId);
      return view;
    },
    async batchGetVersions(userId, workspaceId, ids, needSourceInfo) {
      await member(userId, workspaceId);
      if (ids.length === 0) throw invalidParam("eval_target_version_ids", "required");
      return await versionsOf(userId, workspaceId, ids, needSourceInfo ?? false);
    },
    async listSource(userId, workspaceId, q) {
      await member(userId, workspaceId);
      checkTargetType(q.targetType, "target_type");
      const size = q.pageSize ?? 20;
      const page = pageNumberOf(q.pageToken);
      const r = await deps.prompts.list(userId, {
        workspaceId,
        keyword: q.name?.trim() || undefined,
        pageNum: page,
        pageSize: size,
      });
      const hasMore = page * size < r.total;
      return {
        items: r.prompts.map((p) => ({
          workspaceId,
          sourceTargetId: p.id.toString(),
          targetType: q.targetType!,
          version: {
            workspaceId,
            content: { prompt: promptInfo(p), runtime_param_json_demo: RUNTIME_PARAM_DEMO },
          },
        })),
        nextPageToken: hasMore ? String(page + 1) : "",
        hasMore,
      };
    },
    async listSourceVersions(userId, workspaceId, q) {
      await member(userId, workspaceId);
      checkTargetType(q.targetType, "target_type");
      const p = await source.prompt(
        userId,
        workspaceId,
        promptIdOf(q.sourceTargetId, "source_target_id"),
      );
      const r = await deps.versioning.listCommits(userId, p.id, {
        pageSize: q.pageSize,
        pageToken: q.pageToken,
      });
      return {
        items: r.commits.map((c) => ({
          workspaceId,
          sourceTargetVersion: c.version,
          content: {
            input_schemas: inputSchemasOf(c.detail),
            runtime_param_json_demo: RUNTIME_PARAM_DEMO,
            prompt: { ...promptInfo(p), version: c.version, description: c.description },
          },
        })),
        nextPageToken: r.nextPageToken,
        hasMore: r.hasMore,
      };
    },
    async batchGetSource(userId, workspaceId, q) {
      await member(userId, workspaceId);
      const type = checkTargetType(q.targetType, "target_type");
      const ids = [...new Set(q.sourceTargetIds.map((s) => promptIdOf(s, "source_target_ids")))];
      const found = await Promise.all(ids.map((id) => source.maybePrompt(userId, workspaceId, id)));
      return found.filter((p) => p !== undefined).map((p) => ({
        workspaceId,
        sourceTargetId: p.id.toString(),
        targetType: type,
        version: { workspaceId, content: { prompt: promptInfo(p) } },
      }));
    },
    async getSourceVersion(userId, workspaceId, q) {
      await member(userId, workspaceId);
      checkTargetType(q.targetType, "target_type");
      const id = promptIdOf(q.sourceTargetId, "source_target_id");
      const s = await source.commit(userId, workspaceId, id, q.sourceTargetVersion ?? "");
      const content = promptContent(s.prompt, s.version, s.detail);
      Object.assign(content.prompt!, promptInfo(s.prompt), { description: s.description });
      return { workspaceId, sourceTargetVersion: s.version, content };
    },
    async execute(userId, workspaceId, q) {
      await member(userId, workspaceId);
      const version = await deps.runner.getVersion(workspaceId, q.versionId);
      if (!version || version.targetId !== q.targetId) throw versionNotFound(q.versionId);
      const output = await deps.runner.runTarget(version, q.inputFields, {
        userId,
        signal: q.signal,
        historyMessages: q.historyMessages,
        runtimeParam: q.runtimeParam,
      });
      return { version, output };
    },
  };
}

function promptInfo(
  p: {
    id: bigint;
    promptKey: string;
    displayName: string;
    description: string;
    latestVersion?: string;
  },
): EvalPrompt {
  return {
    prompt_id: p.id.toString(),
    prompt_key: p.promptKey,
    name: p.displayName,
    description: p.description,
    submit_status: p.latestVersion ? SubmitStatus.Submitted : SubmitStatus.UnSubmit,
  };
}

function isGone(err: unknown): boolean {
  return err instanceof AppError &&
    (err.code === Codes.promptNotFound || err.code === Codes.promptVersionNotExist ||
      err.code === Codes.promptUncommitted);
}

// list_source pages by number; its token is the next page's number.
function pageNumberOf(token: string | undefined): number {
  if (token === undefined || token === "") return 1;
  if (!/^\d{1,6}$/.test(token) || Number(token) < 1) {
    throw invalidParam("page_token", "not a token this server issued");
  }
  return Number(token);
}
