#!/usr/bin/env bash
# A throwaway MariaDB server for tests and benchmarks: no system service, no
# config files, everything (data, socket, pid, log) inside one directory.
#
#   mariadb-throwaway.sh start DIR PORT         init DIR, start, create one_auth db+user, print URL
#   mariadb-throwaway.sh stop DIR               stop the server and delete DIR
#   mariadb-throwaway.sh stop-server DIR        stop the server only, keep the data (outage)
#   mariadb-throwaway.sh start-server DIR PORT  start it again on the kept data (recovery), print URL
#
# Only the URL goes to stdout, so callers can do url=$(... start DIR PORT).
# Installs nothing: expects mariadbd on PATH or in /usr/sbin (Debian: mariadb-server).
set -euo pipefail

# Debian puts mariadbd in /usr/sbin, which a non-root PATH often lacks.
export PATH="$PATH:/usr/sbin"
USERS_SQL="$(dirname "${BASH_SOURCE[0]}")/mariadb-users.sql"
WAIT_SECONDS=30

die() { echo "mariadb-throwaway: $*" >&2; exit 1; }
usage() { die "usage: $0 start DIR PORT | stop DIR | stop-server DIR | start-server DIR PORT"; }

# True while the process in DIR/pid runs and is mariadbd. Checking the name
# keeps us from killing an unrelated process that reused a stale pid; a zombie
# (possible in containers whose pid 1 does not reap) counts as exited.
running() {
  local pid
  pid=$(cat "$DIR/pid" 2>/dev/null) || return 1
  [[ -r /proc/$pid/comm && $(cat "/proc/$pid/comm") == mariadbd* ]] || return 1
  [[ $(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f1) != Z ]]
}

start_server() {
  command -v mariadbd >/dev/null || die "mariadbd not found (apt-get install mariadb-server)"
  running && die "a server already runs from $DIR (pid $(cat "$DIR/pid"))"
  # Detached from our stdout/stdin: otherwise url=$(...) would wait for the
  # server to exit. --user=root lets it run when we are root (CI).
  mariadbd --no-defaults --datadir="$DIR/data" --port="$PORT" --bind-address=127.0.0.1 \
    --socket="$DIR/sock" --pid-file="$DIR/mariadbd.pid" --user=root \
    </dev/null >>"$DIR/log" 2>&1 &
  echo $! >"$DIR/pid"
  # Bounded wait until it answers over TCP, which is what the app uses. Asking
  # for its socket path proves the answer comes from this server, not from
  # another one already listening on PORT.
  local i
  for ((i = 0; i < WAIT_SECONDS * 4; i++)); do
    if [[ $(mariadb --no-defaults --protocol=tcp -h127.0.0.1 -P"$PORT" -uroot --connect-timeout=1 \
      -N -e 'SELECT @@socket' 2>/dev/null) == "$DIR/sock" ]]; then
      return 0
    fi
    running || break
    sleep 0.25
  done
  tail -n 30 "$DIR/log" >&2 || true
  stop_server
  die "server in $DIR did not answer on port $PORT (it exited, or took over ${WAIT_SECONDS}s; log above)"
}

stop_server() {
  if running; then
    local pid i
    pid=$(cat "$DIR/pid")
    kill "$pid"
    # Not our child (an earlier invocation started it), so poll instead of wait.
    for ((i = 0; i < WAIT_SECONDS * 4; i++)); do
      running || break
      sleep 0.25
    done
    if running; then
      echo "mariadb-throwaway: pid $pid ignored SIGTERM for ${WAIT_SECONDS}s, killing it" >&2
      kill -9 "$pid" 2>/dev/null || true
      sleep 0.5
    fi
  fi
  rm -f "$DIR/pid"
}

url() { echo "mysql://one_auth:one_auth@127.0.0.1:$PORT/one_auth"; }

[[ $# -ge 2 ]] || usage
CMD=$1
DIR=$2
PORT=${3:-}

case "$CMD" in
  start)
    [[ $PORT =~ ^[0-9]+$ ]] || usage
    [[ ! -e $DIR/data ]] || die "$DIR/data already exists: use start-server, or stop first"
    mkdir -p "$DIR"
    DIR=$(cd "$DIR" && pwd) # absolute: mariadbd resolves paths against its datadir
    mariadb-install-db --no-defaults --datadir="$DIR/data" --auth-root-authentication-method=normal \
      >>"$DIR/log" 2>&1 || { tail -n 30 "$DIR/log" >&2; die "mariadb-install-db failed"; }
    start_server
    # Root over the socket (passwordless with the 'normal' auth method).
    mariadb --no-defaults -uroot --socket="$DIR/sock" <"$USERS_SQL" >>"$DIR/log" 2>&1 || { tail -n 30 "$DIR/log" >&2; die "creating database/user failed"; }
    url
    ;;
  start-server)
    [[ $PORT =~ ^[0-9]+$ ]] || usage
    [[ -d $DIR/data ]] || die "$DIR/data not found: use start"
    DIR=$(cd "$DIR" && pwd)
    start_server
    url
    ;;
  stop-server)
    [[ -d $DIR ]] || die "$DIR not found"
    stop_server
    ;;
  stop)
    # Idempotent, so it can sit in an EXIT trap; refuses to delete a folder
    # that is not one of ours.
    [[ -e $DIR ]] || exit 0
    [[ -d $DIR/data || -f $DIR/log ]] || die "$DIR does not look like a throwaway server folder; not deleting it"
    stop_server
    rm -rf "$DIR"
    ;;
  *) usage ;;
esac
