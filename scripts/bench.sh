#!/usr/bin/env bash
# `deno task bench`: the benchmarks against the real services (started with
# `scripts/services.sh up`). Prints Markdown rows to paste into BENCHMARKS.md.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=_service_env.sh
source "$ROOT/scripts/_service_env.sh"
deno run --allow-all tests/bench/infra_bench.ts "$@"
