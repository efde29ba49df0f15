/**
 * Prompt versions: `MAJOR.MINOR.PATCH` as the server accepts them (each part 0..99999, no
 * leading zeros), strictly increasing per prompt. The commit dialog suggests the next one and
 * says before sending why a version would be refused; the server has the last word.
 */

const SEMVER = /^(0|[1-9]\d{0,4})\.(0|[1-9]\d{0,4})\.(0|[1-9]\d{0,4})$/;

/** A parsed version. */
export type Version = [major: number, minor: number, patch: number];

/** The parts of `v`, or undefined when it is not a version like 1.0.0. */
export function parseVersion(v: string): Version | undefined {
  const m = SEMVER.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** Negative, zero or positive as `a` is before, equal to or after `b` (malformed sort first). */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) return (x ? 1 : 0) - (y ? 1 : 0);
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** Which part a new version bumps. */
export type Bump = "major" | "minor" | "patch";

/** The version after `latest` (1.0.0 when there is none, or it is malformed). */
export function nextVersion(latest: string | undefined, bump: Bump = "minor"): string {
  const v = latest ? parseVersion(latest) : undefined;
  if (!v) return "1.0.0";
  if (bump === "major") return `${v[0] + 1}.0.0`;
  if (bump === "minor") return `${v[0]}.${v[1] + 1}.0`;
  return `${v[0]}.${v[1]}.${v[2] + 1}`;
}

/** Why `version` cannot follow `latest`, or undefined when it can. */
export function versionProblem(version: string, latest: string | undefined): string | undefined {
  if (!parseVersion(version)) return "a version is three numbers, like 1.0.0";
  if (latest && parseVersion(latest) && compareVersions(version, latest) <= 0) {
    return `must be greater than the latest version ${latest}`;
  }
  return undefined;
}

/** Versions newest first. */
export function sortVersionsDesc(versions: string[]): string[] {
  return [...versions].sort((a, b) => compareVersions(b, a));
}
