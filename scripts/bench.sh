#!/usr/bin/env bash
# `deno task bench`: the benchmarks against the real services (started with
# `scripts/services.sh up`). Prints Markdown rows to paste into BENCHMARKS.md.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
while IFS= read -r line; do
  name=${line#export }
  name=${name%%=*}
  [ -z "${!name:-}" ] && eval "$line"
done < <(bash scripts/services.sh env)
deno run --allow-all tests/bench/infra_bench.ts "$@"
