/**
 * The JWT bearer grant of OAuth apps, as the official SDKs use it (read from cozeloop Python
 * 0.1.28 `internal/httpclient/auth_client.py` and cozeloop-go v0.1.23
 * `internal/httpclient/auth_client.go`):
 *
 * - JWT header `{alg: "RS256", typ: "JWT", kid: <public key id>}`; claims `iss` = client id,
 *   `aud` = the host[:port] of the SDK's base URL (`urlparse(base_url).netloc`, Go's
 *   `url.Host`), `iat` = now, `exp` = now + 3600 (Python) or now + the token TTL (Go, 900 s by
 *   default), `jti` = 32 random hex characters, optional `session_name`.
 * - `POST /api/permission/oauth2/token`, `Authorization: Bearer <JWT>`, JSON body
 *   `{grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", duration_seconds: 900,
 *   scope: null}` (Python) or `{client_id, grant_type, duration_seconds}` (Go, `scope` and
 *   `account_id` only when set).
 * - Success (HTTP 200): `{access_token, expires_in, token_type}` where `expires_in` is the
 *   token's expiry as Unix seconds (not a duration: the SDKs refresh when now + 60 s passes
 *   it); a `code` other than 0 is an error.
 * - Errors: a non-200 answer carrying `error_code`, `error_message` and `error` is an
 *   authentication error (Go does not retry it; Python needs all three keys); the
 *   `x-tt-logid` header goes into the SDK's error.
 *
 * Verification here: the key is chosen by `kid` among the app's keys, the signature with
 * jose, then `iss`, `aud`, `iat`/`exp` (60 s of clock skew, a lifetime of at most 24 h) and
 * a `jti`, refused on replay by the caller.
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import {
  calculateJwkThumbprint,
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  importSPKI,
  type JWK,
  jwtVerify,
} from "jose";
import { AppError, Codes, invalidParam } from "../errors.ts";
import type { KeyAlgorithm, OAuthPublicKey } from "./oauth_apps_repo.ts";

/** The grant type of the SDKs' JWT flow. */
export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/** Clock skew tolerated on `iat` and `exp`. */
export const CLOCK_SKEW_S = 60;
/** Longest JWT lifetime (`exp - iat`) accepted. */
export const MAX_JWT_LIFETIME_S = 86_400;

const MAX_JWT_LENGTH = 8_192;
const ALGORITHMS: readonly KeyAlgorithm[] = ["RS256", "ES256"];

/** OAuth error codes (RFC 6749 section 5.2) used by the token endpoint. */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unsupported_grant_type";

/** A refused token request: an OAuth error code, a message, and an HTTP status. */
export class OAuthError extends AppError {
  override name = "OAuthError";
  readonly error: OAuthErrorCode;

  constructor(error: OAuthErrorCode, message: string) {
    const client = error === "invalid_client" || error === "invalid_grant";
    super(client ? Codes.unauthenticated : Codes.invalidParam, message, {
      status: client ? 401 : 400,
    });
    this.error = error;
  }
}

/** A public key as registered: its algorithm, SPKI PEM and id (RFC 7638 thumbprint). */
export async function parsePublicKey(
  pem: string,
  algorithm?: KeyAlgorithm,
): Promise<Omit<OAuthPublicKey, "createdAt">> {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem.replaceAll("\\n", "\n").trim(), format: "pem" });
  } catch {
    throw invalidParam("public_key", "not a PEM public key (-----BEGIN PUBLIC KEY-----)");
  }
  const detected = keyAlgorithm(key);
  if (algorithm && algorithm !== detected) {
    throw invalidParam("algorithm", `the key is for ${detected}, not ${algorithm}`);
  }
  const jwk = key.export({ format: "jwk" }) as JWK;
  return {
    keyId: await calculateJwkThumbprint(jwk, "sha256"),
    algorithm: detected,
    publicKey: (key.export({ format: "pem", type: "spki" }) as string).trim(),
  };
}

function keyAlgorithm(key: KeyObject): KeyAlgorithm {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === "rsa") {
    if ((details.modulusLength ?? 0) < 2048) {
      throw invalidParam("public_key", "RSA keys must have at least 2048 bits");
    }
    return "RS256";
  }
  if (key.asymmetricKeyType === "ec" && details.namedCurve === "prime256v1") return "ES256";
  throw invalidParam("public_key", "must be an RSA (RS256) or EC P-256 (ES256) public key");
}

