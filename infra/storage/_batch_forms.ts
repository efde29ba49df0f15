/**
 * Batch forms of per-key storage operations that no backend does in one request: each key
 * with its single form, BATCH_CONCURRENCY keys at once, answers in the order of the keys.
 */
import { NotFoundError } from "../errors.ts";
import { mapBounded, type ObjectStorage } from "./mod.ts";

type Singles = Pick<ObjectStorage, "stat" | "read" | "signUpload" | "signDownload">;
type Batches = Pick<ObjectStorage, "statMany" | "readMany" | "signUploads" | "signDownloads">;

/** statMany, readMany (null for an absent key), signUploads and signDownloads of `s`. */
export function batchForms(s: Singles): Batches {
  return {
    statMany: (keys) => mapBounded(keys, s.stat),
    readMany: (keys) =>
      mapBounded(
        keys,
        (k) => s.read(k).catch((e) => (e instanceof NotFoundError ? null : Promise.reject(e))),
      ),
    signUploads: (keys, o) => mapBounded(keys, (k) => s.signUpload(k, o)),
    signDownloads: (keys, o) => mapBounded(keys, (k) => s.signDownload(k, o)),
  };
}
