/**
 * Workspace files in object storage: streamed uploads (SDK `files/upload`) and presigned
 * upload/download URLs (web UI). Every object lives under its workspace's prefix
 * `ws/<workspace_id>/`, and callers name objects by keys relative to it, so a key can never
 * reach another workspace's objects.
 */
import type { ObjectStorage } from "../../infra/storage/mod.ts";
import { AppError, Codes, invalidParam } from "../errors.ts";
import type { Authz } from "./authz.ts";

/** Upload limit when none is configured (COZE_LOOP_MAX_UPLOAD_MB defaults to the same). */
export const DEFAULT_MAX_UPLOAD_BYTES = 256 * 1024 * 1024;
/** Lifetime of a presigned URL when the caller gives none: 24 hours. */
export const DEFAULT_SIGN_TTL_SECONDS = 24 * 3600;
/** Longest presigned URL lifetime S3 allows: 7 days. */
export const MAX_SIGN_TTL_SECONDS = 7 * 24 * 3600;
/** Most keys one sign request may name. */
export const MAX_SIGN_KEYS = 100;
/** Longest key in bytes (UTF-8), relative or with its workspace prefix (S3's own limit). */
export const MAX_KEY_BYTES = 1024;

/** What an upload stored. */
export interface UploadResult {
  /** Bytes stored. */
  bytes: number;
  /** The key as the caller gave it (relative to the workspace). */
  fileName: string;
}

/** Presigned URLs in request order, and when they stop working. */
export interface SignedUrls {
  urls: string[];
  /** When the URLs were signed (epoch ms). */
  signedAt: number;
  /** When the URLs expire (epoch ms). */
  expiresAt: number;
}

/** The file service. */
export interface FileService {
  /** Largest upload in bytes (routes that spool a body count against it too). */
  readonly maxUploadBytes: number;
  /** Streams `body` into the workspace as `fileName`; rejects bodies over the upload limit. */
  upload(
    userId: bigint,
    workspaceId: bigint,
    fileName: string,
    body: ReadableStream<Uint8Array>,
    options: { contentType?: string; size?: number },
  ): Promise<UploadResult>;
  /** URLs that each accept one PUT of the named object. */
  signUploads(
    userId: bigint,
    workspaceId: bigint,
    keys: string[],
    ttlSeconds?: number,
  ): Promise<SignedUrls>;
  /** URLs that each serve GET of the named object. */
  signDownloads(
    userId: bigint,
    workspaceId: bigint,
    keys: string[],
    ttlSeconds?: number,
  ): Promise<SignedUrls>;
}

/** What the file service needs. */
export interface FileServiceDeps {
  storage: ObjectStorage;
  authz: Authz;
  /** Largest upload in bytes. */
  maxUploadBytes: number;
}

/** Creates the file service. */
export function createFileService(deps: FileServiceDeps): FileService {
  const { storage, authz, maxUploadBytes } = deps;

  const sign = async (
    how: "signUploads" | "signDownloads",
    userId: bigint,
    workspaceId: bigint,
    keys: string[],
    ttlSeconds = DEFAULT_SIGN_TTL_SECONDS,
  ): Promise<SignedUrls> => {
    checkSignRequest(keys, ttlSeconds, workspaceId);
    await authz.requireMember(userId, workspaceId);
    const signedAt = Date.now();
    const urls = await storage[how](keys.map((k) => objectKey(workspaceId, k)), { ttlSeconds });
    return { urls, signedAt, expiresAt: signedAt + ttlSeconds * 1000 };
  };

  return {
    maxUploadBytes,
    async upload(userId, workspaceId, fileName, body, options) {
      try {
        await authz.requireMember(userId, workspaceId);
        validateKey(fileName, "file_name", workspaceId);
        validateContentType(options.contentType);
        if (options.size !== undefined && options.size > maxUploadBytes) {
          throw fileTooLarge(maxUploadBytes);
        }
      } catch (err) {
        await body.cancel().catch(() => {});
        throw err;
      }
      const counter = byteCounter(maxUploadBytes);
      try {
        await storage.upload(objectKey(workspaceId, fileName), body.pipeThrough(counter.stream), {
          contentType: options.contentType,
        });
      } catch (err) {
        // The counter failed the stream, so storage abandoned the upload (a failed PUT or an
        // aborted multipart upload stores nothing); whatever wrapped the error, answer 413.
        if (counter.exceeded()) throw fileTooLarge(maxUploadBytes);
        throw err;
      }
      return { bytes: counter.bytes(), fileName };
    },
    signUploads: (userId, workspaceId, keys, ttl) =>
      sign("signUploads", userId, workspaceId, keys, ttl),
    signDownloads: (userId, workspaceId, keys, ttl) =>
      sign("signDownloads", userId, workspaceId, keys, ttl),
  };
}