/** What an assertion says before its signature is checked: whose key to check it with. */
export function peekAssertion(jwt: string): { clientId: string; keyId: string } {
  if (!jwt) {
    throw new OAuthError("invalid_request", "missing JWT: send Authorization: Bearer <JWT>");
  }
  if (jwt.length > MAX_JWT_LENGTH) throw new OAuthError("invalid_request", "JWT too long");
  let header, claims;
  try {
    header = decodeProtectedHeader(jwt);
    claims = decodeJwt(jwt);
  } catch {
    throw new OAuthError("invalid_grant", "malformed JWT");
  }
  if (!ALGORITHMS.includes(header.alg as KeyAlgorithm)) {
    throw new OAuthError("invalid_grant", `JWT alg ${header.alg}: expected RS256 or ES256`);
  }
  if (typeof header.kid !== "string" || !header.kid) {
    throw new OAuthError("invalid_grant", "JWT header has no kid (the public key id)");
  }
  if (typeof claims.iss !== "string" || !claims.iss) {
    throw new OAuthError("invalid_grant", "JWT has no iss (the client id)");
  }
  return { clientId: claims.iss, keyId: header.kid };
}

/**
 * Checks an assertion's signature with `key` and its claims; returns its `jti` and `exp`.
 * `audiences` are the hosts this server is reached as.
 */
export async function verifyAssertion(
  jwt: string,
  o: { clientId: string; key: OAuthPublicKey; audiences: string[]; now: number },
): Promise<{ jti: string; exp: number }> {
  let payload;
  try {
    const key = await importSPKI(o.key.publicKey, o.key.algorithm);
    ({ payload } = await jwtVerify(jwt, key, {
      algorithms: [o.key.algorithm],
      issuer: o.clientId,
      clockTolerance: CLOCK_SKEW_S,
      currentDate: new Date(o.now * 1000),
      requiredClaims: ["iat", "exp", "jti", "aud"],
    }));
  } catch (err) {
    throw new OAuthError("invalid_grant", joseMessage(err));
  }
  const { iat, exp, jti, aud } = payload as {
    iat: number;
    exp: number;
    jti: unknown;
    aud: unknown;
  };
  if (!audienceMatches(aud, o.audiences)) {
    const named = JSON.stringify(aud).slice(0, 100);
    throw new OAuthError(
      "invalid_grant",
      `JWT aud ${named} is not this server (${o.audiences.join(", ")})`,
    );
  }
  if (iat > o.now + CLOCK_SKEW_S) throw new OAuthError("invalid_grant", "JWT iat is in the future");
  if (exp - iat > MAX_JWT_LIFETIME_S) {
    throw new OAuthError(
      "invalid_grant",
      `JWT lifetime (exp - iat) exceeds ${MAX_JWT_LIFETIME_S} s`,
    );
  }
  if (typeof jti !== "string" || jti.length === 0 || jti.length > 128) {
    throw new OAuthError("invalid_grant", "JWT jti must be a string of 1 to 128 characters");
  }
  return { jti, exp };
}

function joseMessage(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return "JWT expired (exp is in the past)";
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
    return "JWT signature verification failed (not signed by this public key)";
  }
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    return `JWT claim ${err.claim}: ${err.reason === "missing" ? "missing" : err.message}`;
  }
  if (err instanceof joseErrors.JOSEError) return `invalid JWT: ${err.message}`;
  return "invalid JWT";
}

// The SDKs put the host[:port] of their base URL; a full URL is accepted too, and hosts
// compare without a default port. Any name the request reached this server by counts (a
// proxy may rename it): the JWT's iss is a client id minted by this server and its signature
// is checked with a key registered here, so `aud` is a second line, not the first.
function audienceMatches(aud: unknown, audiences: string[]): boolean {
  const wanted = new Set(audiences.map(normalHost));
  const values = Array.isArray(aud) ? aud : [aud];
  return values.some((v) => typeof v === "string" && wanted.has(normalHost(v)));
}

function normalHost(value: string): string {
  let host = value.trim().toLowerCase();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//.exec(host);
  if (scheme) host = host.slice(scheme[0].length).split(/[/?#]/)[0];
  return host.replace(/:(80|443)$/, "");
}
