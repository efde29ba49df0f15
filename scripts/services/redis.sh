# Redis from Debian's packages, no persistence, password-protected, on 127.0.0.1.
REDIS_PORT=${COZE_LOOP_TEST_REDIS_PORT:-16379}
REDIS_DIR=$STATE/redis
REDIS_PASSWORD=cozeloop-redis

redis_install() {
  apt_ensure redis-server redis-tools
}

redis_running() {
  [ "$(REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
}

redis_start() {
  if pid_alive "$REDIS_DIR/redis.pid" && redis_running; then return 0; fi
  mkdir -p "$REDIS_DIR"
  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --pidfile "$REDIS_DIR/redis.pid" \
    --dir "$REDIS_DIR" --logfile "$REDIS_DIR/redis.log" --save '' --appendonly no \
    --requirepass "$REDIS_PASSWORD" ||
    fail_service "Redis (127.0.0.1:$REDIS_PORT)" "$REDIS_DIR/redis.log" "redis-server failed to start"
  wait_until 20 redis_running || fail_service "Redis (127.0.0.1:$REDIS_PORT)" "$REDIS_DIR/redis.log" "no PONG within 20 s"
}

redis_stop() { stop_pid "$REDIS_DIR/redis.pid" Redis; }
redis_down() { redis_stop; }

redis_env() {
  cat <<ENV
export COZE_LOOP_REDIS_DOMAIN=127.0.0.1
export COZE_LOOP_REDIS_PORT=$REDIS_PORT
export COZE_LOOP_REDIS_PASSWORD=$REDIS_PASSWORD
ENV
}
