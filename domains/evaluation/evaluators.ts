/**
 * Evaluator management: create (the evaluator, its first version and the draft), list, get,
 * batch get, check a name, update the name and description, delete (soft; the name becomes
 * free). Versions and drafts: evaluator_versions.ts. Every call checks that the caller is a
 * member of the workspace it names, and an evaluator of another workspace is "not found".
 */
import type { Database } from "../../infra/db/mod.ts";
import type { IdGenerator } from "../../infra/idgen/mod.ts";
import { AlreadyExistsError } from "../../infra/errors.ts";
import { AppError, Codes, invalidParam } from "../errors.ts";
import type { Authz } from "../foundation/authz.ts";
import type { CodeSandbox } from "./code_sandbox/mod.ts";
import { checkRunnable, parseContent } from "./content.ts";
import { createEvaluatorRepo, type EvaluatorRepo } from "./repo.ts";
import type { Evaluator, EvaluatorType, EvaluatorVersion } from "./types.ts";
import { versionOrder } from "./version_order.ts";

/** An evaluator with the version a call is about (the draft, or a submitted one). */
export interface EvaluatorView {
  evaluator: Evaluator;
  version?: EvaluatorVersion;
}

/** What the evaluator services share. */
export interface EvaluatorDeps {
  db: Database;
  ids: IdGenerator;
  authz: Authz;
  sandbox: CodeSandbox;
  now?: () => Date;
}

/** The evaluator service. */
export interface EvaluatorService {
  create(userId: bigint, input: {
    workspaceId: bigint;
    type: EvaluatorType;
    name: string;
    description?: string;
    content: unknown;
    version?: string;
    versionDescription?: string;
  }): Promise<Evaluator>;
  list(userId: bigint, q: {
    workspaceId: bigint;
    keyword?: string;
    types?: number[];
    creatorIds?: string[];
    builtin?: boolean;
    pageSize?: number;
    pageNumber?: number;
    orderBy?: { field?: string; asc?: boolean };
  }): Promise<{ evaluators: Evaluator[]; total: number }>;
  get(
    userId: bigint,
    workspaceId: bigint,
    id: bigint,
    includeDeleted?: boolean,
  ): Promise<EvaluatorView>;
  batchGet(
    userId: bigint,
    workspaceId: bigint,
    ids: bigint[],
    includeDeleted?: boolean,
  ): Promise<EvaluatorView[]>;
  checkName(
    userId: bigint,
    workspaceId: bigint,
    name: string,
    exceptId?: bigint,
  ): Promise<{ pass: boolean; message: string }>;
  updateMeta(
    userId: bigint,
    workspaceId: bigint,
    id: bigint,
    patch: { name?: string; description?: string },
  ): Promise<void>;
  remove(userId: bigint, workspaceId: bigint, id: bigint): Promise<void>;
  /** The evaluator, checking membership (for the other evaluator services). */
  load(
    userId: bigint,
    workspaceId: bigint,
    id: bigint,
    o?: { forUpdate?: boolean; deleted?: boolean },
  ): Promise<Evaluator>;
}

/** Checks a name (1..128 characters once trimmed). */
export function checkEvaluatorName(raw: string): string {
  const name = raw.trim();
  if (!name || name.length > 128) throw invalidParam("name", "1..128 characters");
  return name;
}

