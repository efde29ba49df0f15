/**
 * Object keys of the directory storage: which keys are accepted, and where an object lives.
 *
 * A key never becomes a path itself: the file of an object is named by the SHA-256 of its
 * key (`objects/<2 hex>/<64 hex>`), so no key can reach outside the directory, and keys
 * that a file system would confuse or refuse work as they do on S3: `a` and `a/b` both,
 * `A` and `a` on a case-insensitive disk, segments longer than a file name allows. Keys are
 * still checked, so a key that is surely a mistake (or an attack) is refused with a reason.
 */
import { createHash } from "node:crypto";

/** Longest key in bytes (UTF-8), S3's own limit. */
export const MAX_OBJECT_KEY_BYTES = 1024;

const encoder = new TextEncoder();
// C0 controls, DEL and C1 controls: invisible in logs, and unsafe in headers and file names.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Checks that `key` is a relative path: 1..1024 bytes of well-formed Unicode, no leading
 * `/`, no `\`, no empty, `.` or `..` segments, no control characters. Throws RangeError.
 */
export function checkObjectKey(key: string): void {
  const fail = (reason: string) =>
    new RangeError(`Invalid object key ${JSON.stringify(key)}: ${reason}`);
  if (typeof key !== "string" || key.length === 0) throw fail("it is empty");
  if (!key.isWellFormed()) throw fail("it is not well-formed Unicode");
  if (encoder.encode(key).length > MAX_OBJECT_KEY_BYTES) {
    throw fail(`it is longer than ${MAX_OBJECT_KEY_BYTES} bytes`);
  }
  if (CONTROL.test(key)) throw fail("it contains a control character");
  if (key.includes("\\")) throw fail("it contains a backslash");
  if (key.startsWith("/")) throw fail("it must be relative (no leading /)");
  for (const segment of key.split("/")) {
    if (segment === "") throw fail("it has an empty path segment");
    if (segment === "." || segment === "..") throw fail(`it has a "${segment}" path segment`);
  }
}

/** The file of `key` relative to the storage directory (the key is checked first). */
export function objectFile(key: string): string {
  checkObjectKey(key);
  const hash = createHash("sha256").update(key).digest("hex");
  return `objects/${hash.slice(0, 2)}/${hash}`;
}
