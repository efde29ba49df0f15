/** Commit versions: semantic versions `MAJOR.MINOR.PATCH`, strictly increasing per prompt. */
import { invalidParam } from "../errors.ts";

// Parts up to 99999, so the combined order stays an exact integer in a JS number.
const SEMVER = /^(0|[1-9]\d{0,4})\.(0|[1-9]\d{0,4})\.(0|[1-9]\d{0,4})$/;

/** A sortable number for a version (each part < 100,000); throws invalid param if malformed. */
export function versionOrder(version: string, field = "commit_version"): number {
  const m = SEMVER.exec(version);
  if (!m) throw invalidParam(field, `"${version.slice(0, 64)}" is not a version like 1.0.0`);
  return (Number(m[1]) * 100_000 + Number(m[2])) * 100_000 + Number(m[3]);
}
