/**
 * Dataset versions are strict semantic versions (SemVer 2.0.0: `MAJOR.MINOR.PATCH`, an
 * optional `-prerelease`, an optional `+build` that does not count in comparisons), each
 * greater than the one before, as the reference requires.
 */
import { invalidParam } from "../errors.ts";

const IDENT = "(?:0|[1-9]\\d*|\\d*[A-Za-z-][0-9A-Za-z-]*)";
const SEMVER = new RegExp(
  `^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)` +
    `(?:-(${IDENT}(?:\\.${IDENT})*))?(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?$`,
);

/** A parsed version. */
export interface SemVer {
  major: bigint;
  minor: bigint;
  patch: bigint;
  prerelease: string[];
}

/** Parses a strict semantic version; throws `invalid param` naming `field` when malformed. */
export function parseSemVer(text: string, field = "version"): SemVer {
  const m = text.length <= 128 ? SEMVER.exec(text) : null;
  if (!m) {
    throw invalidParam(
      field,
      `"${text.slice(0, 64)}" is not a semantic version like 1.0.0 (MAJOR.MINOR.PATCH)`,
    );
  }
  return {
    major: BigInt(m[1]),
    minor: BigInt(m[2]),
    patch: BigInt(m[3]),
    prerelease: m[4] ? m[4].split(".") : [],
  };
}

/** Negative, zero or positive as `a` is lower than, equal to or greater than `b`. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  for (const k of ["major", "minor", "patch"] as const) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  // A version with a prerelease is lower than the same version without one.
  if (!a.prerelease.length || !b.prerelease.length) {
    return b.prerelease.length - a.prerelease.length;
  }
  const n = Math.min(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < n; i++) {
    const c = compareIdentifier(a.prerelease[i], b.prerelease[i]);
    if (c) return c;
  }
  return a.prerelease.length - b.prerelease.length;
}

function compareIdentifier(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x === y ? 0 : x < y ? -1 : 1;
  }
  if (an !== bn) return an ? -1 : 1; // numeric identifiers sort before alphanumeric ones
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Throws `invalid param` unless `next` is a valid version above `latest` (if any). */
export function checkNextVersion(latest: string, next: string): void {
  const v = parseSemVer(next);
  if (latest && compareSemVer(v, parseSemVer(latest)) <= 0) {
    throw invalidParam("version", `${next} must be greater than the latest version ${latest}`);
  }
}
