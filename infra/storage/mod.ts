/**
 * Object storage as the domains see it: keys inside one bucket, streamed bodies, presigned
 * URLs with a TTL, and batch forms of the per-key operations.
 */

/** What storage knows about one object. */
export interface ObjectInfo {
  key: string;
  size: number;
  etag?: string;
  contentType?: string;
  lastModified?: Date;
}

/** A body to upload: bytes, text, or a stream (never buffered whole when streamed). */
export type UploadBody = Uint8Array | string | ReadableStream<Uint8Array>;

/** Options of an upload. */
export interface UploadOptions {
  contentType?: string;
  /** Byte length when known (lets small streams go as one request). */
  size?: number;
}

/** Options of a presigned URL. */
export interface SignOptions {
  /** Lifetime of the URL in seconds (1 s .. 7 days). */
  ttlSeconds: number;
  /** Upload: the content type the client must send. */
  contentType?: string;
  /** Download: the file name offered by the browser. */
  fileName?: string;
}

/** The object storage interface. */
export interface ObjectStorage {
  /** Creates the bucket when missing (start-up). */
  ensureBucket(): Promise<void>;
  /** Metadata of `key`, or null when absent. */
  stat(key: string): Promise<ObjectInfo | null>;
  /** Stores a body; large or streamed bodies go as multipart uploads. */
  upload(key: string, body: UploadBody, options?: UploadOptions): Promise<ObjectInfo>;
  /** A stream of the object's bytes with its metadata; NotFoundError when absent. */
  download(key: string): Promise<{ info: ObjectInfo; body: ReadableStream<Uint8Array> }>;
  /** The whole object in memory (small objects); NotFoundError when absent. */
  read(key: string): Promise<Uint8Array<ArrayBuffer>>;
  /** Deletes `key` (absent keys are not an error). */
  remove(key: string): Promise<void>;
  /** A URL that accepts one PUT of the object until it expires. */
  signUpload(key: string, options: SignOptions): Promise<string>;
  /** A URL that serves GET of the object until it expires. */
  signDownload(key: string, options: SignOptions): Promise<string>;
  /** stat for many keys, in order. */
  statMany(keys: string[]): Promise<(ObjectInfo | null)[]>;
  /** read for many keys, in order (null when absent). */
  readMany(keys: string[]): Promise<(Uint8Array<ArrayBuffer> | null)[]>;
  /** Deletes many keys. */
  removeMany(keys: string[]): Promise<void>;
  /** signUpload for many keys, in order. */
  signUploads(keys: string[], options: SignOptions): Promise<string[]>;
  /** signDownload for many keys, in order. */
  signDownloads(keys: string[], options: SignOptions): Promise<string[]>;
  /** Round trip to the service; ServiceUnavailableError when it cannot. */
  ping(): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** Most concurrent requests a batch operation makes at once. */
export const BATCH_CONCURRENCY = 16;

/** Runs `fn` over `items` with bounded concurrency, keeping order. */
export async function mapBounded<T, R>(
  items: T[],
  fn: (item: T) => Promise<R>,
  concurrency = BATCH_CONCURRENCY,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}
