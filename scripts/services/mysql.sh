# MariaDB from Debian's packages, in its own data directory on 127.0.0.1.
MYSQL_PORT=${COZE_LOOP_TEST_MYSQL_PORT:-13306}
MYSQL_DIR=$STATE/mysql
MYSQL_USER=cozeloop
MYSQL_PASSWORD=cozeloop-mysql
MYSQL_DATABASE=cozeloop

mysql_install() {
  apt_ensure mariadb-server mariadb-client
}

mysql_running() {
  mariadb-admin --no-defaults --protocol=tcp -h127.0.0.1 -P"$MYSQL_PORT" -u"$MYSQL_USER" -p"$MYSQL_PASSWORD" ping >/dev/null 2>&1
}

mysql_start() {
  if pid_alive "$MYSQL_DIR/mysqld.pid" && mysql_running; then return 0; fi
  mkdir -p "$MYSQL_DIR"
  if [ ! -d "$MYSQL_DIR/data/mysql" ]; then
    log "initializing MariaDB data directory"
    mariadb-install-db --no-defaults --datadir="$MYSQL_DIR/data" --user=root \
      --auth-root-authentication-method=normal --skip-test-db >"$MYSQL_DIR/install.log" 2>&1 ||
      fail_service "MariaDB (127.0.0.1:$MYSQL_PORT)" "$MYSQL_DIR/install.log" "mariadb-install-db failed"
  fi
  log "starting MariaDB on 127.0.0.1:$MYSQL_PORT"
  setsid mariadbd --no-defaults --datadir="$MYSQL_DIR/data" --user=root --bind-address=127.0.0.1 \
    --port="$MYSQL_PORT" --socket="$MYSQL_DIR/mysqld.sock" --pid-file="$MYSQL_DIR/mysqld.pid" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --max-connections=500 --innodb-buffer-pool-size=256M \
    >>"$MYSQL_DIR/mysqld.log" 2>&1 </dev/null &
  wait_until 60 mariadb-admin --no-defaults --socket="$MYSQL_DIR/mysqld.sock" -uroot ping ||
    fail_service "MariaDB (127.0.0.1:$MYSQL_PORT)" "$MYSQL_DIR/mysqld.log" "no answer to ping within 60 s"
  mariadb --no-defaults --socket="$MYSQL_DIR/mysqld.sock" -uroot <<SQL
CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$MYSQL_USER'@'127.0.0.1' IDENTIFIED BY '$MYSQL_PASSWORD';
CREATE USER IF NOT EXISTS '$MYSQL_USER'@'localhost' IDENTIFIED BY '$MYSQL_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO '$MYSQL_USER'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO '$MYSQL_USER'@'localhost';
FLUSH PRIVILEGES;
SQL
  wait_until 10 mysql_running || fail_service "MariaDB (127.0.0.1:$MYSQL_PORT)" "$MYSQL_DIR/mysqld.log" "user $MYSQL_USER cannot log in"
}

mysql_stop() { stop_pid "$MYSQL_DIR/mysqld.pid" MariaDB; }
mysql_down() { mysql_stop; }

mysql_env() {
  cat <<ENV
export COZE_LOOP_MYSQL_DOMAIN=127.0.0.1
export COZE_LOOP_MYSQL_PORT=$MYSQL_PORT
export COZE_LOOP_MYSQL_USER=$MYSQL_USER
export COZE_LOOP_MYSQL_PASSWORD=$MYSQL_PASSWORD
export COZE_LOOP_MYSQL_DATABASE=$MYSQL_DATABASE
ENV
}
