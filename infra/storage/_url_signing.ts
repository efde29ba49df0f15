/**
 * HMAC-SHA256 signatures of the directory storage's presigned URLs. What is signed: the
 * method, the exact key, the expiry, and the content type (uploads) or file name (downloads),
 * as one JSON array, so no field can be shifted into another and none can be changed.
 */
import { Buffer } from "node:buffer";

/** What a presigned URL grants. */
export interface UrlGrant {
  method: "GET" | "PUT";
  key: string;
  /** Epoch ms after which the URL is refused. */
  expiresAt: number;
  /** Upload: the Content-Type the client must send. */
  contentType?: string;
  /** Download: the file name offered in Content-Disposition. */
  fileName?: string;
}

/** Signs and verifies grants with one secret. */
export interface UrlSigner {
  /** The signature of `grant`, base64url. */
  sign(grant: UrlGrant): Promise<string>;
  /** Whether `signature` (base64url) is the signature of `grant`, in constant time. */
  verify(grant: UrlGrant, signature: string): Promise<boolean>;
}

/** Shortest secret accepted, in bytes. */
export const MIN_SECRET_BYTES = 16;

const VERSION = "coze-loop-presigned/1";
const BASE64URL = /^[A-Za-z0-9_-]{43}$/; // 32 bytes, no padding

/** Creates a signer; RangeError when the secret is shorter than MIN_SECRET_BYTES. */
export function createUrlSigner(secret: string): UrlSigner {
  const raw = new TextEncoder().encode(secret);
  if (raw.length < MIN_SECRET_BYTES) {
    throw new RangeError(
      `The presigned URL secret must be at least ${MIN_SECRET_BYTES} bytes, got ${raw.length}`,
    );
  }
  const key = crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
  const payload = (g: UrlGrant) =>
    new TextEncoder().encode(
      JSON.stringify([
        VERSION,
        g.method,
        g.key,
        g.expiresAt,
        g.contentType ?? null,
        g.fileName ?? null,
      ]),
    );
  return {
    async sign(grant) {
      const mac = await crypto.subtle.sign("HMAC", await key, payload(grant));
      return Buffer.from(mac).toString("base64url");
    },
    async verify(grant, signature) {
      if (!BASE64URL.test(signature)) return false;
      const mac = new Uint8Array(Buffer.from(signature, "base64url"));
      return await crypto.subtle.verify("HMAC", await key, mac, payload(grant));
    },
  };
}