/** The storage key of `key` in a workspace: `ws/<workspace_id>/<key>`. */
export function objectKey(workspaceId: bigint, key: string): string {
  return `${workspacePrefix(workspaceId)}${key}`;
}

function workspacePrefix(workspaceId: bigint): string {
  return `ws/${workspaceId}/`;
}

const encoder = new TextEncoder();
// C0 controls, DEL and C1 controls: invisible in logs and UIs, and some S3 servers refuse them.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Checks that `key` is a relative path confined to a workspace: 1..1024 bytes, no leading
 * `/`, no `\`, no `.`/`..`/empty segments, no control characters, well-formed Unicode.
 * With `workspaceId`, the key with its prefix must also fit S3's 1024 bytes.
 * Throws `invalid param` naming `field`.
 */
export function validateKey(key: string, field: string, workspaceId?: bigint): void {
  const fail = (reason: string) => invalidParam(field, `${reason} (key ${JSON.stringify(key)})`);
  if (typeof key !== "string" || key.length === 0) throw invalidParam(field, "must not be empty");
  if (!key.isWellFormed()) throw fail("is not well-formed Unicode");
  const bytes = encoder.encode(key).length;
  if (bytes > MAX_KEY_BYTES) throw fail(`is longer than ${MAX_KEY_BYTES} bytes`);
  if (CONTROL.test(key)) throw fail("contains a control character");
  if (key.includes("\\")) throw fail("contains a backslash");
  if (key.startsWith("/")) throw fail("must be relative (no leading /)");
  for (const segment of key.split("/")) {
    if (segment === "") throw fail("has an empty path segment");
    if (segment === "." || segment === "..") throw fail(`has a "${segment}" path segment`);
  }
  if (workspaceId !== undefined) {
    const room = MAX_KEY_BYTES - workspacePrefix(workspaceId).length;
    if (bytes > room) throw fail(`is longer than ${room} bytes, the room left in the workspace`);
  }
}

/** `file size exceeds limit`, HTTP 413. */
export function fileTooLarge(maxBytes: number): AppError {
  return new AppError(
    Codes.fileSizeExceedLimit,
    `file too large: uploads are limited to ${maxBytes} bytes`,
    { status: 413 },
  );
}

/** A pass-through stream that counts bytes and fails (413) past `maxBytes`. */
export interface ByteCounter {
  stream: TransformStream<Uint8Array, Uint8Array>;
  bytes(): number;
  exceeded(): boolean;
}

/**
 * Counts the bytes flowing through and errors the stream before the first byte over
 * `maxBytes` is passed on, so a consumer never sees (or stores) more than the limit.
 */
export function byteCounter(maxBytes: number): ByteCounter {
  let total = 0;
  let over = false;
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        over = true;
        controller.error(fileTooLarge(maxBytes));
        return;
      }
      controller.enqueue(chunk);
    },
  });
  return { stream, bytes: () => total, exceeded: () => over };
}

function checkSignRequest(keys: string[], ttlSeconds: number, workspaceId: bigint): void {
  if (keys.length === 0) throw invalidParam("keys", "must name at least one key");
  if (keys.length > MAX_SIGN_KEYS) {
    throw invalidParam("keys", `at most ${MAX_SIGN_KEYS} keys per request, got ${keys.length}`);
  }
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_SIGN_TTL_SECONDS) {
    throw invalidParam("option.ttl", `must be 1..${MAX_SIGN_TTL_SECONDS} seconds`);
  }
  keys.forEach((k, i) => validateKey(k, `keys.${i}`, workspaceId));
}

/** Longest media type stored with an object (S3 and the embedded store keep it as metadata). */
export const MAX_CONTENT_TYPE_LENGTH = 255;
const MEDIA_TYPE = /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(\s*;\s*[\w!#$&^.+-]+=("[^"]*"|[\w!#$&^.+-]+))*$/;

/** Refuses a file's Content-Type that is too long or not a media type. */
export function validateContentType(contentType: string | undefined): void {
  if (contentType === undefined) return;
  if (contentType.length > MAX_CONTENT_TYPE_LENGTH) {
    throw invalidParam("file", `Content-Type longer than ${MAX_CONTENT_TYPE_LENGTH} characters`);
  }
  if (!MEDIA_TYPE.test(contentType)) {
    throw invalidParam("file", `Content-Type ${JSON.stringify(contentType)} is not a media type`);
  }
}
