/**
 * S3 implementation of ObjectStorage (@aws-sdk/client-s3, lib-storage for multipart,
 * s3-request-presigner for URLs). Path-style addressing, so any S3-compatible server works.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { NotFoundError, ServiceUnavailableError } from "../errors.ts";
import type { ObjectInfo, ObjectStorage, SignOptions } from "./mod.ts";
import { batchForms } from "./_batch_forms.ts";

/** S3 connection settings. */
export interface S3Options {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  /** Parts of multipart uploads (default 8 MiB; S3's minimum is 5 MiB). */
  partSizeBytes?: number;
}

const MAX_TTL_SECONDS = 7 * 24 * 3600;

/** Creates the S3 storage; nothing connects until the first call. */
export function createS3Storage(options: S3Options): ObjectStorage {
  const { bucket, endpoint } = options;
  const client = new S3Client({
    endpoint,
    region: options.region,
    forcePathStyle: true,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 30_000 },
  });
  const partSize = options.partSizeBytes ?? 8 * 1024 * 1024;

  const send = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw mapS3Error(err, endpoint, what);
    }
  };

  const stat = (key: string) =>
    send(`stat ${key}`, async () => {
      try {
        const h = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return {
          key,
          size: Number(h.ContentLength ?? 0),
          etag: h.ETag,
          contentType: h.ContentType,
          lastModified: h.LastModified,
        } satisfies ObjectInfo;
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    });

  const download = (key: string) =>
    send(`download ${key}`, async () => {
      const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = r.Body?.transformToWebStream() as ReadableStream<Uint8Array> | undefined;
      if (!body) throw new NotFoundError(`Object "${key}" has no body`);
      return {
        info: {
          key,
          size: Number(r.ContentLength ?? 0),
          etag: r.ETag,
          contentType: r.ContentType,
          lastModified: r.LastModified,
        },
        body,
      };
    });

  const read = async (key: string) => {
    const { body } = await download(key);
    return await send(
      `read ${key}`,
      async () => new Uint8Array(await new Response(body).arrayBuffer()),
    );
  };

  const signUpload = (key: string, o: SignOptions) =>
    send(`sign upload ${key}`, () =>
      getSignedUrl(
        client,
        new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: o.contentType }),
        { expiresIn: checkTtl(o.ttlSeconds) },
      ));

  const signDownload = (key: string, o: SignOptions) =>
    send(`sign download ${key}`, () =>
      getSignedUrl(
        client,
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ResponseContentDisposition: o.fileName
            ? `attachment; filename*=UTF-8''${encodeURIComponent(o.fileName)}`
            : undefined,
        }),
        { expiresIn: checkTtl(o.ttlSeconds) },
      ));

  return {
    ensureBucket: () =>
      send(`ensure bucket ${bucket}`, async () => {
        try {
          await client.send(new HeadBucketCommand({ Bucket: bucket }));
        } catch (err) {
          if (!isNotFound(err)) throw err;
          await client.send(new CreateBucketCommand({ Bucket: bucket })).catch((e) => {
            // Another process created it between our HEAD and CREATE.
            if ((e as { name?: string }).name !== "BucketAlreadyOwnedByYou") throw e;
          });
        }
      }),
    stat,
    upload: (key, body, o = {}) =>
      send(`upload ${key}`, async () => {
        const small = typeof body === "string" || body instanceof Uint8Array ||
          (o.size !== undefined && o.size < partSize);
        if (small && !(body instanceof ReadableStream)) {
          const r = await client.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: body,
              ContentType: o.contentType,
            }),
          );
          const size = typeof body === "string"
            ? new TextEncoder().encode(body).length
            : body.length;
          return { key, size, etag: r.ETag, contentType: o.contentType };
        }
        // lib-storage sends one PUT when the stream fits in a part, multipart otherwise.
        await new Upload({
          client,
          params: { Bucket: bucket, Key: key, Body: body, ContentType: o.contentType },
          partSize,
          queueSize: 2,
          leavePartsOnError: false,
        }).done();
        // Upload.done() can report an empty ETag on some servers: HEAD gives the real one.
        const info = await stat(key);
        if (!info) throw new Error(`Upload of "${key}" finished but the object is missing`);
        return info;
      }),
    download,
    read,
    remove: (key) =>
      send(`remove ${key}`, async () => {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      }),
    signUpload,
    signDownload,
    ...batchForms({ stat, read, signUpload, signDownload }),
    removeMany: (keys) =>
      send(`remove ${keys.length} objects`, async () => {
        for (let i = 0; i < keys.length; i += 1000) {
          const chunk = keys.slice(i, i + 1000);
          const r = await client.send(
            new DeleteObjectsCommand({
              Bucket: bucket,
              Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true },
            }),
          );
          if (r.Errors?.length) {
            throw new Error(`Could not remove ${r.Errors.length} objects: ${r.Errors[0].Message}`);
          }
        }
      }),
    ping: () =>
      send("ping", async () => {
        try {
          await client.send(new HeadBucketCommand({ Bucket: bucket }));
        } catch (err) {
          // The server answered and accepted our credentials; a missing bucket is created at
          // start-up, after the dependencies are known to be reachable.
          if (!isNotFound(err)) throw err;
        }
      }),
    close: () => {
      client.destroy();
      return Promise.resolve();
    },
  };
}

function checkTtl(ttl: number): number {
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) {
    throw new RangeError(`Presigned URL lifetime ${ttl}s is outside 1..${MAX_TTL_SECONDS}`);
  }
  return ttl;
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === "NotFound" || e?.name === "NoSuchKey" || e?.name === "NoSuchBucket" ||
    e?.$metadata?.httpStatusCode === 404;
}

const TRANSPORT =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|socket hang up|TimeoutError|connection/i;

function mapS3Error(err: unknown, endpoint: string, what: string): unknown {
  if (err instanceof NotFoundError || err instanceof RangeError) return err;
  if (err instanceof ServiceUnavailableError) return err;
  const e = err as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  if (e?.name === "NoSuchKey" || e?.$metadata?.httpStatusCode === 404) {
    return new NotFoundError(`Cannot ${what}: not found`);
  }
  const status = e?.$metadata?.httpStatusCode;
  if (
    (status === undefined && TRANSPORT.test(`${e?.name} ${e?.code} ${e?.message}`)) ||
    (status !== undefined && status >= 500) || status === 503
  ) {
    return new ServiceUnavailableError("S3", endpoint, err);
  }
  return err;
}
