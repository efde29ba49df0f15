/** Evaluator versions are semantic versions (`1.2.3`); their order is numeric, part by part. */
import { invalidParam } from "../errors.ts";

const SEMVER = /^(\d{1,4})\.(\d{1,4})\.(\d{1,4})$/;

/** The order of `version` (1.0.0 < 1.0.10 < 1.1.0); throws `invalid param` when malformed. */
export function versionOrder(version: string): number {
  const m = SEMVER.exec(version);
  if (!m) throw invalidParam("version", "a semantic version such as 1.0.0 (each part 0..9999)");
  const order = Number(m[1]) * 1e8 + Number(m[2]) * 1e4 + Number(m[3]);
  // 0 is the draft's.
  if (order === 0) throw invalidParam("version", "must be above 0.0.0");
  return order;
}
