/**
 * Drafts and versions of evaluators: each evaluator has one draft (version ""), which submit
 * copies into an immutable version above every earlier one, once it is runnable (a judge with
 * messages and a model; code that parses and defines exec_evaluation). Debug runs content that
 * is not saved on sample inputs; validate checks content (and runs it when given an input).
 */
import { AlreadyExistsError } from "../../infra/errors.ts";
import { AppError, Codes, invalidParam } from "../errors.ts";
import { checkRunnable, parseContent } from "./content.ts";
import type { EvaluatorDeps, EvaluatorService, EvaluatorView } from "./evaluators.ts";
import { createEvaluatorRepo } from "./repo.ts";
import type { EvaluatorRunner } from "./run.ts";
import type { EvaluatorInput, EvaluatorRecord, EvaluatorType, EvaluatorVersion } from "./types.ts";
import { versionOrder } from "./version_order.ts";

const MAX_DEBUG_INPUTS = 20;

/** The version service. */
export interface EvaluatorVersionService {
  updateDraft(
    userId: bigint,
    workspaceId: bigint,
    id: bigint,
    input: { type: EvaluatorType; content: unknown },
  ): Promise<EvaluatorView>;
  submit(
    userId: bigint,
    workspaceId: bigint,
    id: bigint,
    input: { version: string; description?: string },
  ): Promise<EvaluatorView>;
  list(userId: bigint, workspaceId: bigint, id: bigint, q: {
    versions?: string[];
    pageSize?: number;
    pageNumber?: number;
    asc?: boolean;
  }): Promise<{ versions: EvaluatorVersion[]; total: number }>;
  get(
    userId: bigint,
    workspaceId: bigint,
    versionId: bigint,
    includeDeleted?: boolean,
  ): Promise<EvaluatorView>;
  batchGet(
    userId: bigint,
    workspaceId: bigint,
    versionIds: bigint[],
    includeDeleted?: boolean,
  ): Promise<EvaluatorView[]>;
  /** Runs content that is not saved on each input (at most 20). */
  debug(
    userId: bigint,
    workspaceId: bigint,
    input: { type: EvaluatorType; content: unknown; inputs: EvaluatorInput[] },
  ): Promise<EvaluatorRecord[]>;
  /** Checks content; with an input, also runs it. */
  validate(
    userId: bigint,
    workspaceId: bigint,
    input: { type: EvaluatorType; content: unknown; input?: EvaluatorInput },
  ): Promise<{ valid: boolean; message: string; record?: EvaluatorRecord }>;
  /** Runs a submitted version (the run route). */
  run(
    userId: bigint,
    workspaceId: bigint,
    versionId: bigint,
    input: EvaluatorInput,
  ): Promise<{ view: EvaluatorView; record: EvaluatorRecord }>;
}

