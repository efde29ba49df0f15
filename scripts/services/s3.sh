# S3 from Ceph's RADOS Gateway (Debian's radosgw) on a throwaway one-node cluster under
# $STATE/s3: one monitor, one RAM-backed memstore OSD, no cephx, one radosgw on 127.0.0.1.
# `s3_stop` stops only radosgw (the monitor and OSD keep the data); after `s3_down`, or once
# the monitor or OSD has died, the next start builds a new, empty cluster.
S3_PORT=${COZE_LOOP_TEST_S3_PORT:-17480}
S3_MON_PORT=${COZE_LOOP_TEST_S3_MON_PORT:-17489}
S3_DIR=$STATE/s3
S3_CONF=$S3_DIR/ceph.conf
S3_NAME="Ceph RGW (127.0.0.1:$S3_PORT)"
S3_ACCESS_KEY=cozeloop
S3_SECRET_KEY=cozeloop-s3-secret
S3_BUCKET=cozeloop
# RAM the OSD may fill with objects (memstore); written into ceph.conf.
S3_MEMSTORE_BYTES=3221225472

s3_install() { apt_ensure radosgw ceph-mon ceph-osd ceph-common; }

# True when $S3_DIR/<daemon>.pid names a live process of /usr/bin/<binary>. Checking the
# binary keeps a pid reused after a reboot from being taken for ours, or killed as ours,
# and sees through zombies (init here does not reap them, and kill -0 succeeds on them).
_s3_alive() { # daemon binary
  local pid
  pid=$(cat "$S3_DIR/$1.pid" 2>/dev/null) || return 1
  [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "/usr/bin/$2" ]
}

_s3_http_ok() {
  [ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$S3_PORT/" 2>/dev/null)" = 200 ]
}

# The anonymous listing at / never reaches the OSD, so the gateway keeps answering it
# after the OSD or monitor died while every real request hangs: check those too.
s3_running() {
  _s3_alive mon ceph-mon && _s3_alive osd ceph-osd && _s3_alive rgw radosgw && _s3_http_ok
}

_s3_kill() { # daemon binary [now]
  local i
  if ! _s3_alive "$1" "$2"; then
    rm -f "$S3_DIR/$1.pid"
  elif [ -n "${3:-}" ]; then
    kill -9 "$(cat "$S3_DIR/$1.pid")" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do _s3_alive "$1" "$2" || break; sleep 0.1; done
    rm -f "$S3_DIR/$1.pid"
  else
    stop_pid "$S3_DIR/$1.pid" "$2"
  fi
}

# Runs a Ceph daemon in the foreground (-f) of its own session and records its pid; with
# job control off, setsid execs in place, so $! is the daemon itself.
_s3_spawn() { # daemon binary args...
  local daemon=$1 bin=$2
  shift 2
  setsid "$bin" -c "$S3_CONF" -f "$@" </dev/null >>"$S3_DIR/log/$daemon.out" 2>&1 &
  echo $! >"$S3_DIR/$daemon.pid"
}

_s3_ceph() { timeout 20 ceph -c "$S3_CONF" --connect-timeout 10 "$@"; }
_s3_osd_up() { _s3_ceph osd stat | grep -q ' 1 up'; }

# Like wait_until, but by the clock (a `ceph` call itself takes a while), and giving up
# at once when the daemon it waits for has exited.
_s3_wait() { # seconds daemon binary what logfile cmd...
  local secs=$1 daemon=$2 bin=$3 what=$4 logfile=$5 end=$((SECONDS + $1))
  shift 5
  until "$@" >/dev/null 2>&1; do
    _s3_alive "$daemon" "$bin" || fail_service "$S3_NAME" "$logfile" "$bin exited ($what)"
    ((SECONDS < end)) || fail_service "$S3_NAME" "$logfile" "$what within $secs s"
    sleep 0.3
  done
}

_s3_write_conf() { # fsid
  cat >"$S3_CONF" <<CONF
[global]
fsid = $1
mon initial members = a
mon host = v1:127.0.0.1:$S3_MON_PORT
# With msgr2 bound the monitor loops on an authentication error; v1 alone works.
ms bind msgr2 = false
auth cluster required = none
auth service required = none
auth client required = none
# Every path inside $S3_DIR, so nothing in /etc/ceph, /var/lib/ceph, /run/ceph or
# /var/log/ceph is read or touched (a system Ceph can live alongside).
keyring = $S3_DIR/keyring
run dir = $S3_DIR/run
admin socket = $S3_DIR/run/\$name.asok
log file = $S3_DIR/log/\$name.log
mon cluster log file = $S3_DIR/log/cluster.log
crash dir = $S3_DIR/crash
mon data = $S3_DIR/mon
osd data = $S3_DIR/osd
osd journal = $S3_DIR/osd/journal
rgw data = $S3_DIR/rgw
# Each monitor change (a pool, an OSD boot) waits out this interval, 1 s by default;
# creating the cluster and the gateway's pools is mostly such changes.
paxos propose interval = 0.05
# The monitor shuts itself down when its disk has less than 5 % free; its store is tiny.
mon data avail crit = 0
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
# A booting OSD files its crush place and device class as monitor commands, sometimes
# before it has the monitor map; without cephx nothing waits for that, the command goes
# out with a zero fsid, is refused ("wrong fsid") and the OSD exits. We place it instead.
osd crush update on start = false
osd class update on start = false
# Objects live in the OSD's RAM, at about twice their size; near full it stops taking
# writes (requests hang). 1 GiB holds ~850 MB of S3 data, with the OSD at ~2.3 GB RSS;
# tests upload a few hundred MB at a time, so 3 GiB (RAM used only as objects arrive).
osd objectstore = memstore
memstore device bytes = $S3_MEMSTORE_BYTES

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$S3_PORT
# 512 worker threads by default; tests need far fewer.
rgw thread pool size = 64
# Lifecycle workers sleep 5 s at a time and shutdown waits them out, so stopping the
# gateway took 6-10 s; nothing here sets bucket lifecycle rules.
rgw enable lc threads = false
# Deleted objects' tails wait for garbage collection (2 h by default) and the store is
# RAM: a full OSD blocks writes instead of failing them, so collect within a minute.
rgw gc obj min wait = 60
rgw gc processor period = 60
CONF
}

