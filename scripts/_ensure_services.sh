# Sourced by test.sh (before _service_env.sh): makes sure every real service the tests need
# runs. A service the caller pointed at (its COZE_LOOP_* address variable is set) is used as
# it is; each of the project's own services that is down is installed if missing and
# started, and only those are taken down again when the run ends (`services_cleanup`).
# Where that cannot work (not root, not Debian), one sentence says so before any test runs.

# The variable that points the server at each service.
declare -A SERVICE_ADDRESS_VAR=(
  [mysql]=COZE_LOOP_MYSQL_DOMAIN
  [redis]=COZE_LOOP_REDIS_DOMAIN
  [s3]=COZE_LOOP_OSS_DOMAIN
  [clickhouse]=COZE_LOOP_CLICKHOUSE_DOMAIN
  [kafka]=COZE_LOOP_KAFKA_BROKERS
)
STARTED_SERVICES=()

# Starts what is down; exits the script with one sentence when it cannot.
ensure_services() {
  local svc var missing=()
  for svc in mysql redis s3 clickhouse kafka; do
    var=${SERVICE_ADDRESS_VAR[$svc]}
    [ -n "${!var:-}" ] && continue # the caller's own service
    bash "$ROOT/scripts/services.sh" status "$svc" | grep -q ': up$' || missing+=("$svc")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "[test] Cannot start ${missing[*]}: deno task test installs the real services with" \
      "apt-get as root on Debian; run it as root on Debian, or start them yourself and point" \
      "the COZE_LOOP_* variables at them (see README, 'Real services')." >&2
    exit 2
  fi
  echo "[test] starting ${missing[*]} (stopped again at the end)"
  STARTED_SERVICES=("${missing[@]}")
  if ! bash "$ROOT/scripts/services.sh" up "${missing[@]}"; then
    echo "[test] Cannot start ${missing[*]}: scripts/services.sh up failed (see above)." >&2
    services_cleanup
    exit 2
  fi
}

# Takes down the services this run started.
services_cleanup() {
  [ ${#STARTED_SERVICES[@]} -eq 0 ] && return 0
  echo "[test] stopping ${STARTED_SERVICES[*]}"
  bash "$ROOT/scripts/services.sh" down "${STARTED_SERVICES[@]}" || true
  STARTED_SERVICES=()
}
