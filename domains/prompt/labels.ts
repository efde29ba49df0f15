/**
 * Labels: named pointers (production, beta, test, and a workspace's own) from a prompt to one
 * of its versions. Moving a label changes what `mget` by label answers, so it invalidates the
 * prompt's cache; every change is recorded in the label history.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../infra/db/mod.ts";
import type { IdGenerator } from "../../infra/idgen/mod.ts";
import { AlreadyExistsError } from "../../infra/errors.ts";
import { AppError, Codes, invalidParam } from "../errors.ts";
import type { Authz } from "../foundation/authz.ts";
import type { PromptTables } from "./_tables.ts";
import type { PromptCache } from "./cache.ts";
import type { PromptService } from "./prompts.ts";
import { PRESET_LABELS } from "./types.ts";

const LABEL = /^[a-z][a-z0-9_]{0,63}$/;

/** A recorded label move. */
export interface LabelChange {
  labelKey: string;
  fromVersion?: string;
  toVersion?: string;
  changedBy: bigint;
  changedAt: Date;
}

/** The label service. */
export interface LabelService {
  create(userId: bigint, workspaceId: bigint, key: string): Promise<void>;
  list(userId: bigint, workspaceId: bigint, o?: { keyLike?: string }): Promise<string[]>;
  /** label -> version of one prompt (internal: no membership check). */
  mapping(promptId: bigint): Promise<Map<string, string>>;
  /** label -> version of one prompt the caller can see. */
  mappingFor(userId: bigint, promptId: bigint): Promise<Map<string, string>>;
  /** Makes exactly `labelKeys` point at `version` (moving them from other versions). */
  setForVersion(
    userId: bigint,
    promptId: bigint,
    version: string,
    labelKeys: string[],
  ): Promise<void>;
  /** Points labels at a version inside the caller's transaction (commit with labels). */
  moveInTx(
    userId: bigint,
    promptId: bigint,
    version: string,
    labelKeys: string[],
    space: bigint,
  ): Promise<void>;
  history(userId: bigint, promptId: bigint): Promise<LabelChange[]>;
}

