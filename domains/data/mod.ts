/**
 * The data domain's public face: datasets, their items and versions, built from the
 * infrastructure. Later features (import/export jobs, evaluation sets, tags) build on these:
 * `access` loads a dataset for a caller (or a trusted job), `writer` validates and writes
 * items idempotently by item key (a job's checkpoint), `items` and `versions` read them.
 */
import type { Database } from "../../infra/db/mod.ts";
import type { IdGenerator } from "../../infra/idgen/mod.ts";
import type { ObjectStorage } from "../../infra/storage/mod.ts";
import type { Logger } from "../../infra/log.ts";
import type { Authz } from "../foundation/authz.ts";
import { DEFAULT_SIGN_TTL_SECONDS, objectKey } from "../foundation/files.ts";
import { createDatasetAccess, type DatasetAccess } from "./access.ts";
import { createDatasetService, type DatasetService } from "./datasets.ts";
import { createItemService, type ItemService } from "./items.ts";
import { createItemStore } from "./item_store.ts";
import { createItemWriter, type ItemWriter } from "./item_writer.ts";
import { createDatasetRepo } from "./repo.ts";
import { createItemRepo } from "./repo_items.ts";
import { createVersionService, type VersionService } from "./versions.ts";
import { createItemVersionService, type ItemVersionService } from "./item_versions.ts";
import { createItemVersionRepo } from "./repo_item_versions.ts";
import { createItemRefService, type ItemRefService } from "./item_refs.ts";
import { createItemChecks, type ItemCheckService } from "./item_checks.ts";
import { createFilePreview, type FilePreviewService } from "./file_preview.ts";
import { type AttachmentCheckService, createAttachmentCheck } from "./attachment_check.ts";
import { createEvalSetTemplates, type EvalSetTemplateService } from "./eval_templates.ts";

export type { DatasetAccess } from "./access.ts";
export type { DatasetService } from "./datasets.ts";
export type { ItemService } from "./items.ts";
export type { ItemWriter, WriteResult } from "./item_writer.ts";
export type { VersionService } from "./versions.ts";

/** Every service of the data domain. */
export interface DataServices {
  access: DatasetAccess;
  datasets: DatasetService;
  items: ItemService;
  writer: ItemWriter;
  versions: VersionService;
  /** Items as entities with versions of their own (the evaluation API's view). */
  itemVersions: ItemVersionService;
  /** Existing items copied into a dataset. */
  itemRefs: ItemRefService;
  /** Items checked without being written. */
  itemChecks: ItemCheckService;
  /** A look at an uploaded import file. */
  filePreview: FilePreviewService;
  /** Multi-modal references checked against the workspace's objects. */
  attachmentChecks: AttachmentCheckService;
  /** The built-in evaluation set templates. */
  templates: EvalSetTemplateService;
}

/** Builds the data services. */
export function createDataServices(deps: {
  db: Database;
  ids: IdGenerator;
  authz: Authz;
  storage: ObjectStorage;
  logger?: Logger;
  now?: () => Date;
  /** Largest (and default) item count of datasets other than evaluation sets. */
  maxItems?: number;
}): DataServices {
  const { db, ids, authz, now } = deps;
  const repo = createDatasetRepo(db);
  const itemRepo = createItemRepo(db);
  const access = createDatasetAccess({ repo, authz });
  const store = createItemStore(
    deps.storage,
    (message, err) => deps.logger?.warn(message, { error: (err as Error)?.message }),
  );
  const writer = createItemWriter({
    db,
    ids,
    storage: deps.storage,
    store,
    repo,
    items: itemRepo,
    access,
    now,
  });
  const versions = createVersionService({ db, ids, authz, repo, access, now });
  const signUrls = (space: bigint, uris: string[]) =>
    deps.storage.signDownloads(uris.map((u) => objectKey(space, u)), {
      ttlSeconds: DEFAULT_SIGN_TTL_SECONDS,
    });
  const versionRepo = createItemVersionRepo(db);
  const files = { authz, storage: deps.storage };
  return {
    access,
    writer,
    versions,
    datasets: createDatasetService({ db, ids, authz, repo, access, now, maxItems: deps.maxItems }),
    items: createItemService({
      db,
      ids,
      repo,
      items: itemRepo,
      store,
      access,
      writer,
      versions,
      signUrls,
      now,
    }),
    itemVersions: createItemVersionService({
      access,
      repo,
      items: itemRepo,
      versions: versionRepo,
      store,
      signUrls,
      now,
    }),
    itemRefs: createItemRefService({ access, writer, store, repo, versions: versionRepo }),
    itemChecks: createItemChecks({ authz, access, writer }),
    filePreview: createFilePreview(files),
    attachmentChecks: createAttachmentCheck(files),
    templates: createEvalSetTemplates({ authz }),
  };
}
