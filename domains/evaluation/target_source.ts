/**
 * The source of prompt targets: a workspace's prompts and their committed versions, read
 * through the prompt domain's service (which checks membership). Errors name what is missing:
 * `prompt 123 not found in this workspace`, `version 1.0.0 of prompt "key" does not exist`.
 */
import { AppError, Codes, invalidParam } from "../errors.ts";
import type { PromptDetail } from "../prompt/detail.ts";
import type { PromptService } from "../prompt/prompts.ts";
import type { Prompt } from "../prompt/types.ts";
import { EvalTargetType } from "./target_types.ts";

/** A committed prompt version. */
export interface PromptSource {
  prompt: Prompt;
  version: string;
  detail: PromptDetail;
  description: string;
}

/** Throws `invalid param` unless `type` is a target type this server runs. */
export function checkTargetType(type: number | undefined, field: string): number {
  if (type === undefined) throw invalidParam(field, "required");
  if (type !== EvalTargetType.CozeLoopPrompt) {
    throw invalidParam(
      field,
      `target type ${type} is not supported: only ${EvalTargetType.CozeLoopPrompt} ` +
        "(CozeLoopPrompt, a committed prompt version) can be evaluated here",
    );
  }
  return type;
}

/** A prompt id from its wire form (the IDL's `source_target_id`, a string). */
export function promptIdOf(raw: string | undefined, field: string): bigint {
  const s = (raw ?? "").trim();
  if (!/^\d{1,19}$/.test(s) || BigInt(s) === 0n || BigInt(s) >= 2n ** 63n) {
    throw invalidParam(field, s === "" ? "required" : `"${s.slice(0, 40)}" is not a prompt id`);
  }
  return BigInt(s);
}

/** Reads prompts and commits for targets. */
export function createPromptSource(prompts: PromptService) {
  const notFound = (id: bigint) =>
    new AppError(Codes.promptNotFound, `prompt ${id} not found in this workspace`);
  const prompt = async (userId: bigint, workspaceId: bigint, id: bigint): Promise<Prompt> => {
    try {
      return (await prompts.get(userId, id, { workspaceId })).prompt;
    } catch (err) {
      if (err instanceof AppError && err.code === Codes.promptNotFound) throw notFound(id);
      throw err;
    }
  };
  return {
    prompt,
    /** The prompt or undefined (deleted, foreign, unknown). */
    async maybePrompt(userId: bigint, workspaceId: bigint, id: bigint) {
      try {
        return await prompt(userId, workspaceId, id);
      } catch (err) {
        if (err instanceof AppError && err.code === Codes.promptNotFound) return undefined;
        throw err;
      }
    },
    /** A committed version; "" means the latest one. */
    async commit(
      userId: bigint,
      workspaceId: bigint,
      id: bigint,
      version: string,
    ): Promise<PromptSource> {
      const p = await prompt(userId, workspaceId, id);
      const v = version.trim() || p.latestVersion;
      if (!v) {
        throw new AppError(
          Codes.promptUncommitted,
          `prompt "${p.promptKey}" has no committed version: commit one first`,
        );
      }
      try {
        const view = await prompts.get(userId, id, { workspaceId, commitVersion: v });
        return {
          prompt: view.prompt,
          version: v,
          detail: view.commit!.detail,
          description: view.commit!.description,
        };
      } catch (err) {
        if (err instanceof AppError && err.code === Codes.promptVersionNotExist) {
          throw new AppError(
            Codes.promptVersionNotExist,
            `version ${v.slice(0, 64)} of prompt "${p.promptKey}" does not exist`,
          );
        }
        if (err instanceof AppError && err.code === Codes.promptNotFound) throw notFound(id);
        throw err;
      }
    },
  };
}

/** The prompt source's type. */
export type PromptSourceReader = ReturnType<typeof createPromptSource>;
