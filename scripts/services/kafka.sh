# Apache Kafka 4.x, a single KRaft node (broker + controller in one JVM) on 127.0.0.1.
# Neither npm nor Debian ships a real broker, but Maven Central has Kafka's jars: the small
# pom next to this file resolves them into ~/.m2 and copies them into $KAFKA_LIB. That copy
# lives in a per-user cache, not in $STATE, so a fresh clone or state dir (CI) skips Maven.
KAFKA_PORT=${COZE_LOOP_TEST_KAFKA_PORT:-19092}
KAFKA_CONTROLLER_PORT=${COZE_LOOP_TEST_KAFKA_CONTROLLER_PORT:-19093}
KAFKA_VERSION=${COZE_LOOP_TEST_KAFKA_VERSION:-4.4.0}
KAFKA_DIR=$STATE/kafka
KAFKA_LIB=${COZE_LOOP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cozeloop}/kafka-$KAFKA_VERSION
KAFKA_LOG=$KAFKA_DIR/kafka.log
KAFKA_NAME="Kafka (127.0.0.1:$KAFKA_PORT)"
KAFKA_JAVA=(java -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
  -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" -cp "$KAFKA_LIB/*")

kafka_install() {
  command -v java >/dev/null || apt_ensure openjdk-17-jre-headless
  [ -f "$KAFKA_LIB/.complete" ] && return 0
  command -v mvn >/dev/null || apt_ensure maven
  mkdir -p "$KAFKA_DIR" "$(dirname "$KAFKA_LIB")"
  log "resolving Apache Kafka $KAFKA_VERSION from Maven Central"
  rm -rf "$KAFKA_LIB.tmp"
  mvn -q -B -f "$ROOT/scripts/services/kafka/pom.xml" \
    -Dkafka.version="$KAFKA_VERSION" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIB.tmp" >"$KAFKA_DIR/maven.log" 2>&1 ||
    fail_service "$KAFKA_NAME" "$KAFKA_DIR/maven.log" "mvn dependency:copy-dependencies failed"
  touch "$KAFKA_LIB.tmp/.complete"
  rm -rf "$KAFKA_LIB"
  mv "$KAFKA_LIB.tmp" "$KAFKA_LIB"
}

# Sends a Metadata v4 request by hand (a JVM tool would take a second or more) and checks
# that the answer lists a broker and carries our cluster id: an open port is not enough, the
# broker listens before it has caught up with the metadata log and been unfenced, and the
# port may belong to a broker from another state dir.
kafka_running() {
  local id resp
  id=$(sed -n 's/^cluster\.id=//p' "$KAFKA_DIR/data/meta.properties" 2>/dev/null)
  [ -n "$id" ] || return 1
  resp=$(
    exec 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT" || exit 1
    # size 20 | api 3 (Metadata) v4 | correlation id 7 | client id "probe" | topics [] | no auto-create
    printf '\x00\x00\x00\x14\x00\x03\x00\x04\x00\x00\x00\x07\x00\x05probe\x00\x00\x00\x00\x00' >&3
    # GNU head -c never reads past its count, so the second head gets the rest of the answer.
    size=$(($(timeout 2 head -c 4 <&3 | od -An -tu4 --endian=big)))
    ((size > 0 && size < 65536)) || exit 1
    timeout 2 head -c "$size" <&3 | od -An -v -tx1 | tr -d ' \n'
  ) || return 1
  # as hex digits: correlation id(4) throttle(4) broker count(4) brokers... cluster id ...
  [ "${resp:0:8}" = 00000007 ] && [ "${resp:16:8}" != 00000000 ] &&
    [[ $resp == *"$(printf %s "$id" | od -An -v -tx1 | tr -d ' \n')"* ]]
}

_kafka_write_config() {
  mkdir -p "$KAFKA_DIR/data"
  # Static voters rather than --standalone's dynamic quorum: the controller's address then
  # lives only in this file, so a changed COZE_LOOP_TEST_KAFKA_CONTROLLER_PORT just works.
  cat >"$KAFKA_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
# One node: 50 partitions each (the defaults) only slow down the first group/transaction.
offsets.topic.num.partitions=1
transaction.state.log.num.partitions=1
# After an unclean exit the restarted broker cannot register until its old incarnation's
# session expires (default 9 s); a shorter session keeps such a restart near a clean one's.
broker.session.timeout.ms=4000
broker.heartbeat.interval.ms=1000
num.io.threads=4
num.network.threads=2
PROPS
  cat >"$KAFKA_DIR/log4j2.properties" <<PROPS
appender.file.type=File
appender.file.name=file
appender.file.fileName=$KAFKA_LOG
appender.file.layout.type=PatternLayout
appender.file.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=INFO
rootLogger.appenderRef.file.ref=file
logger.kafka.name=kafka
logger.kafka.level=INFO
logger.request.name=kafka.request.logger
logger.request.level=WARN
logger.statechange.name=state.change.logger
logger.statechange.level=WARN
PROPS
}

# The recorded pid is alive and still our broker (not a pid reused since a reboot).
_kafka_alive() {
  pid_alive "$KAFKA_DIR/kafka.pid" &&
    grep -qa kafka.Kafka "/proc/$(cat "$KAFKA_DIR/kafka.pid")/cmdline"
}

kafka_start() {
  if _kafka_alive && kafka_running; then return 0; fi
  [ -f "$KAFKA_LIB/.complete" ] || kafka_install
  kafka_stop # a broker that is alive but not answering is restarted
  _kafka_write_config
  [ -f "$KAFKA_LOG" ] && mv "$KAFKA_LOG" "$KAFKA_LOG.1"
  if [ ! -f "$KAFKA_DIR/data/meta.properties" ]; then
    log "formatting Kafka storage"
    # A cluster id is 16 random bytes in unpadded base64url (made here to spare a JVM start);
    # like Kafka's own Uuid.randomUuid, skip ids starting with '-', which read as an option.
    local cluster_id=-
    while [[ $cluster_id == -* ]]; do
      cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
    done
    "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format --cluster-id "$cluster_id" \
      --config "$KAFKA_DIR/server.properties" >"$KAFKA_DIR/format.log" 2>&1 ||
      fail_service "$KAFKA_NAME" "$KAFKA_DIR/format.log" "kafka.tools.StorageTool format failed"
  fi
  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT"
  # The JVM's own stdout/stderr (startup errors, crashes) go to the same file as log4j's.
  setsid "${KAFKA_JAVA[@]}" kafka.Kafka "$KAFKA_DIR/server.properties" \
    >>"$KAFKA_LOG" 2>&1 </dev/null &
  echo $! >"$KAFKA_DIR/kafka.pid"
  local i
  for ((i = 0; i < 300; i++)); do
    kafka_running && return 0
    _kafka_alive || fail_service "$KAFKA_NAME" "$KAFKA_LOG" "the broker exited ($(grep -m1 -E \
      '^[A-Za-z.]+(Exception|Error): ' "$KAFKA_LOG" || echo "see its log"))"
    sleep 0.2
  done
  fail_service "$KAFKA_NAME" "$KAFKA_LOG" "no metadata answer within 60 s"
}

_kafka_gone() { ! pid_alive "$KAFKA_DIR/kafka.pid"; }

kafka_stop() {
  _kafka_alive || { rm -f "$KAFKA_DIR/kafka.pid"; return 0; }
  log "stopping Kafka (pid $(cat "$KAFKA_DIR/kafka.pid"))"
  # SIGTERM runs a controlled shutdown (~2 s) that flushes the logs and spares the next start
  # a log recovery; it gets up to 30 s before stop_pid's SIGKILL.
  kill "$(cat "$KAFKA_DIR/kafka.pid")" 2>/dev/null || true
  wait_until 30 _kafka_gone || true
  stop_pid "$KAFKA_DIR/kafka.pid" Kafka # SIGKILL if it is still there; removes the pidfile
}
kafka_down() { kafka_stop; }

kafka_env() {
  echo "export COZE_LOOP_KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
}
