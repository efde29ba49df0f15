# ClickHouse: no ClickHouse server can be installed here, so the engine itself (npm `chdb`) runs
# behind our test-only endpoint scripts/chdb_server, which speaks ClickHouse's HTTP interface
# (what @clickhouse/client uses). Data persists in $STATE/clickhouse/data.
CLICKHOUSE_PORT=${COZE_LOOP_TEST_CLICKHOUSE_PORT:-18123}
CLICKHOUSE_DIR=$STATE/clickhouse
CLICKHOUSE_APP=$ROOT/scripts/chdb_server
CLICKHOUSE_PASSWORD=cozeloop-clickhouse
CLICKHOUSE_DATABASE=cozeloop
CLICKHOUSE_NAME="ClickHouse (127.0.0.1:$CLICKHOUSE_PORT)"

# node_modules is (re)installed whenever package-lock.json changed since the last install.
clickhouse_install() {
  # Only when the commands are missing: Debian's npm conflicts with NodeSource's nodejs.
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then apt_ensure nodejs npm; fi
  local stamp=$CLICKHOUSE_APP/node_modules/.cozeloop-lock-sha256 want
  want=$(sha256sum "$CLICKHOUSE_APP/package-lock.json" | cut -d' ' -f1)
  if [ -d "$CLICKHOUSE_APP/node_modules/chdb" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then return 0; fi
  mkdir -p "$CLICKHOUSE_DIR"
  log "installing the ClickHouse engine (npm chdb, ~550 MB) in scripts/chdb_server"
  # Not `npm ci`: chdb lists engine packages for other platforms that were never published at
  # its version, so the lock cannot hold them and `npm ci` calls it out of sync. `npm install`
  # still installs exactly the locked versions; --no-save keeps the committed lock untouched,
  # and chdb's install script is a no-op.
  (cd "$CLICKHOUSE_APP" && npm install --no-save --no-audit --no-fund --ignore-scripts) >"$CLICKHOUSE_DIR/install.log" 2>&1 ||
    fail_service "$CLICKHOUSE_NAME" "$CLICKHOUSE_DIR/install.log" "npm install failed"
  echo "$want" >"$stamp"
}

# Runs one statement through the endpoint (as a client would) and prints the answer.
clickhouse_query() { # sql
  CH_URL="http://127.0.0.1:$CLICKHOUSE_PORT/" CH_AUTH="default:$CLICKHOUSE_PASSWORD" node -e '
    const auth = "Basic " + Buffer.from(process.env.CH_AUTH).toString("base64");
    fetch(process.env.CH_URL, { method: "POST", body: process.argv[1], headers: { Authorization: auth } })
      .then(async (r) => { process.stdout.write(await r.text()); process.exitCode = r.ok ? 0 : 1; })
      .catch((e) => { console.error(e.message); process.exitCode = 1; });' "$1"
}

clickhouse_running() {
  node -e 'fetch(process.argv[1]).then(async (r) => { process.exitCode = r.ok && (await r.text()) === "Ok.\n" ? 0 : 1; },
    () => { process.exitCode = 1; })' "http://127.0.0.1:$CLICKHOUSE_PORT/ping" 2>/dev/null
}

clickhouse_start() {
  local pidfile=$CLICKHOUSE_DIR/server.pid logfile=$CLICKHOUSE_DIR/server.log
  if pid_alive "$pidfile"; then
    # Ours and answering (or still starting): done. Alive but mute: replace it.
    wait_until 10 clickhouse_running && return 0
    stop_pid "$pidfile" ClickHouse
  fi
  [ -d "$CLICKHOUSE_APP/node_modules/chdb" ] ||
    fail_service "$CLICKHOUSE_NAME" "" "scripts/chdb_server/node_modules is missing: run scripts/services.sh up clickhouse"
  port_open "$CLICKHOUSE_PORT" &&
    fail_service "$CLICKHOUSE_NAME" "" "port $CLICKHOUSE_PORT is taken by a process this script did not start"
  mkdir -p "$CLICKHOUSE_DIR/data"
  log "starting ClickHouse (chdb engine behind scripts/chdb_server) on 127.0.0.1:$CLICKHOUSE_PORT"
  # Without job control the background job is no process-group leader, so setsid execs node
  # in place and $! is the server's own pid.
  CHDB_DATA_DIR=$CLICKHOUSE_DIR/data CHDB_PORT=$CLICKHOUSE_PORT CHDB_HOST=127.0.0.1 \
    CHDB_PASSWORD=$CLICKHOUSE_PASSWORD TZ=UTC \
    setsid node "$CLICKHOUSE_APP/server.mjs" >>"$logfile" 2>&1 </dev/null &
  echo $! >"$pidfile"
  wait_until 30 clickhouse_running || fail_service "$CLICKHOUSE_NAME" "$logfile" "no answer to /ping within 30 s"
  clickhouse_query "CREATE DATABASE IF NOT EXISTS \`$CLICKHOUSE_DATABASE\`" >>"$logfile" 2>&1 ||
    fail_service "$CLICKHOUSE_NAME" "$logfile" "could not create database $CLICKHOUSE_DATABASE"
}

clickhouse_stop() { stop_pid "$CLICKHOUSE_DIR/server.pid" ClickHouse; }
clickhouse_down() { clickhouse_stop; }

clickhouse_env() {
  cat <<ENV
export COZE_LOOP_CLICKHOUSE_DOMAIN=127.0.0.1
export COZE_LOOP_CLICKHOUSE_PORT=$CLICKHOUSE_PORT
export COZE_LOOP_CLICKHOUSE_USER=default
export COZE_LOOP_CLICKHOUSE_PASSWORD=$CLICKHOUSE_PASSWORD
export COZE_LOOP_CLICKHOUSE_DATABASE=$CLICKHOUSE_DATABASE
ENV
}
