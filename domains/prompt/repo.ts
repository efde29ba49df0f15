/** Queries on prompts, commits and drafts (ambient session: joins the caller's transaction). */
import { type Kysely, sql } from "kysely";
import { type Database, onDuplicateKeyUpdate } from "../../infra/db/mod.ts";
import type { CommitRow, DraftRow, PromptRow, PromptTables } from "./_tables.ts";
import type { PromptDetail } from "./detail.ts";
import type { Commit, Draft, Prompt } from "./types.ts";

/** Data access for the prompt hub. */
export function createPromptRepo(db: Database) {
  const q = (): Kysely<PromptTables> => db.session<PromptTables>();
  const live = (id: bigint) =>
    q().selectFrom("prompts").selectAll().where("id", "=", id.toString()).where(
      "deleted_at",
      "=",
      0,
    );
  return {
    async insertPrompt(p: Prompt): Promise<void> {
      await q().insertInto("prompts").values({
        id: p.id.toString(),
        space_id: p.workspaceId.toString(),
        prompt_key: p.promptKey,
        display_name: p.displayName,
        description: p.description,
        prompt_type: p.promptType,
        security_level: p.securityLevel,
        latest_version: p.latestVersion ?? null,
        latest_committed_at: p.latestCommittedAt ?? null,
        created_by: p.createdBy.toString(),
        updated_by: p.updatedBy.toString(),
        created_at: p.createdAt,
        updated_at: p.updatedAt,
        deleted_at: 0,
      }).execute();
    },
    async byId(id: bigint, forUpdate = false): Promise<Prompt | undefined> {
      const r = await (forUpdate ? live(id).forUpdate() : live(id)).executeTakeFirst();
      return r && toPrompt(r);
    },
    async byKeys(space: bigint, keys: string[]): Promise<Prompt[]> {
      if (keys.length === 0) return [];
      const rows = await q().selectFrom("prompts").selectAll()
        .where("space_id", "=", space.toString()).where("prompt_key", "in", keys)
        .where("deleted_at", "=", 0).execute();
      return rows.map(toPrompt);
    },
    async list(space: bigint, o: {
      keyword?: string;
      createdBys?: string[];
      committedOnly?: boolean;
      limit: number;
      offset: number;
      orderBy: "created_at" | "committed_at";
      asc: boolean;
    }): Promise<{ prompts: Prompt[]; total: number }> {
      let base = q().selectFrom("prompts").where("space_id", "=", space.toString())
        .where("deleted_at", "=", 0);
      if (o.keyword) {
        // An explicit escape character: MySQL's default one (backslash) is none in SQLite.
        const like = `%${o.keyword.replace(/[!%_]/g, (c) => `!${c}`)}%`;
        base = base.where((eb) =>
          eb.or([
            sql<boolean>`${eb.ref("prompt_key")} like ${like} escape '!'`,
            sql<boolean>`${eb.ref("display_name")} like ${like} escape '!'`,
          ])
        );
      }
      if (o.createdBys?.length) base = base.where("created_by", "in", o.createdBys);
      if (o.committedOnly) base = base.where("latest_version", "is not", null);
      const col = o.orderBy === "committed_at" ? "latest_committed_at" : "created_at";
      const [rows, count] = await Promise.all([
        base.selectAll().orderBy(col, o.asc ? "asc" : "desc").orderBy("id", "desc")
          .limit(o.limit).offset(o.offset).execute(),
        base.select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow(),
      ]);
      return { prompts: rows.map(toPrompt), total: Number(count.n) };
    },
    async updatePrompt(id: bigint, patch: Partial<PromptRow>): Promise<void> {
      await q().updateTable("prompts").set(patch).where("id", "=", id.toString()).execute();
    },
    async softDelete(id: bigint, at: number): Promise<void> {
      await q().updateTable("prompts").set({ deleted_at: at }).where("id", "=", id.toString())
        .execute();
    },
    async insertCommit(
      c: Commit & { id: bigint; workspaceId: bigint; order: number },
    ): Promise<void> {
      await q().insertInto("prompt_commits").values({
        id: c.id.toString(),
        prompt_id: c.promptId.toString(),
        space_id: c.workspaceId.toString(),
        version: c.version,
        version_order: c.order,
        base_version: c.baseVersion,
        detail: JSON.stringify(c.detail),
        description: c.description,
        committed_by: c.committedBy.toString(),
        committed_at: c.committedAt,
      }).execute();
    },
    async commit(promptId: bigint, version: string): Promise<Commit | undefined> {
      const r = await q().selectFrom("prompt_commits").selectAll()
        .where("prompt_id", "=", promptId.toString()).where("version", "=", version)
        .executeTakeFirst();
      return r && toCommit(r);
    },
    async maxOrder(promptId: bigint): Promise<number> {
      const r = await q().selectFrom("prompt_commits")
        .select((eb) => eb.fn.max("version_order").as("m"))
        .where("prompt_id", "=", promptId.toString()).executeTakeFirst();
      return r?.m == null ? -1 : Number(r.m);
    },
    async commits(promptId: bigint, o: { limit: number; afterOrder?: number; asc: boolean }) {
      let sel = q().selectFrom("prompt_commits").selectAll()
        .where("prompt_id", "=", promptId.toString());
      if (o.afterOrder !== undefined) {
        sel = sel.where("version_order", o.asc ? ">" : "<", o.afterOrder);
      }
      const rows = await sel.orderBy("version_order", o.asc ? "asc" : "desc").limit(o.limit)
        .execute();
      return rows.map((r) => ({ ...toCommit(r), order: Number(r.version_order) }));
    },
    async draft(promptId: bigint, userId: bigint): Promise<Draft | undefined> {
      const r = await q().selectFrom("prompt_drafts").selectAll()
        .where("prompt_id", "=", promptId.toString()).where("user_id", "=", userId.toString())
        .executeTakeFirst();
      return r && toDraft(r);
    },
    async saveDraft(d: Draft): Promise<void> {
      await onDuplicateKeyUpdate(
        q().insertInto("prompt_drafts").values({
          prompt_id: d.promptId.toString(),
          user_id: d.userId.toString(),
          detail: JSON.stringify(d.detail),
          base_version: d.baseVersion,
          is_modified: d.isModified ? 1 : 0,
          created_at: d.createdAt,
          updated_at: d.updatedAt,
        }),
        {
          dialect: db.dialect,
          keys: ["prompt_id", "user_id"],
          update: ["detail", "base_version", "is_modified", "updated_at"],
        },
      ).execute();
    },
  };
}

