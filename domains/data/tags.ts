/**
 * The tag service: annotation label definitions of a workspace. Every change (an update, a
 * status change, archiving an option list) writes a new immutable version with the change log
 * from the one before and deprecates that one, in one transaction that holds the tag's latest
 * row; a managed tag's name is unique in its workspace (case-insensitively), held in
 * `tag_key_names` so that two concurrent requests cannot both take it.
 */
import type { Database } from "../../infra/db/mod.ts";
import type { IdGenerator } from "../../infra/idgen/mod.ts";
import { AlreadyExistsError } from "../../infra/errors.ts";
import { AppError, invalidParam } from "../errors.ts";
import type { Authz } from "../foundation/authz.ts";
import { createTagRepo, type TagFilter } from "./tags_repo.ts";
import { nextToken, rowPage } from "./tags_paging.ts";
import {
  changeLogs,
  checkContentSpec,
  checkDescription,
  checkName,
  checkValues,
  flattenValues,
  nextVersion,
} from "./tags_rules.ts";
import {
  DEFAULT_TAG_SPEC,
  type Tag,
  TagCodes,
  type TagInput,
  type TagList,
  type TagPage,
  type TagSpec,
  type TagStatus,
  type TagUpdate,
  type TagValue,
  type TagValueInput,
} from "./tags_types.ts";

/** Versions answered by a detail call that asks for no page. */
const ALL_VERSIONS_LIMIT = 1000;
/** Attempts of a change that raced another change of the same tag. */
const ATTEMPTS = 3;

/** The tag service. */
export interface TagService {
  /** Creates a tag (version 0); returns its tag_key_id. */
  create(userId: bigint, workspaceId: bigint, input: TagInput): Promise<bigint>;
  /** Writes a new version: absent fields keep their values. */
  update(userId: bigint, workspaceId: bigint, tagKeyId: bigint, input: TagUpdate): Promise<void>;
  /** Enables or disables tags, a new version each; failures by tag_key_id. */
  batchUpdateStatus(
    userId: bigint,
    workspaceId: bigint,
    tagKeyIds: bigint[],
    status: "active" | "inactive",
  ): Promise<Map<bigint, string>>;
  /** Managed tags' latest versions. */
  search(userId: bigint, workspaceId: bigint, f: TagFilter, page: TagPage): Promise<TagList>;
  /** Versions of a tag (all, newest first, unless a page is asked for). */
  detail(userId: bigint, workspaceId: bigint, tagKeyId: bigint, page: TagPage): Promise<TagList>;
  /** Latest versions of these tags, in the order asked; unknown ids are left out. */
  batchGet(userId: bigint, workspaceId: bigint, tagKeyIds: bigint[]): Promise<Tag[]>;
  /** The limits of value trees in the workspace. */
  spec(
    userId: bigint,
    workspaceId: bigint,
  ): Promise<{ maxHeight: number; maxWidth: number; maxTotal: number }>;
  /** Turns an option list into a managed tag named `name`. */
  archiveOption(
    userId: bigint,
    workspaceId: bigint,
    tagKeyId: bigint,
    o: { name: string; description?: string },
  ): Promise<void>;
  /** Latest versions without a membership check: for other domains (annotations...). */
  latest(workspaceId: bigint, tagKeyIds: bigint[]): Promise<Tag[]>;
}

// A change that lost a race with another change of the same tag: tried again.
class Raced extends Error {}