/** Creates the label service. */
export function createLabelService(deps: {
  db: Database;
  ids: IdGenerator;
  authz: Authz;
  prompts: PromptService;
  cache: PromptCache<unknown>;
  now?: () => Date;
}): LabelService {
  const q = (): Kysely<PromptTables> => deps.db.session<PromptTables>();
  const now = deps.now ?? (() => new Date());

  const known = async (space: bigint, keys: string[]) => {
    for (const k of keys) {
      if (!LABEL.test(k)) throw invalidParam("label_keys", `invalid label "${k}"`);
    }
    const custom = keys.filter((k) => !(PRESET_LABELS as readonly string[]).includes(k));
    if (custom.length === 0) return;
    const rows = await q().selectFrom("prompt_labels").select("label_key")
      .where("space_id", "=", space.toString()).where("label_key", "in", custom).execute();
    const have = new Set(rows.map((r) => r.label_key));
    const missing = custom.filter((k) => !have.has(k));
    if (missing.length) throw invalidParam("label_keys", `unknown label(s) ${missing.join(", ")}`);
  };

  const moveInTx = async (
    userId: bigint,
    promptId: bigint,
    version: string,
    keys: string[],
    space: bigint,
  ) => {
    await known(space, keys);
    const at = now();
    for (const key of new Set(keys)) {
      const cur = await q().selectFrom("prompt_commit_labels").select("version")
        .where("prompt_id", "=", promptId.toString()).where("label_key", "=", key).forUpdate()
        .executeTakeFirst();
      if (cur?.version === version) continue;
      if (cur) {
        await q().updateTable("prompt_commit_labels")
          .set({ version, updated_by: userId.toString(), updated_at: at })
          .where("prompt_id", "=", promptId.toString()).where("label_key", "=", key).execute();
      } else {
        await q().insertInto("prompt_commit_labels").values({
          prompt_id: promptId.toString(),
          label_key: key,
          version,
          updated_by: userId.toString(),
          updated_at: at,
        }).execute();
      }
      await record(promptId, key, cur?.version ?? null, version, userId, at);
    }
  };

  const record = async (
    promptId: bigint,
    key: string,
    from: string | null,
    to: string | null,
    userId: bigint,
    at: Date,
  ) => {
    await q().insertInto("prompt_label_history").values({
      id: (await deps.ids.genId()).toString(),
      prompt_id: promptId.toString(),
      label_key: key,
      from_version: from,
      to_version: to,
      changed_by: userId.toString(),
      changed_at: at,
    }).execute();
  };

  return {
    moveInTx,
    async create(userId, workspaceId, key) {
      await deps.authz.requireMember(userId, workspaceId);
      if (!LABEL.test(key)) {
        throw invalidParam("label.key", "lowercase letters, digits and '_', 1..64");
      }
      if ((PRESET_LABELS as readonly string[]).includes(key)) {
        throw new AppError(Codes.promptLabelExists, `label "${key}" already exists`);
      }
      try {
        await q().insertInto("prompt_labels").values({
          space_id: workspaceId.toString(),
          label_key: key,
          created_by: userId.toString(),
          created_at: now(),
        }).execute();
      } catch (err) {
        if (err instanceof AlreadyExistsError) {
          throw new AppError(Codes.promptLabelExists, `label "${key}" already exists`);
        }
        throw err;
      }
    },
    async list(userId, workspaceId, o = {}) {
      await deps.authz.requireMember(userId, workspaceId);
      const rows = await q().selectFrom("prompt_labels").select("label_key")
        .where("space_id", "=", workspaceId.toString()).orderBy("label_key").execute();
      const all = [...PRESET_LABELS, ...rows.map((r) => r.label_key)];
      return o.keyLike ? all.filter((k) => k.includes(o.keyLike!)) : all;
    },
    async mapping(promptId) {
      const rows = await q().selectFrom("prompt_commit_labels").select(["label_key", "version"])
        .where("prompt_id", "=", promptId.toString()).execute();
      return new Map(rows.map((r) => [r.label_key, r.version]));
    },
    async mappingFor(userId, promptId) {
      await deps.prompts.load(userId, promptId);
      return await this.mapping(promptId);
    },
    async setForVersion(userId, promptId, version, labelKeys) {
      const p = await deps.prompts.load(userId, promptId);
      await deps.db.transaction(async () => {
        const commit = await q().selectFrom("prompt_commits").select("version")
          .where("prompt_id", "=", promptId.toString()).where("version", "=", version)
          .executeTakeFirst();
        if (!commit) {
          throw new AppError(Codes.promptVersionNotExist, `version ${version} does not exist`);
        }
        await moveInTx(userId, promptId, version, labelKeys, p.workspaceId);
        const stale = await q().selectFrom("prompt_commit_labels").select("label_key")
          .where("prompt_id", "=", promptId.toString()).where("version", "=", version).execute();
        for (const { label_key } of stale) {
          if (labelKeys.includes(label_key)) continue;
          await q().deleteFrom("prompt_commit_labels")
            .where("prompt_id", "=", promptId.toString()).where("label_key", "=", label_key)
            .execute();
          await record(promptId, label_key, version, null, userId, now());
        }
      });
      await deps.cache.invalidate(p.workspaceId, p.promptKey);
    },
    async history(userId, promptId) {
      await deps.prompts.load(userId, promptId);
      const rows = await q().selectFrom("prompt_label_history").selectAll()
        .where("prompt_id", "=", promptId.toString()).orderBy("changed_at", "desc")
        .orderBy("id", "desc").limit(500).execute();
      return rows.map((r) => ({
        labelKey: r.label_key,
        fromVersion: r.from_version ?? undefined,
        toVersion: r.to_version ?? undefined,
        changedBy: BigInt(r.changed_by),
        changedAt: r.changed_at,
      }));
    },
  };
}