/** Creates the service. */
export function createEvaluatorVersionService(
  deps: EvaluatorDeps & { evaluators: EvaluatorService; runner: EvaluatorRunner },
): EvaluatorVersionService {
  const repo = createEvaluatorRepo(deps.db);
  const now = deps.now ?? (() => new Date());
  const versionNotFound = (id: bigint) =>
    new AppError(Codes.evaluatorVersionNotFound, `evaluator version ${id} not found`);

  const views = async (userId: bigint, workspaceId: bigint, ids: bigint[], deleted?: boolean) => {
    await deps.authz.requireMember(userId, workspaceId);
    const versions = (await repo.versionsByIds([...new Set(ids)], deleted))
      .filter((v) => v.workspaceId === workspaceId && v.version !== "");
    const owners = new Map(
      (await repo.byIds([...new Set(versions.map((v) => v.evaluatorId))], { deleted: true }))
        .map((e) => [e.id, e]),
    );
    return versions.filter((v) => owners.has(v.evaluatorId))
      .map((v) => ({ evaluator: owners.get(v.evaluatorId)!, version: v }));
  };

  return {
    async updateDraft(userId, workspaceId, id, input) {
      const e = await deps.evaluators.load(userId, workspaceId, id);
      if (input.type !== e.type) {
        throw invalidParam("evaluator_type", `the evaluator's type is ${e.type}`);
      }
      const content = parseContent(e.type, input.content, "evaluator_content");
      const at = now();
      await deps.db.transaction(async () => {
        await repo.updateDraft(id, content, userId, at);
        await repo.update(id, {
          draft_submitted: 0,
          updated_by: userId.toString(),
          updated_at: at,
        });
      });
      return await deps.evaluators.get(userId, workspaceId, id);
    },
    async submit(userId, workspaceId, id, input) {
      const order = versionOrder(input.version);
      if ((input.description ?? "").length > 1024) {
        throw invalidParam("description", "at most 1024 characters");
      }
      const first = await deps.evaluators.load(userId, workspaceId, id);
      const draft = await repo.version(id, "");
      if (!draft) throw new AppError(Codes.bizInvalid, "the evaluator has no draft");
      await checkRunnable(first.type, draft.content, deps.sandbox, "evaluator_content");
      try {
        return await deps.db.transaction(async () => {
          const e = await deps.evaluators.load(userId, workspaceId, id, { forUpdate: true });
          if (order <= await repo.maxOrder(id)) {
            throw new AppError(
              Codes.evaluatorVersionExists,
              `version ${input.version} must be greater than the latest version ${e.latestVersion}`,
            );
          }
          const at = now();
          const v: EvaluatorVersion = {
            ...draft,
            id: await deps.ids.genId(),
            version: input.version,
            description: input.description ?? "",
            createdBy: userId,
            updatedBy: userId,
            createdAt: at,
            updatedAt: at,
          };
          await repo.insertVersion(v, order);
          await repo.update(id, {
            latest_version: input.version,
            draft_submitted: 1,
            updated_by: userId.toString(),
            updated_at: at,
          });
          return {
            evaluator: { ...e, latestVersion: input.version, draftSubmitted: true, updatedAt: at },
            version: v,
          };
        });
      } catch (err) {
        if (err instanceof AlreadyExistsError) {
          throw new AppError(
            Codes.evaluatorVersionExists,
            `version ${input.version} already exists`,
          );
        }
        throw err;
      }
    },
    async list(userId, workspaceId, id, q) {
      await deps.evaluators.load(userId, workspaceId, id);
      const size = q.pageSize ?? 20;
      const r = await repo.versions(id, {
        versions: q.versions,
        limit: size,
        offset: ((q.pageNumber ?? 1) - 1) * size,
        asc: q.asc ?? false,
      });
      return { versions: r.rows, total: r.total };
    },
    async get(userId, workspaceId, versionId, includeDeleted) {
      const [view] = await views(userId, workspaceId, [versionId], includeDeleted);
      if (!view || (!includeDeleted && view.evaluator.deletedAt)) throw versionNotFound(versionId);
      return view;
    },
    async batchGet(userId, workspaceId, versionIds, includeDeleted) {
      return (await views(userId, workspaceId, versionIds, includeDeleted))
        .filter((v) => includeDeleted || !v.evaluator.deletedAt);
    },
    async debug(userId, workspaceId, input) {
      await deps.authz.requireMember(userId, workspaceId);
      if (input.inputs.length > MAX_DEBUG_INPUTS) {
        throw invalidParam("input_data", `at most ${MAX_DEBUG_INPUTS} inputs`);
      }
      const content = parseContent(input.type, input.content, "evaluator_content");
      await checkRunnable(input.type, content, deps.sandbox, "evaluator_content");
      const records: EvaluatorRecord[] = [];
      // One at a time: a batch must not take every sandbox runner or judge call at once.
      for (const data of input.inputs) {
        records.push(
          await deps.runner.runEvaluator(
            { workspaceId, type: input.type, content, name: "debug" },
            data,
            { userId },
          ),
        );
      }
      return records;
    },
    async validate(userId, workspaceId, input) {
      await deps.authz.requireMember(userId, workspaceId);
      try {
        const content = parseContent(input.type, input.content, "evaluator_content");
        await checkRunnable(input.type, content, deps.sandbox, "evaluator_content");
        if (!input.input) return { valid: true, message: "" };
        const record = await deps.runner.runEvaluator(
          { workspaceId, type: input.type, content, name: "validate" },
          input.input,
          { userId },
        );
        return { valid: record.status === "success", message: record.error?.message ?? "", record };
      } catch (err) {
        if (err instanceof AppError && err.code !== Codes.noPermission) {
          return { valid: false, message: err.message };
        }
        throw err;
      }
    },
    async run(userId, workspaceId, versionId, input) {
      const [view] = await views(userId, workspaceId, [versionId]);
      if (!view || view.evaluator.deletedAt) throw versionNotFound(versionId);
      const v = view.version!;
      const record = await deps.runner.runEvaluator({ ...v, name: view.evaluator.name }, input, {
        userId,
      });
      return { view, record };
    },
  };
}