# Builds the cluster from nothing (the caller has wiped $S3_DIR).
_s3_create() {
  local fsid osd_uuid log=$S3_DIR/log/create.log
  log "creating the Ceph cluster for S3 under $S3_DIR"
  fsid=$(cat /proc/sys/kernel/random/uuid)
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  port_open "$S3_MON_PORT" && fail_service "$S3_NAME" "" "monitor port $S3_MON_PORT is taken by another process"
  mkdir -p "$S3_DIR"/{run,log,crash,mon,osd,rgw}
  _s3_write_conf "$fsid"
  {
    ceph-authtool --create-keyring "$S3_DIR/keyring" --gen-key -n mon. --cap mon 'allow *' &&
      monmaptool --create --fsid "$fsid" --addv a "[v1:127.0.0.1:$S3_MON_PORT]" "$S3_DIR/monmap" &&
      ceph-mon -c "$S3_CONF" -i a --mkfs --monmap "$S3_DIR/monmap" --keyring "$S3_DIR/keyring"
  } >>"$log" 2>&1 || fail_service "$S3_NAME" "$log" "ceph-mon --mkfs failed"
  _s3_spawn mon ceph-mon -i a
  _s3_wait 30 mon ceph-mon "monitor not answering" "$S3_DIR/log/mon.a.log" _s3_ceph mon stat
  {
    _s3_ceph osd create "$osd_uuid" &&
      _s3_ceph osd crush add osd.0 1.0 root=default &&
      ceph-osd -c "$S3_CONF" -i 0 --mkfs --osd-uuid "$osd_uuid"
  } >>"$log" 2>&1 || fail_service "$S3_NAME" "$log" "ceph-osd --mkfs failed"
  _s3_spawn osd ceph-osd -i 0
  _s3_wait 60 osd ceph-osd "OSD not up" "$S3_DIR/log/osd.0.log" _s3_osd_up
  timeout 120 radosgw-admin -c "$S3_CONF" user create --uid=cozeloop --display-name=cozeloop \
    --access-key="$S3_ACCESS_KEY" --secret-key="$S3_SECRET_KEY" >>"$log" 2>&1 ||
    fail_service "$S3_NAME" "$log" "radosgw-admin user create failed"
  touch "$S3_DIR/created"
}

# The monitor and OSD hold the data: reuse them only when both live, the cluster was
# fully created, and it was made for the ports asked for now.
_s3_cluster_ok() {
  _s3_alive mon ceph-mon && _s3_alive osd ceph-osd && [ -f "$S3_DIR/created" ] &&
    grep -sqxF "mon host = v1:127.0.0.1:$S3_MON_PORT" "$S3_CONF" &&
    grep -sqxF "rgw frontends = beast endpoint=127.0.0.1:$S3_PORT" "$S3_CONF" &&
    grep -sqxF "memstore device bytes = $S3_MEMSTORE_BYTES" "$S3_CONF"
}

s3_start() {
  if _s3_cluster_ok && s3_running; then return 0; fi
  if ! _s3_cluster_ok; then
    # memstore keeps objects in RAM only: once the OSD (or the monitor that maps it) is
    # gone, what is left on disk no longer matches, so start over from nothing. Leftovers
    # get KILL: a gateway whose OSD is gone needs ~10 s to give up on TERM.
    [ -f "$S3_DIR/created" ] && log "Ceph monitor/OSD for S3 died or its settings changed; recreating the cluster (S3 data is lost)"
    _s3_kill rgw radosgw now
    _s3_kill osd ceph-osd now
    _s3_kill mon ceph-mon now
    rm -rf "$S3_DIR"
    _s3_create
  fi
  if ! _s3_alive rgw radosgw; then
    # radosgw lingers for a while after failing to bind, and whatever holds the port
    # might answer the readiness probe in its place.
    port_open "$S3_PORT" && fail_service "$S3_NAME" "" "port $S3_PORT is taken by another process"
    log "starting Ceph RGW on 127.0.0.1:$S3_PORT"
    _s3_spawn rgw radosgw -n client.rgw.a
  fi
  _s3_wait 60 rgw radosgw "no HTTP 200" "$S3_DIR/log/client.rgw.a.log" s3_running
}

s3_stop() { _s3_kill rgw radosgw; }

s3_down() {
  _s3_kill rgw radosgw
  _s3_kill osd ceph-osd
  _s3_kill mon ceph-mon
  rm -f "$S3_DIR/created" # the data went with the OSD: the next start begins anew
}

s3_env() {
  cat <<ENV
export COZE_LOOP_OSS_PROTOCOL=http
export COZE_LOOP_OSS_DOMAIN=127.0.0.1
export COZE_LOOP_OSS_PORT=$S3_PORT
export COZE_LOOP_OSS_REGION=us-east-1
export COZE_LOOP_OSS_USER=$S3_ACCESS_KEY
export COZE_LOOP_OSS_PASSWORD=$S3_SECRET_KEY
export COZE_LOOP_OSS_BUCKET=$S3_BUCKET
ENV
}
