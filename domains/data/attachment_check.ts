/**
 * A check of multi-modal references before they go into items: each is the key of an object
 * of the workspace (what item attachments name), which must exist and have an extension of
 * its media type. The reference downloads external URLs into its own storage; this server
 * reaches no host but its own services, so an http(s) URL is answered with an error telling
 * the caller to upload the file first.
 */
import type { ObjectStorage } from "../../infra/storage/mod.ts";
import { invalidParam } from "../errors.ts";
import type { Authz } from "../foundation/authz.ts";
import { DEFAULT_SIGN_TTL_SECONDS, objectKey, validateKey } from "../foundation/files.ts";
import { ContentType, ItemErrorType } from "./types.ts";

/** Extensions of each media type. */
export const MEDIA_EXTENSIONS: Record<number, string[]> = {
  [ContentType.Image]: ["jpg", "jpeg", "png", "gif", "webp", "bmp", "tif", "tiff", "svg", "ico"],
  [ContentType.Audio]: ["mp3", "wav", "ogg", "m4a", "aac", "flac", "opus"],
  [ContentType.Video]: ["mp4", "mov", "webm", "mkv", "avi", "m4v"],
};

/** Most references one check takes. */
export const MAX_CHECKED_REFERENCES = 100;

/** The check of one reference. */
export interface ReferenceCheck {
  /** The media type (given, or from the extension). */
  contentType?: number;
  /** As given. */
  origin: string;
  /** The object, when found: its key, name and a presigned download URL. */
  stored?: { uri: string; name: string; url: string };
  errorType?: number;
  message?: string;
}

/** The check service. */
export interface AttachmentCheckService {
  check(
    userId: bigint,
    input: { workspaceId: bigint; references: string[]; contentType?: number },
  ): Promise<ReferenceCheck[]>;
}

/** Creates the service. */
export function createAttachmentCheck(
  deps: { authz: Authz; storage: ObjectStorage },
): AttachmentCheckService {
  return {
    async check(userId, input) {
      await deps.authz.requireMember(userId, input.workspaceId);
      const given = input.contentType;
      if (given !== undefined && !MEDIA_EXTENSIONS[given]) {
        throw invalidParam("store_option.content_type", "2 (Image), 3 (Audio) or 4 (Video)");
      }
      if (!input.references.length || input.references.length > MAX_CHECKED_REFERENCES) {
        throw invalidParam("preview_data", `1..${MAX_CHECKED_REFERENCES} entries`);
      }
      const out: ReferenceCheck[] = input.references.map((ref) => first(ref.trim(), given));
      const todo = out.filter((c) => !c.errorType);
      const infos = await deps.storage.statMany(
        todo.map((c) => objectKey(input.workspaceId, c.origin.trim())),
      );
      const found = todo.filter((c, i) => {
        if (infos[i]) return true;
        c.errorType = ItemErrorType.GetImageFailed;
        c.message = `no object "${c.origin.trim()}" in this workspace`;
        return false;
      });
      const urls = await deps.storage.signDownloads(
        found.map((c) => objectKey(input.workspaceId, c.origin.trim())),
        { ttlSeconds: DEFAULT_SIGN_TTL_SECONDS },
      );
      found.forEach((c, i) => {
        const uri = c.origin.trim();
        c.stored = { uri, name: uri.split("/").at(-1) ?? uri, url: urls[i] };
      });
      return out;
    },
  };
}

/** The checks that need no storage: form, key, extension. */
function first(ref: string, given: number | undefined): ReferenceCheck {
  const fail = (errorType: number, message: string, contentType = given): ReferenceCheck => ({
    origin: ref,
    contentType,
    errorType,
    message,
  });
  if (/^https?:\/\//i.test(ref)) {
    return fail(
      ItemErrorType.GetImageFailed,
      "external URLs are not fetched by this server: upload the file and give its key",
    );
  }
  try {
    validateKey(ref, "preview_data");
  } catch (err) {
    return fail(ItemErrorType.MismatchSchema, (err as Error).message);
  }
  const ext = /\.([A-Za-z0-9]+)$/.exec(ref)?.[1]?.toLowerCase() ?? "";
  const type = given ?? Number(
    Object.entries(MEDIA_EXTENSIONS).find(([, list]) => list.includes(ext))?.[0] ?? 0,
  );
  if (!type || !MEDIA_EXTENSIONS[type].includes(ext)) {
    const kinds = type ? MEDIA_EXTENSIONS[type].join(", ") : "an image, audio or video file";
    return fail(
      ItemErrorType.IllegalExtension,
      `"${ref.slice(0, 200)}" is not ${type ? `one of ${kinds}` : kinds}`,
      type || undefined,
    );
  }
  return { origin: ref, contentType: type };
}
