/**
 * Queries on tags: versions (`tag_keys`), their value trees (`tag_values`) and the names
 * managed tags hold (`tag_key_names`). Ambient session: joins the caller's transaction.
 */
import { type Kysely, type SelectQueryBuilder, sql } from "kysely";
import type { Database } from "../../infra/db/mod.ts";
import { AlreadyExistsError } from "../../infra/errors.ts";
import type { TagKeyRow, TagTables, TagValueRow } from "./_tag_tables.ts";
import type {
  Tag,
  TagContentType,
  TagDomainType,
  TagStatus,
  TagType,
  TagValue,
} from "./tags_types.ts";
import { flattenValues } from "./tags_rules.ts";

/** What a tag search filters on (managed tags' latest versions only). */
export interface TagFilter {
  name?: string;
  nameLike?: string;
  createdBys?: string[];
  domainTypes?: TagDomainType[];
  contentTypes?: TagContentType[];
}

/** One page of rows: its size, offset and order. */
export interface RowPage {
  limit: number;
  offset: number;
  orderBy: "updated_at" | "created_at" | "version_num";
  asc: boolean;
}

type KeysQuery = SelectQueryBuilder<TagTables, "tag_keys", object>;

/** Data access for tags. */
export function createTagRepo(db: Database) {
  const q = (): Kysely<TagTables> => db.session<TagTables>();
  const LIVE: TagStatus[] = ["active", "inactive"];

  const withValues = async (rows: TagKeyRow[]): Promise<Tag[]> => {
    if (rows.length === 0) return [];
    const values = await q().selectFrom("tag_values").selectAll()
      .where("space_id", "=", rows[0].space_id)
      .where((eb) =>
        eb.or(rows.map((r) =>
          eb.and([
            eb("tag_key_id", "=", r.tag_key_id),
            eb("version_num", "=", Number(r.version_num)),
          ])
        ))
      ).orderBy("position").execute();
    const byVersion = new Map<string, TagValueRow[]>();
    for (const v of values) {
      const k = `${v.tag_key_id}:${Number(v.version_num)}`;
      byVersion.set(k, [...(byVersion.get(k) ?? []), v]);
    }
    return rows.map((r) =>
      toTag(r, tree(byVersion.get(`${r.tag_key_id}:${Number(r.version_num)}`) ?? []))
    );
  };

  const page = async (base: KeysQuery, p: RowPage): Promise<{ tags: Tag[]; total: number }> => {
    const dir = p.asc ? "asc" : "desc";
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy(p.orderBy, dir).orderBy("id", dir).limit(p.limit)
        .offset(p.offset).execute(),
      base.select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow(),
    ]);
    return { tags: await withValues(rows), total: Number(count.n) };
  };

  return {
    /** Writes a new version with its values (ids already assigned). */
    async insertVersion(t: Tag): Promise<void> {
      await q().insertInto("tag_keys").values({
        id: t.id.toString(),
        space_id: t.workspaceId.toString(),
        tag_key_id: t.tagKeyId.toString(),
        version_num: t.versionNum,
        version: t.version,
        tag_key_name: t.name,
        description: t.description ?? null,
        status: t.status,
        tag_type: t.tagType,
        content_type: t.contentType,
        domain_types: t.domainTypes.length ? `,${t.domainTypes.join(",")},` : "",
        spec: t.contentSpec ? JSON.stringify(t.contentSpec) : null,
        change_log: JSON.stringify(t.changeLogs),
        parent_key_id: t.parentKeyId?.toString() ?? null,
        created_by: t.createdBy.toString(),
        updated_by: t.updatedBy.toString(),
        created_at: t.createdAt,
        updated_at: t.updatedAt,
      }).execute();
      const values = flattenValues(t.values);
      if (values.length === 0) return;
      await q().insertInto("tag_values").values(values.map((v, position) => ({
        id: v.id.toString(),
        space_id: t.workspaceId.toString(),
        tag_key_id: t.tagKeyId.toString(),
        tag_value_id: v.tagValueId.toString(),
        version_num: t.versionNum,
        tag_value_name: v.name,
        description: v.description ?? null,
        parent_value_id: v.parentValueId.toString(),
        position,
        status: v.status,
        created_by: v.createdBy.toString(),
        updated_by: v.updatedBy.toString(),
        created_at: v.createdAt,
        updated_at: v.updatedAt,
      }))).execute();
    },
    /**
     * Locks a tag against other changes until the transaction ends; false when it does not
     * exist. The lock is on version 0's row, found by its whole unique key: a record lock
     * only, so that two changes wait in line instead of deadlocking on the gap after the
     * latest version, where both insert.
     */
    async lock(space: bigint, tagKeyId: bigint): Promise<boolean> {
      const row = await q().selectFrom("tag_keys").select("id")
        .where("space_id", "=", space.toString()).where("tag_key_id", "=", tagKeyId.toString())
        .where("version_num", "=", 0).forUpdate().executeTakeFirst();
      return row !== undefined;
    },
    /** The latest version of a tag. */
    async latest(space: bigint, tagKeyId: bigint): Promise<Tag | undefined> {
      const row = await q().selectFrom("tag_keys").selectAll()
        .where("space_id", "=", space.toString()).where("tag_key_id", "=", tagKeyId.toString())
        .orderBy("version_num", "desc").limit(1).executeTakeFirst();
      return row ? (await withValues([row]))[0] : undefined;
    },
    /** The latest versions of these tags, in the order asked (unknown ids left out). */
    async latestMany(space: bigint, ids: bigint[]): Promise<Tag[]> {
      if (ids.length === 0) return [];
      const rows = await q().selectFrom("tag_keys").selectAll()
        .where("space_id", "=", space.toString())
        .where("tag_key_id", "in", ids.map(String)).where("status", "in", LIVE).execute();
      const tags = new Map((await withValues(rows)).map((t) => [t.tagKeyId, t]));
      return ids.flatMap((id) => tags.get(id) ?? []);
    },
    /** Marks a version and its values deprecated (a newer one replaces it). */
    async deprecate(space: bigint, tagKeyId: bigint, versionNum: number): Promise<void> {
      for (const table of ["tag_keys", "tag_values"] as const) {
        await q().updateTable(table).set({ status: "deprecated" })
          .where("space_id", "=", space.toString()).where("tag_key_id", "=", tagKeyId.toString())
          .where("version_num", "=", versionNum).execute();
      }
    },
    /** Managed tags' latest versions matching `f`. */
    search(space: bigint, f: TagFilter, p: RowPage): Promise<{ tags: Tag[]; total: number }> {
      let base = q().selectFrom("tag_keys").where("space_id", "=", space.toString())
        .where("tag_type", "=", "tag" satisfies TagType).where("status", "in", LIVE);
      if (f.name !== undefined) base = base.where("tag_key_name", "=", f.name);
      if (f.nameLike) {
        // An explicit escape character: MySQL's default one (backslash) is none in SQLite.
        const like = `%${f.nameLike.replace(/[!%_]/g, (c) => `!${c}`)}%`;
        base = base.where(sql<boolean>`tag_key_name like ${like} escape '!'`);
      }
      if (f.createdBys) base = base.where("created_by", "in", f.createdBys);
      if (f.contentTypes?.length) base = base.where("content_type", "in", f.contentTypes);
      const domains = f.domainTypes ?? [];
      if (domains.length) {
        base = base.where((eb) =>
          eb.or(domains.map((d) => eb("domain_types", "like", `%,${d},%`)))
        );
      }
      return page(base, p);
    },
    /** Every version of one tag. */
    versions(space: bigint, tagKeyId: bigint, p: RowPage): Promise<{ tags: Tag[]; total: number }> {
      const base = q().selectFrom("tag_keys").where("space_id", "=", space.toString())
        .where("tag_key_id", "=", tagKeyId.toString());
      return page(base, p);
    },
    /** Records the name a managed tag holds; false when another tag holds it. */
    async claimName(space: bigint, name: string, tagKeyId: bigint): Promise<boolean> {
      return await unique(() =>
        q().insertInto("tag_key_names").values({
          space_id: space.toString(),
          tag_key_name: name,
          tag_key_id: tagKeyId.toString(),
        }).execute()
      );
    },
    /** Moves a managed tag to a new name; false when another tag holds it. */
    async renameName(space: bigint, tagKeyId: bigint, name: string): Promise<boolean> {
      return await unique(() =>
        q().updateTable("tag_key_names").set({ tag_key_name: name })
          .where("space_id", "=", space.toString()).where("tag_key_id", "=", tagKeyId.toString())
          .execute()
      );
    },
  };
}