/** Creates the service. */
export function createEvaluatorService(deps: EvaluatorDeps): EvaluatorService {
  const repo: EvaluatorRepo = createEvaluatorRepo(deps.db);
  const now = deps.now ?? (() => new Date());
  const notFound = (id: bigint) =>
    new AppError(Codes.evaluatorNotFound, `evaluator ${id} not found`);
  const nameExists = (name: string) =>
    new AppError(
      Codes.evaluatorNameExists,
      `An evaluator named "${name}" already exists in this workspace`,
    );

  const load: EvaluatorService["load"] = async (userId, workspaceId, id, o = {}) => {
    await deps.authz.requireMember(userId, workspaceId);
    const [e] = await repo.byIds([id], o);
    if (!e || e.workspaceId !== workspaceId) throw notFound(id);
    return e;
  };
  const withDraft = async (e: Evaluator): Promise<EvaluatorView> => ({
    evaluator: e,
    version: await repo.version(e.id, ""),
  });

  return {
    load,
    async create(userId, input) {
      await deps.authz.requireMember(userId, input.workspaceId);
      const name = checkEvaluatorName(input.name);
      const content = parseContent(
        input.type,
        input.content,
        "evaluator.current_version.evaluator_content",
      );
      const version = input.version?.trim() || "0.0.1";
      const order = versionOrder(version);
      await checkRunnable(
        input.type,
        content,
        deps.sandbox,
        "evaluator.current_version.evaluator_content",
      );
      const at = now();
      const e: Evaluator = {
        id: await deps.ids.genId(),
        workspaceId: input.workspaceId,
        type: input.type,
        name,
        description: input.description ?? "",
        draftSubmitted: true,
        latestVersion: version,
        builtin: false,
        benchmark: "",
        vendor: "",
        createdBy: userId,
        updatedBy: userId,
        createdAt: at,
        updatedAt: at,
        deletedAt: 0,
      };
      const v = (id: bigint, ver: string, description: string): EvaluatorVersion => ({
        id,
        evaluatorId: e.id,
        workspaceId: e.workspaceId,
        type: e.type,
        version: ver,
        description,
        content,
        createdBy: userId,
        updatedBy: userId,
        createdAt: at,
        updatedAt: at,
      });
      try {
        await deps.db.transaction(async () => {
          if (await repo.nameTaken(e.workspaceId, name)) throw nameExists(name);
          await repo.insert(e);
          await repo.insertVersion(
            v(await deps.ids.genId(), version, input.versionDescription ?? ""),
            order,
          );
          await repo.insertVersion(v(await deps.ids.genId(), "", ""), 0);
        });
      } catch (err) {
        if (err instanceof AlreadyExistsError) throw nameExists(name);
        throw err;
      }
      return e;
    },
    async list(userId, q) {
      await deps.authz.requireMember(userId, q.workspaceId);
      // No builtin evaluators are stored per workspace: the builtin list is empty.
      if (q.builtin) return { evaluators: [], total: 0 };
      const size = q.pageSize ?? 20;
      const field = q.orderBy?.field;
      const orderBy = field === "name"
        ? "name"
        : field === "created_at"
        ? "created_at"
        : "updated_at";
      const r = await repo.list(q.workspaceId, {
        keyword: q.keyword?.trim().slice(0, 128),
        types: q.types,
        creatorIds: q.creatorIds,
        limit: size,
        offset: ((q.pageNumber ?? 1) - 1) * size,
        orderBy,
        asc: q.orderBy?.asc ?? false,
      });
      return { evaluators: r.rows, total: r.total };
    },
    async get(userId, workspaceId, id, includeDeleted) {
      return await withDraft(await load(userId, workspaceId, id, { deleted: includeDeleted }));
    },
    async batchGet(userId, workspaceId, ids, includeDeleted) {
      await deps.authz.requireMember(userId, workspaceId);
      const rows = await repo.byIds([...new Set(ids)], { deleted: includeDeleted });
      const mine = rows.filter((e) => e.workspaceId === workspaceId);
      return await Promise.all(mine.map(withDraft));
    },
    async checkName(userId, workspaceId, raw, exceptId) {
      await deps.authz.requireMember(userId, workspaceId);
      const name = checkEvaluatorName(raw);
      const taken = await repo.nameTaken(workspaceId, name, exceptId);
      return { pass: !taken, message: taken ? `the name "${name}" is already used` : "" };
    },
    async updateMeta(userId, workspaceId, id, patch) {
      await load(userId, workspaceId, id);
      const name = patch.name === undefined ? undefined : checkEvaluatorName(patch.name);
      if (patch.description !== undefined && patch.description.length > 1024) {
        throw invalidParam("description", "at most 1024 characters");
      }
      try {
        await deps.db.transaction(async () => {
          if (name !== undefined && await repo.nameTaken(workspaceId, name, id)) {
            throw nameExists(name);
          }
          await repo.update(id, {
            ...(name !== undefined ? { name } : {}),
            ...(patch.description !== undefined ? { description: patch.description } : {}),
            updated_by: userId.toString(),
            updated_at: now(),
          });
        });
      } catch (err) {
        if (err instanceof AlreadyExistsError) throw nameExists(name ?? "");
        throw err;
      }
    },
    async remove(userId, workspaceId, id) {
      await load(userId, workspaceId, id);
      await repo.softDelete(id, Date.now());
    },
  };
}
