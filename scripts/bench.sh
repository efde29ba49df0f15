#!/usr/bin/env bash
# `deno task bench [suite] [args...]`: benchmarks against the real services (started with
# `scripts/services.sh up`). Suites: infra (default: id generator, Redis, ClickHouse, Kafka),
# auth (authenticated /v1/loop overhead vs a bare Hono handler; needs wrk), ingest (span
# ingestion end to end vs a direct insert), search (span search over 1M spans), mget
# (prompts/mget with a warm cache vs a bare Hono handler; needs wrk; `mget 10 50 embedded` over
# the embedded services), ingest-embedded (ingestion with no service configured), startup
# (embedded mode: `deno task start` to listening), register (p99 of an authenticated route
# during a burst of registrations, argon2id on the event loop vs in workers), ui-size (the web
# console's bundle, first load and lazy chunks, raw and gzipped), ui-trace (the console's trace
# view on a 10,000-span trace in headless Chromium: time to open it, frame times while scrolling
# it; `ui-trace [runs=3] [px_per_frame=400] [spans=10000]`). Each prints
# Markdown rows to paste into BENCHMARKS.md with the command that produced them.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=_service_env.sh
source "$ROOT/scripts/_service_env.sh"
lib=$ROOT/scripts/chdb_server/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so
if [ -z "${COZE_LOOP_CHDB_LIB:-}" ] && [ -f "$lib" ]; then export COZE_LOOP_CHDB_LIB=$lib; fi
suite=${1:-infra}
[ $# -gt 0 ] && shift
case "$suite" in
  infra) deno run --allow-all tests/bench/infra_bench.ts "$@" ;;
  auth)
    command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
    deno run --allow-all tests/bench/auth_bench.ts "$@"
    ;;
  ingest) deno run --allow-all tests/bench/ingest_bench.ts "$@" ;;
  ingest-embedded) deno run --allow-all tests/bench/ingest_embedded_bench.ts "$@" ;;
  search) deno run --allow-all tests/bench/search_bench.ts "$@" ;;
  mget)
    command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
    deno run --allow-all tests/bench/mget_bench.ts "$@"
    ;;
  startup) deno run --allow-all tests/bench/startup_bench.ts "$@" ;;
  register) deno run --allow-all tests/bench/register_bench.ts "$@" ;;
  ui-size) deno run --allow-all tests/bench/ui_size_bench.ts "$@" ;;
  # dataset-list: item list p50/p99 on a 30,000-item dataset; `dataset-list [real|embedded] [items] [samples]`
  dataset-list) deno run --allow-all tests/bench/dataset_list_bench.ts "$@" ;;
  ui-trace) deno run --allow-all tests/bench/ui_trace_bench.ts "$@" ;;
  # otlp: OTLP protobuf+gzip ingestion next to the SDK JSON path; `otlp [spans] [conns] [embedded|real|both]`
  otlp) deno run --allow-all --v8-flags=--expose-gc tests/bench/otlp_bench.ts "$@" ;;
  # startup-heap: the V8 heap held by the server's code (main.ts and its imports) before any work
  startup-heap) deno run --allow-all --v8-flags=--expose-gc tests/bench/startup_heap.ts "$@" ;;
  # dataset-import: rows/s and server RSS importing a CSV of 5 text fields; `dataset-import [real|embedded|both] [rows=100000] [cell_bytes=24]`
  dataset-import) deno run --allow-all tests/bench/dataset_import_bench.ts "$@" ;;
  # code-sandbox: per-record overhead of the code evaluator sandbox, cold and warm; `code-sandbox [runs]`
  code-sandbox) deno run --allow-all tests/bench/code_sandbox_bench.ts "$@" ;;
  # experiment: wall time of an experiment (prompt target + JS + judge on an instant model); `experiment [real|embedded|both] [items=1000] [concur=10]`
  experiment) deno run --allow-all tests/bench/experiment_bench.ts "$@" ;;
  *) echo "unknown suite '$suite' (infra, auth, ingest, ingest-embedded, search, mget, startup, register, ui-size, ui-trace, code-sandbox, otlp, startup-heap, dataset-import, experiment)" >&2; exit 2 ;;
esac