/** The repository's type. */
export type TagRepo = ReturnType<typeof createTagRepo>;

async function unique(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (err instanceof AlreadyExistsError) return false;
    throw err;
  }
}

function json<T>(v: unknown): T | undefined {
  if (v === null || v === undefined) return undefined;
  return (typeof v === "string" ? JSON.parse(v) : v) as T;
}

function tree(rows: TagValueRow[]): TagValue[] {
  const all = rows.map((r): TagValue => ({
    id: BigInt(r.id),
    tagValueId: BigInt(r.tag_value_id),
    name: r.tag_value_name,
    description: r.description ?? undefined,
    status: r.status as TagStatus,
    parentValueId: BigInt(r.parent_value_id),
    children: [],
    createdBy: BigInt(r.created_by),
    updatedBy: BigInt(r.updated_by),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
  const byId = new Map(all.map((v) => [v.tagValueId, v]));
  const roots: TagValue[] = [];
  for (const v of all) {
    const parent = v.parentValueId === 0n ? undefined : byId.get(v.parentValueId);
    if (parent) parent.children.push(v);
    else roots.push(v);
  }
  return roots;
}

function toTag(r: TagKeyRow, values: TagValue[]): Tag {
  return {
    id: BigInt(r.id),
    workspaceId: BigInt(r.space_id),
    tagKeyId: BigInt(r.tag_key_id),
    versionNum: Number(r.version_num),
    version: r.version,
    name: r.tag_key_name,
    description: r.description ?? undefined,
    status: r.status as TagStatus,
    tagType: r.tag_type as TagType,
    contentType: r.content_type as TagContentType,
    domainTypes: r.domain_types.split(",").filter(Boolean) as TagDomainType[],
    contentSpec: json(r.spec),
    parentKeyId: r.parent_key_id === null ? undefined : BigInt(r.parent_key_id),
    values,
    changeLogs: json(r.change_log) ?? [],
    createdBy: BigInt(r.created_by),
    updatedBy: BigInt(r.updated_by),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
