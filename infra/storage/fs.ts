/**
 * ObjectStorage on a local directory, for the single-process mode. Uploads stream to a temp
 * file (never held whole in memory) that is fsynced and renamed into place, so an object is
 * replaced atomically and a failed upload stores nothing. Each object is one file named by
 * the hash of its key (see _object_keys.ts), its metadata in a header (see _object_file.ts).
 *
 * Presigned URLs point at this server (`publicUrl` + LOCAL_OBJECTS_PATH + key), where the
 * route of routes/objects.ts serves them after `verifyPresigned` checked their HMAC
 * signature (method, key, expiry, content type or file name) and expiry.
 */
import { NotFoundError, ServiceUnavailableError } from "../errors.ts";
import {
  mapBounded,
  type ObjectInfo,
  type ObjectStorage,
  type SignOptions,
  type UploadBody,
} from "./mod.ts";
import { checkObjectKey, objectFile } from "./_object_keys.ts";
import { type ObjectMeta, openObjectFile, writeObjectFile } from "./_object_file.ts";
import { createUrlSigner, type UrlGrant } from "./_url_signing.ts";
import { batchForms } from "./_batch_forms.ts";

export type { UrlGrant } from "./_url_signing.ts";

/** Path under the public URL where presigned URLs are served (routes/objects.ts). */
export const LOCAL_OBJECTS_PATH = "/objects";

/** Options of the directory storage. */
export interface FsStorageOptions {
  /** Directory of the objects (created when missing). */
  dir: string;
  /** This server's base URL as clients reach it, e.g. `http://127.0.0.1:8888`. */
  publicUrl: string;
  /** HMAC secret of presigned URLs (16+ bytes); keep it stable so URLs survive restarts. */
  secret: string;
  /** Wall clock for URL expiry, epoch ms (default Date.now). */
  now?: () => number;
}

/** A presigned URL refused: altered, expired or malformed. The route answers 403. */
export class PresignedUrlError extends Error {
  override name = "PresignedUrlError";
}

/** The directory storage: ObjectStorage plus the check of its presigned URLs. */
export interface FsObjectStorage extends ObjectStorage {
  /** What a request to a presigned URL may do; PresignedUrlError saying why not. */
  verifyPresigned(method: "GET" | "PUT", url: URL): Promise<UrlGrant>;
}

const MAX_TTL_SECONDS = 7 * 24 * 3600;
const MAX_CONTENT_TYPE = 256;
const MAX_FILE_NAME = 1024;
// Temp files this old are leftovers of a crash (an upload in progress rewrites its file).
const STALE_TMP_MS = 24 * 3600 * 1000;

