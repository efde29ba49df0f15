#!/usr/bin/env bash
# `deno task test`: runs every test against the real services and ends with a plain
# "N passed, M failed" line. Service addresses come from the environment; any COZE_LOOP_*
# variable left unset is taken from `scripts/services.sh env` (the services it starts).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=_service_env.sh
source "$ROOT/scripts/_service_env.sh"

out=$(mktemp)
trap 'rm -f "$out"' EXIT
deno test --allow-all --no-check=remote "$@" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
# deno prints e.g. "ok | 12 passed (3 steps) | 0 failed | 1 ignored (9s)".
summary=$(sed 's/\x1b\[[0-9;]*m//g' "$out" | grep -E '^(ok|FAILED) \|' | tail -n 1)
passed=$(sed -nE 's/.*\| ([0-9]+) passed.*/\1/p' <<<"$summary")
failed=$(sed -nE 's/.*\| ([0-9]+) failed.*/\1/p' <<<"$summary")
echo
echo "${passed:-0} passed, ${failed:-0} failed"
if [ "$status" -ne 0 ] && [ "${failed:-0}" = 0 ]; then
  echo "deno test exited with status $status before reporting failures (see above)"
fi
exit "$status"
