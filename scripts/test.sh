#!/usr/bin/env bash
# `deno task test`: runs every test against the real services and, at the same time, the
# end-to-end tests again with the server in embedded mode (no service at all, inside its
# permission sandbox),
# and ends with one plain "N passed, M failed" line. It sets up what it needs by itself: the
# real services (started if down, and stopped again at the end; a service the caller points
# at with its COZE_LOOP_* variables is used as it is) and the official SDKs. Any COZE_LOOP_*
# variable left unset is taken from `scripts/services.sh env`.
# With arguments, runs only those files, once, in the mode COZE_LOOP_TEST_MODE names.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=_ensure_services.sh
source "$ROOT/scripts/_ensure_services.sh"
ensure_services
trap services_cleanup EXIT
# shellcheck source=_service_env.sh
source "$ROOT/scripts/_service_env.sh"
# The embedded ClickHouse engine: the copy the services script installed (not a second download).
lib=$ROOT/scripts/chdb_server/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so
if [ -z "${COZE_LOOP_CHDB_LIB:-}" ] && [ -f "$lib" ]; then export COZE_LOOP_CHDB_LIB=$lib; fi

bash "$ROOT/scripts/sdk_setup.sh" || echo "[test] scripts/sdk_setup.sh failed: the SDK tests (tests/sdk) will fail"
bash "$ROOT/scripts/fuzz_setup.sh" || echo "[test] scripts/fuzz_setup.sh failed: the API fuzzer (tests/fuzz) will fail"
bash "$ROOT/scripts/browser_setup.sh" || echo "[test] scripts/browser_setup.sh failed: the browser tests (tests/browser) will be ignored"
out=$(mktemp)
emb=$(mktemp)
trap 'rm -f "$out" "$emb" "$emb.code"; services_cleanup' EXIT
total_passed=0
total_failed=0
total_ignored=0
status=0

# Adds the counts of a phase's output (file) and exit code to the totals.
tally() { # label, output file, exit code
  local label=$1 log=$2 code=$3
  # deno prints e.g. "ok | 12 passed (3 steps) | 0 failed | 1 ignored (9s)".
  local summary passed failed ignored
  summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^(ok|FAILED) \|' | tail -n 1)
  passed=$(sed -nE 's/.*\| ([0-9]+) passed.*/\1/p' <<<"$summary")
  failed=$(sed -nE 's/.*\| ([0-9]+) failed.*/\1/p' <<<"$summary")
  ignored=$(sed -nE 's/.*\| ([0-9]+) ignored.*/\1/p' <<<"$summary")
  total_ignored=$((total_ignored + ${ignored:-0}))
  total_passed=$((total_passed + ${passed:-0}))
  total_failed=$((total_failed + ${failed:-0}))
  if [ "$code" -ne 0 ]; then
    status=$code
    if [ "${failed:-0}" = 0 ]; then
      echo "deno test ($label) exited with status $code before reporting failures (see above)"
      total_failed=$((total_failed + 1))
    fi
  fi
}

# Runs one `deno test` phase, its output shown as it comes; adds its counts to the totals.
phase() { # label, deno test arguments...
  local label=$1
  shift
  echo "[test] $label"
  deno test --allow-all --no-check=remote "$@" 2>&1 | tee "$out"
  tally "$label" "$out" "${PIPESTATUS[0]}"
}

if [ $# -gt 0 ]; then
  phase "${COZE_LOOP_TEST_MODE:-real} mode: $*" "$@"
else
  # The embedded phase needs no service and shares nothing with the real one (each server has
  # its own data directory), so it runs alongside it; its output follows the real phase's.
  emb_label="end-to-end, SDK, browser and fuzz tests, embedded mode"
  (
    export COZE_LOOP_TEST_MODE=embedded
    deno test --allow-all --no-check=remote tests/e2e/ tests/sdk/ tests/browser/ tests/fuzz/ \
      >"$emb" 2>&1
    echo $? >"$emb.code"
  ) &
  emb_pid=$!
  phase "all tests, real services" tests/
  wait "$emb_pid"
  echo "[test] $emb_label (ran alongside the real-services phase)"
  cat "$emb"
  tally "$emb_label" "$emb" "$(cat "$emb.code" 2>/dev/null || echo 1)"
fi
echo
if [ "$total_ignored" -gt 0 ]; then echo "($total_ignored ignored: see the reasons in their names above)"; fi
echo "$total_passed passed, $total_failed failed"
exit "$status"