/** Creates the tag service. */
export function createTagService(deps: {
  db: Database;
  ids: IdGenerator;
  authz: Authz;
  /** The value tree limits (DEFAULT_TAG_SPEC when not given). */
  spec?: TagSpec;
  now?: () => Date;
}): TagService {
  const repo = createTagRepo(deps.db);
  const spec = deps.spec ?? DEFAULT_TAG_SPEC;
  const now = deps.now ?? (() => new Date());
  const notFound = (id: bigint) => new AppError(TagCodes.notFound, `tag ${id} not found`);
  const nameTaken = (name: string) =>
    new AppError(TagCodes.nameExists, `tag name "${name}" already exists in this workspace`);

  /** A version's value tree from a request's, with ids and authorship. */
  const buildValues = async (
    inputs: TagValueInput[],
    prev: Tag | undefined,
    userId: bigint,
    at: Date,
  ): Promise<TagValue[]> => {
    const before = new Map(flattenValues(prev?.values ?? []).map((v) => [v.tagValueId, v]));
    const all = flattenValues(inputs);
    const fresh = all.filter((v) => v.tagValueId === undefined).length;
    const ids = await deps.ids.genIds(all.length + fresh);
    let next = 0;
    const build = (level: TagValueInput[], parent: bigint): TagValue[] =>
      level.map((v) => {
        const old = v.tagValueId === undefined ? undefined : before.get(v.tagValueId);
        const id = ids[next++];
        const tagValueId = old?.tagValueId ?? ids[next++];
        return {
          id,
          tagValueId,
          name: v.name,
          description: v.description ?? old?.description,
          status: v.status ?? (old?.status === "inactive" ? "inactive" : "active"),
          parentValueId: parent,
          children: build(v.children ?? [], tagValueId),
          createdBy: old?.createdBy ?? userId,
          updatedBy: userId,
          createdAt: old?.createdAt ?? at,
          updatedAt: at,
        };
      });
    return build(inputs, 0n);
  };

  /** A value tree as a request would give it (what an update without values keeps). */
  const asInputs = (values: TagValue[]): TagValueInput[] =>
    values.map((v) => ({
      tagValueId: v.tagValueId,
      name: v.name,
      description: v.description,
      status: v.status === "inactive" ? "inactive" : "active",
      children: asInputs(v.children),
    }));

  /**
   * Writes the version `change` makes of the tag's latest one, deprecating that one, in one
   * transaction; tried again when another change of the tag got there first.
   */
  const newVersion = async (
    space: bigint,
    tagKeyId: bigint,
    change: (prev: Tag, at: Date) => Promise<Tag>,
  ): Promise<void> => {
    for (let attempt = 1;; attempt++) {
      try {
        return await deps.db.transaction(async () => {
          // Locked first: the transaction's snapshot starts after the change before it ended.
          if (!await repo.lock(space, tagKeyId)) throw notFound(tagKeyId);
          const prev = await repo.latest(space, tagKeyId);
          if (!prev) throw notFound(tagKeyId);
          if (prev.status === "deprecated") throw new Raced();
          const next = await change(prev, now());
          next.changeLogs = changeLogs(prev, next);
          await repo.deprecate(space, tagKeyId, prev.versionNum);
          await repo.insertVersion(next).catch((err) => {
            throw err instanceof AlreadyExistsError ? new Raced() : err;
          });
          if (next.tagType === "tag" && (prev.tagType !== "tag" || prev.name !== next.name)) {
            const held = prev.tagType === "tag"
              ? await repo.renameName(space, tagKeyId, next.name)
              : await repo.claimName(space, next.name, tagKeyId);
            if (!held) throw nameTaken(next.name);
          }
        });
      } catch (err) {
        if (!(err instanceof Raced) && !isDeadlock(err)) throw err;
        if (attempt >= ATTEMPTS) {
          throw new AppError(
            TagCodes.conflict,
            `tag ${tagKeyId} was changed by another request at the same time; try again`,
          );
        }
      }
    }
  };

  /** The version after `prev`, by `userId` at `at`, with what `patch` changes. */
  const successor = async (prev: Tag, userId: bigint, at: Date, patch: {
    input?: TagUpdate;
    status?: TagStatus;
    tagType?: Tag["tagType"];
    name?: string;
    description?: string;
  }): Promise<Tag> => {
    const input: Partial<TagUpdate> = patch.input ?? {};
    const tagType = patch.tagType ?? prev.tagType;
    const contentType = input.contentType ?? prev.contentType;
    const values = checkValues(input.values ?? asInputs(prev.values), {
      contentType,
      spec,
      known: new Set(flattenValues(prev.values).map((v) => v.tagValueId)),
    });
    const name = patch.name ?? input.name ?? prev.name;
    const description = patch.description ?? input.description ?? prev.description;
    return {
      ...prev,
      id: await deps.ids.genId(),
      versionNum: prev.versionNum + 1,
      version: nextVersion(prev.version, input.version),
      name: tagType === "tag" ? checkName(name, "tag_key_name") : name.trim(),
      description: checkDescription(description, "description"),
      status: patch.status ?? prev.status,
      tagType,
      contentType,
      contentSpec: input.contentSpec !== undefined || input.contentType !== undefined
        ? checkContentSpec(contentType, input.contentSpec ?? prev.contentSpec)
        : prev.contentSpec,
      domainTypes: input.domainTypes ? [...new Set(input.domainTypes)] : prev.domainTypes,
      values: await buildValues(values, prev, userId, at),
      changeLogs: [],
      updatedBy: userId,
      updatedAt: at,
    };
  };

  const member = (userId: bigint, space: bigint) => deps.authz.requireMember(userId, space);

  return {
    async create(userId, workspaceId, input) {
      await member(userId, workspaceId);
      const tagType = input.tagType ?? "tag";
      const name = tagType === "tag"
        ? checkName(input.name, "tag_key_name")
        : input.name.trim() && checkName(input.name, "tag_key_name");
      const description = checkDescription(input.description, "description");
      const contentType = input.contentType ?? "categorical";
      const values = checkValues(input.values ?? [], { contentType, spec });
      const contentSpec = checkContentSpec(contentType, input.contentSpec);
      const version = nextVersion(undefined, input.version);
      const at = now();
      const [id, tagKeyId] = await deps.ids.genIds(2);
      const tag: Tag = {
        id,
        workspaceId,
        tagKeyId,
        versionNum: 0,
        version,
        name,
        description,
        status: "active",
        tagType,
        contentType,
        domainTypes: [...new Set(input.domainTypes ?? [])],
        contentSpec,
        values: await buildValues(values, undefined, userId, at),
        changeLogs: [],
        createdBy: userId,
        updatedBy: userId,
        createdAt: at,
        updatedAt: at,
      };
      tag.changeLogs = changeLogs(undefined, tag);
      await deps.db.transaction(async () => {
        if (tagType === "tag" && !await repo.claimName(workspaceId, name, tagKeyId)) {
          throw nameTaken(name);
        }
        await repo.insertVersion(tag);
      });
      return tagKeyId;
    },
    async update(userId, workspaceId, tagKeyId, input) {
      await member(userId, workspaceId);
      // Checked before any read, so that a bad request is refused whatever the tag (an
      // option list has no name to check: it keeps the one it has).
      if (input.name.trim()) checkName(input.name, "tag_key_name");
      checkDescription(input.description, "description");
      await newVersion(workspaceId, tagKeyId, (prev, at) =>
        successor(prev, userId, at, {
          input,
          name: prev.tagType === "option" ? prev.name : undefined,
        }));
    },
    async batchUpdateStatus(userId, workspaceId, tagKeyIds, status) {
      await member(userId, workspaceId);
      const failed = new Map<bigint, string>();
      for (const id of new Set(tagKeyIds)) {
        try {
          await newVersion(workspaceId, id, (prev, at) => {
            if (prev.status === status) {
              throw new AppError(TagCodes.unchanged, `tag ${id} is already ${status}`);
            }
            return successor(prev, userId, at, { status });
          });
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          failed.set(id, err.message);
        }
      }
      return failed;
    },
    async search(userId, workspaceId, f, page) {
      await member(userId, workspaceId);
      // An empty string is no filter (SDKs send "" for unset strings).
      const name = f.name?.trim() || undefined;
      const nameLike = f.nameLike || undefined;
      if (name !== undefined && nameLike !== undefined) {
        throw invalidParam("tag_key_name", "give tag_key_name or tag_key_name_like, not both");
      }
      const p = rowPage(page);
      // User ids are decimal: another string can match no tag.
      const createdBys = f.createdBys?.length
        ? f.createdBys.filter((u) => /^\d{1,20}$/.test(u))
        : undefined;
      if (createdBys?.length === 0) return { tags: [], total: 0, nextPageToken: "" };
      const { tags, total } = await repo.search(
        workspaceId,
        { ...f, name, nameLike, createdBys },
        p,
      );
      return { tags, total, nextPageToken: nextToken(p, total) };
    },
    async detail(userId, workspaceId, tagKeyId, page) {
      await member(userId, workspaceId);
      const all = page.pageSize === undefined && page.pageNumber === undefined &&
        !page.pageToken && page.orderBy === undefined;
      const p = all
        ? { limit: ALL_VERSIONS_LIMIT, offset: 0, orderBy: "version_num" as const, asc: false }
        : rowPage(page);
      const { tags, total } = await repo.versions(workspaceId, tagKeyId, p);
      if (total === 0) throw notFound(tagKeyId);
      return { tags, total, nextPageToken: nextToken(p, total) };
    },
    async batchGet(userId, workspaceId, tagKeyIds) {
      await member(userId, workspaceId);
      return await repo.latestMany(workspaceId, [...new Set(tagKeyIds)]);
    },
    async spec(userId, workspaceId) {
      await member(userId, workspaceId);
      return { ...spec, maxTotal: spec.maxHeight * spec.maxWidth };
    },
    async archiveOption(userId, workspaceId, tagKeyId, o) {
      await member(userId, workspaceId);
      const name = checkName(o.name, "name");
      checkDescription(o.description, "description");
      await newVersion(workspaceId, tagKeyId, (prev, at) => {
        if (prev.tagType !== "option") {
          throw invalidParam("tag_key_id", `tag ${tagKeyId} is not an option list`);
        }
        return successor(prev, userId, at, {
          tagType: "tag",
          status: "active",
          name,
          description: o.description,
        });
      });
    },
    latest(workspaceId, tagKeyIds) {
      return repo.latestMany(workspaceId, [...new Set(tagKeyIds)]);
    },
  };
}

// MySQL chose this transaction as a deadlock's victim (ER_LOCK_DEADLOCK): safe to run again.
function isDeadlock(err: unknown): boolean {
  return (err as { errno?: unknown } | null)?.errno === 1213;
}