/** The repository's type. */
export type PromptRepo = ReturnType<typeof createPromptRepo>;

function json(v: unknown): PromptDetail {
  return (typeof v === "string" ? JSON.parse(v) : v) as PromptDetail;
}

function toPrompt(r: PromptRow): Prompt {
  return {
    id: BigInt(r.id),
    workspaceId: BigInt(r.space_id),
    promptKey: r.prompt_key,
    displayName: r.display_name,
    description: r.description,
    promptType: r.prompt_type,
    securityLevel: r.security_level,
    latestVersion: r.latest_version ?? undefined,
    latestCommittedAt: r.latest_committed_at ?? undefined,
    createdBy: BigInt(r.created_by),
    updatedBy: BigInt(r.updated_by),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toCommit(r: CommitRow): Commit {
  return {
    promptId: BigInt(r.prompt_id),
    version: r.version,
    baseVersion: r.base_version,
    description: r.description,
    detail: json(r.detail),
    committedBy: BigInt(r.committed_by),
    committedAt: r.committed_at,
  };
}

function toDraft(r: DraftRow): Draft {
  return {
    promptId: BigInt(r.prompt_id),
    userId: BigInt(r.user_id),
    detail: json(r.detail),
    baseVersion: r.base_version,
    isModified: Number(r.is_modified) === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
