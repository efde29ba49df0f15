#!/usr/bin/env bash
# Installs, starts and stops the real services the tests and `deno task dev` talk to,
# natively (no Docker): MariaDB, Redis, Ceph RGW (S3), the ClickHouse engine behind our
# HTTP endpoint, and Apache Kafka. Every step is idempotent; processes are tracked by pid.
#
#   scripts/services.sh up   [svc...]   install what is missing, start, wait until ready
#   scripts/services.sh down [svc...]   stop what this script started (by pid)
#   scripts/services.sh stop  svc...    stop the serving process, keeping its data (fault tests)
#   scripts/services.sh start svc...    start it again without reinstalling
#   scripts/services.sh status          one line per service
#   scripts/services.sh env             the COZE_LOOP_* variables that point at them
#
# Services: mysql redis s3 clickhouse kafka. State lives in $COZE_LOOP_SERVICES_DIR
# (default: <repo>/.services).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${COZE_LOOP_SERVICES_DIR:-$ROOT/.services}
mkdir -p "$STATE"
ALL_SERVICES=(mysql redis s3 clickhouse kafka)

# shellcheck source=services/_common.sh
source "$ROOT/scripts/services/_common.sh"
for svc in "${ALL_SERVICES[@]}"; do
  # shellcheck disable=SC1090
  source "$ROOT/scripts/services/$svc.sh"
done

cmd=${1:-}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${ALL_SERVICES[@]}")
for svc in "${targets[@]}"; do
  case " ${ALL_SERVICES[*]} " in *" $svc "*) ;; *) die "unknown service '$svc' (known: ${ALL_SERVICES[*]})" ;; esac
done

case "$cmd" in
  up)
    for svc in "${targets[@]}"; do "${svc}_install"; done
    for svc in "${targets[@]}"; do "${svc}_start"; done
    ;;
  start) for svc in "${targets[@]}"; do "${svc}_start"; done ;;
  stop) for svc in "${targets[@]}"; do "${svc}_stop"; done ;;
  down)
    for ((i = ${#targets[@]} - 1; i >= 0; i--)); do "${targets[$i]}_down"; done
    ;;
  status)
    for svc in "${targets[@]}"; do
      if "${svc}_running"; then echo "$svc: up"; else echo "$svc: down"; fi
    done
    ;;
  env) for svc in "${ALL_SERVICES[@]}"; do "${svc}_env"; done ;;
  *) die "usage: $0 up|down|start|stop|status|env [service...]" ;;
esac