/** Creates the storage; nothing touches the disk until the first call. */
export function createFsStorage(options: FsStorageOptions): FsObjectStorage {
  const dir = options.dir.replace(/(.)\/+$/, "$1");
  const base = publicBase(options.publicUrl);
  const signer = createUrlSigner(options.secret);
  const now = options.now ?? Date.now;
  const pathOf = (key: string) => `${dir}/${objectFile(key)}`;

  const open = async (key: string) => {
    try {
      return await openObjectFile(pathOf(key), key);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return null;
      throw err;
    }
  };
  const stat = async (key: string) => {
    const o = await open(key);
    o?.file.close();
    return o ? infoOf(o.meta) : null;
  };
  const download = async (key: string) => {
    const o = await open(key);
    if (!o) throw new NotFoundError(`Cannot download "${key}": no such object`);
    // The stream closes the file when read to the end or cancelled.
    return { info: infoOf(o.meta), body: o.file.readable };
  };
  const read = async (key: string) => {
    const o = await open(key);
    if (!o) throw new NotFoundError(`Cannot read "${key}": no such object`);
    try {
      const out = new Uint8Array(o.meta.size);
      let at = 0;
      while (at < out.length) {
        const n = await o.file.read(out.subarray(at));
        if (n === null) throw new Error(`Object "${key}" ended after ${at} of ${out.length} bytes`);
        at += n;
      }
      return out;
    } finally {
      o.file.close();
    }
  };
  const upload = async (key: string, body: UploadBody, o: { contentType?: string } = {}) => {
    let path: string;
    try {
      path = pathOf(key);
      checkContentType(o.contentType);
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      await Deno.mkdir(`${dir}/tmp`, { recursive: true });
    } catch (err) {
      if (body instanceof ReadableStream) await body.cancel(err).catch(() => {});
      throw err;
    }
    const meta = await writeObjectFile(`${dir}/tmp/${crypto.randomUUID()}`, path, body, {
      key,
      contentType: o.contentType ?? "application/octet-stream",
    });
    return infoOf(meta);
  };
  const remove = async (key: string) => {
    try {
      await Deno.remove(pathOf(key));
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  };

  const presign = async (grant: Omit<UrlGrant, "expiresAt">, ttlSeconds: number) => {
    checkObjectKey(grant.key);
    const full = { ...grant, expiresAt: now() + checkTtl(ttlSeconds) * 1000 };
    const q = new URLSearchParams({ expires: String(full.expiresAt) });
    if (full.contentType !== undefined) q.set("content-type", full.contentType);
    if (full.fileName !== undefined) q.set("filename", full.fileName);
    q.set("signature", await signer.sign(full));
    return `${base}${LOCAL_OBJECTS_PATH}/${encodeKey(full.key)}?${q}`;
  };
  const signUpload = (key: string, o: SignOptions) =>
    Promise.try(() => checkContentType(o.contentType)).then(() =>
      presign({ method: "PUT", key, contentType: o.contentType }, o.ttlSeconds)
    );
  const signDownload = (key: string, o: SignOptions) =>
    Promise.try(() => checkFileName(o.fileName)).then(() =>
      presign({ method: "GET", key, fileName: o.fileName }, o.ttlSeconds)
    );

  return {
    async ensureBucket() {
      await Deno.mkdir(`${dir}/objects`, { recursive: true });
      await Deno.mkdir(`${dir}/tmp`, { recursive: true });
      await removeStaleTemps(`${dir}/tmp`, now() - STALE_TMP_MS);
    },
    stat,
    upload,
    download,
    read,
    remove,
    signUpload,
    signDownload,
    ...batchForms({ stat, read, signUpload, signDownload }),
    removeMany: async (keys) => void await mapBounded(keys, remove),
    async ping() {
      try {
        await Deno.mkdir(dir, { recursive: true });
        if (!(await Deno.stat(dir)).isDirectory) throw new Error("it is not a directory");
      } catch (err) {
        throw new ServiceUnavailableError("Object storage directory", dir, err);
      }
    },
    close: () => Promise.resolve(),
    verifyPresigned: (method, url) => verify(signer, now, method, url),
  };
}

async function verify(
  signer: ReturnType<typeof createUrlSigner>,
  now: () => number,
  method: "GET" | "PUT",
  url: URL,
): Promise<UrlGrant> {
  const refuse = (why: string) => new PresignedUrlError(`Presigned URL refused: ${why}`);
  const prefix = `${LOCAL_OBJECTS_PATH}/`;
  if (!url.pathname.startsWith(prefix)) throw refuse(`the path is not under ${prefix}`);
  let key: string;
  try {
    key = url.pathname.slice(prefix.length).split("/").map(decodeURIComponent).join("/");
  } catch {
    throw refuse("the key in the path is not well-formed percent-encoding");
  }
  const q = url.searchParams;
  const expires = q.get("expires");
  const signature = q.get("signature");
  if (!expires || !/^\d{1,16}$/.test(expires) || !signature) {
    throw refuse("it lacks a valid expires or signature parameter");
  }
  const grant: UrlGrant = {
    method,
    key,
    expiresAt: Number(expires),
    contentType: q.get("content-type") ?? undefined,
    fileName: q.get("filename") ?? undefined,
  };
  if (!(await signer.verify(grant, signature))) {
    throw refuse(
      `the signature does not match (the URL was altered, or was not signed for ${method})`,
    );
  }
  if (now() > grant.expiresAt) {
    throw refuse(`it expired at ${new Date(grant.expiresAt).toISOString()}`);
  }
  return grant;
}

function infoOf(meta: ObjectMeta): ObjectInfo {
  return {
    key: meta.key,
    size: meta.size,
    etag: meta.etag,
    contentType: meta.contentType,
    lastModified: new Date(meta.lastModified),
  };
}

// Each segment percent-encoded: the key comes back exactly, whatever characters it has.
function encodeKey(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

function publicBase(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RangeError(`The public URL ${JSON.stringify(url)} is not a URL`);
  }
  if ((u.protocol !== "http:" && u.protocol !== "https:") || u.search || u.hash) {
    throw new RangeError(`The public URL ${url} must be http(s) without query or fragment`);
  }
  return `${u.origin}${u.pathname.replace(/\/+$/, "")}`;
}

function checkTtl(ttl: number): number {
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) {
    throw new RangeError(`Presigned URL lifetime ${ttl}s is outside 1..${MAX_TTL_SECONDS}`);
  }
  return ttl;
}

function checkContentType(type: string | undefined): void {
  if (type === undefined) return;
  if (type.length === 0 || type.length > MAX_CONTENT_TYPE || !/^[\x20-\x7e]+$/.test(type)) {
    throw new RangeError(
      `Invalid content type ${JSON.stringify(type)}: 1..${MAX_CONTENT_TYPE} printable ASCII`,
    );
  }
}

function checkFileName(name: string | undefined): void {
  if (name === undefined) return;
  if (name.length === 0 || name.length > MAX_FILE_NAME || !name.isWellFormed()) {
    throw new RangeError(`Invalid download file name ${JSON.stringify(name)}`);
  }
}

async function removeStaleTemps(tmp: string, before: number): Promise<void> {
  for await (const e of Deno.readDir(tmp)) {
    if (!e.isFile) continue;
    const st = await Deno.stat(`${tmp}/${e.name}`).catch(() => null);
    if (st?.mtime && st.mtime.getTime() < before) {
      await Deno.remove(`${tmp}/${e.name}`).catch(() => {});
    }
  }
}
