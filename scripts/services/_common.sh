# Helpers shared by the per-service scripts (sourced by scripts/services.sh).
# Each service file defines:
#   <svc>_install  install what is missing (idempotent, quiet when nothing to do)
#   <svc>_start    start whatever is not running and wait until it answers (idempotent)
#   <svc>_stop     stop the serving process but keep its data (used by fault tests)
#   <svc>_down     stop every process of the service
#   <svc>_running  exit 0 when it answers
#   <svc>_env      print `export NAME=value` lines pointing the project at it

log() { echo "[services] $*" >&2; }
die() {
  echo "[services] ERROR: $*" >&2
  exit 1
}

# Fails naming the service and printing the tail of its log.
fail_service() { # name logfile message
  echo "[services] ERROR: $1 did not come up: $3" >&2
  if [ -n "${2:-}" ] && [ -f "$2" ]; then
    echo "[services] last lines of $2:" >&2
    tail -n 40 "$2" >&2
  fi
  exit 1
}

# True when the process is alive. Not `kill -0` alone: where PID 1 does not reap orphans,
# a dead service lingers as a zombie and `kill -0` still succeeds.
proc_alive() { # pid
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null && ! grep -qE '^[0-9]+ \(.*\) Z' "/proc/$1/stat" 2>/dev/null
}

# True when the pid recorded in the file is alive.
pid_alive() { # pidfile
  [ -f "$1" ] && proc_alive "$(cat "$1")"
}

# Stops the process whose pid is in the file: TERM, wait, then KILL. Never by name.
stop_pid() { # pidfile name
  local pidfile=$1 name=$2 pid i
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if proc_alive "$pid"; then
    log "stopping $name (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      proc_alive "$pid" || break
      sleep 0.1
    done
    proc_alive "$pid" && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# Polls a command until it succeeds or the timeout (seconds) passes.
wait_until() { # timeout cmd...
  local timeout=$1 i
  shift
  for ((i = 0; i < timeout * 5; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  return 1
}

# Installs Debian packages that are missing (idempotent; quiet when all are present).
apt_ensure() { # package...
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" >"$STATE/apt.log" 2>&1 ||
    { apt-get update >>"$STATE/apt.log" 2>&1 && apt-get install -y --no-install-recommends "${missing[@]}" >>"$STATE/apt.log" 2>&1; } ||
    fail_service "apt" "$STATE/apt.log" "could not install ${missing[*]}"
}

port_open() { # port
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
