#!/usr/bin/env bash
# A throwaway 3-node MariaDB Galera cluster on loopback for tests: no system
# service, no config outside DIR, each node its own datadir, port and socket.
#
#   galera-throwaway.sh start DIR [PORT [GALERA_PORT]]  init DIR, start 3 nodes, create one_auth db+user, print 3 URLs
#   galera-throwaway.sh stop DIR                        stop every node and delete DIR
#   galera-throwaway.sh kill-node DIR N                 SIGKILL node N (1-3): a crash, data kept
#   galera-throwaway.sh start-node DIR N                start node N again: it rejoins (IST, or SST by rsync)
#   galera-throwaway.sh status DIR                      cluster size and state as node 1..3 see it
#
# Node N listens on PORT+N-1 (default 3321), Galera group communication on
# GALERA_PORT+N-1 (default 4561), incremental state transfer on +10, full state
# transfer (rsync) on +20. Only the URLs go to stdout, one per node.
# Installs nothing: expects Debian's mariadb-server, galera-4 and rsync.
set -euo pipefail

export PATH="$PATH:/usr/sbin"
USERS_SQL="$(dirname "${BASH_SOURCE[0]}")/mariadb-users.sql"
WAIT_SECONDS=90
PROVIDER=/usr/lib/galera/libgalera_smm.so

die() { echo "galera-throwaway: $*" >&2; exit 1; }
usage() { die "usage: $0 start DIR [PORT [GALERA_PORT]] | stop DIR | kill-node DIR N | start-node DIR N | status DIR"; }

node_dir() { echo "$DIR/node$1"; }

running() {
  local pid
  pid=$(cat "$(node_dir "$1")/pid" 2>/dev/null) || return 1
  [[ -r /proc/$pid/comm && $(cat "/proc/$pid/comm") == mariadbd* ]] || return 1
  [[ $(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) != Z ]]
}

# The settings that matter for Galera (see docs/scaling.md); the
# rest keeps a throwaway node small and fast.
write_config() {
  local n=$1 dir port gport members=''
  dir=$(node_dir "$n")
  port=$((PORT + n - 1))
  gport=$((GALERA_PORT + n - 1))
  for i in 1 2 3; do members+="${members:+,}127.0.0.1:$((GALERA_PORT + i - 1))"; done
  cat >"$dir/my.cnf" <<CNF
[mariadbd]
datadir=$dir/data
port=$port
bind-address=127.0.0.1
socket=$dir/sock
pid-file=$dir/mariadbd.pid
user=mysql
innodb_buffer_pool_size=64M
innodb_log_file_size=16M
innodb_flush_log_at_trx_commit=2
skip-name-resolve
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider=$PROVIDER
wsrep_cluster_name=one_auth_throwaway
wsrep_cluster_address=gcomm://$members
wsrep_node_name=node$n
wsrep_node_address=127.0.0.1:$gport
wsrep_provider_options=gmcast.listen_addr=tcp://127.0.0.1:$gport;ist.recv_addr=127.0.0.1:$((gport + 10));gcache.size=64M;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;evs.install_timeout=PT6S
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:$((gport + 20))
wsrep_slave_threads=2
CNF
  echo "$port" >"$dir/port"
}

# Bounded wait until node N answers over TCP and Galera says it is synced.
wait_synced() {
  local n=$1 dir port i state
  dir=$(node_dir "$n")
  port=$(cat "$dir/port")
  for ((i = 0; i < WAIT_SECONDS * 4; i++)); do
    state=$(mariadb --no-defaults --protocol=tcp -h127.0.0.1 -P"$port" -uroot --connect-timeout=1 -N \
      -e "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2) || true
    [[ $state == Synced ]] && return 0
    running "$n" || break
    sleep 0.25
  done
  tail -n 40 "$dir/log" >&2 || true
  die "node $n did not reach Synced on port $port (it exited, or took over ${WAIT_SECONDS}s; log above)"
}

start_node() {
  local n=$1 dir
  shift
  dir=$(node_dir "$n")
  running "$n" && die "node $n already runs (pid $(cat "$dir/pid"))"
  # As mysql: the rsync SST daemon drops to the server's user and must write the datadir.
  chown -R mysql:mysql "$dir"
  mariadbd --defaults-file="$dir/my.cnf" "$@" </dev/null >>"$dir/log" 2>&1 &
  echo $! >"$dir/pid"
  wait_synced "$n"
}

stop_node() {
  local n=$1 signal=${2:-TERM} pid i
  running "$n" || { rm -f "$(node_dir "$n")/pid"; return 0; }
  pid=$(cat "$(node_dir "$n")/pid")
  kill "-$signal" "$pid"
  for ((i = 0; i < WAIT_SECONDS * 4; i++)); do
    running "$n" || break
    sleep 0.25
  done
  running "$n" && kill -9 "$pid" 2>/dev/null || true
  rm -f "$(node_dir "$n")/pid"
}

url() { echo "mysql://one_auth:one_auth@127.0.0.1:$(cat "$(node_dir "$1")/port")/one_auth"; }

[[ $# -ge 2 ]] || usage
CMD=$1
DIR=$2

case "$CMD" in
  start)
    PORT=${3:-3321}
    GALERA_PORT=${4:-4561}
    [[ $PORT =~ ^[0-9]+$ && $GALERA_PORT =~ ^[0-9]+$ ]] || usage
    [[ -f $PROVIDER ]] || die "$PROVIDER not found (apt-get install galera-4)"
    command -v rsync >/dev/null || die "rsync not found (apt-get install rsync)"
    [[ ! -e $DIR/node1 ]] || die "$DIR already holds a cluster: stop it first"
    mkdir -p "$DIR"
    DIR=$(cd "$DIR" && pwd)
    chmod 755 "$DIR"
    for n in 1 2 3; do
      mkdir -p "$(node_dir "$n")/data"
      write_config "$n"
    done
    chown -R mysql:mysql "$DIR"
    runuser -u mysql -- test -w "$DIR/node1/data" || die "user mysql cannot write $DIR (a parent folder is private?)"
    mariadb-install-db --no-defaults --datadir="$(node_dir 1)/data" --user=mysql --auth-root-authentication-method=normal \
      >>"$(node_dir 1)/log" 2>&1 || { tail -n 30 "$(node_dir 1)/log" >&2; die "mariadb-install-db failed"; }
    # The first node founds the cluster and gets the database and user.
    start_node 1 --wsrep-new-cluster
    mariadb --no-defaults -uroot --socket="$(node_dir 1)/sock" <"$USERS_SQL" >>"$(node_dir 1)/log" 2>&1 || die "creating database/user failed"
    # Then all three start from copies of its cleanly stopped datadir: same
    # cluster state everywhere, so joining needs no full state transfer (an
    # rsync SST takes about a minute on a busy 2-core machine).
    stop_node 1
    for n in 2 3; do cp -a "$(node_dir 1)/data/." "$(node_dir "$n")/data/"; done
    start_node 1 --wsrep-new-cluster
    start_node 2
    start_node 3
    for n in 1 2 3; do url "$n"; done
    ;;
  kill-node)
    [[ ${3:-} =~ ^[123]$ ]] || usage
    DIR=$(cd "$DIR" && pwd)
    stop_node "$3" KILL
    ;;
  start-node)
    [[ ${3:-} =~ ^[123]$ ]] || usage
    DIR=$(cd "$DIR" && pwd)
    # After a crash the saved position is unknown (seqno -1): recover it from
    # InnoDB first, as mysqld_safe does, so the node catches up by IST from a
    # donor's cache instead of copying everything.
    position=$(mariadbd --defaults-file="$(node_dir "$3")/my.cnf" --wsrep-recover 2>&1 </dev/null |
      sed -n 's/.*WSREP: Recovered position: *\([^ ]*\).*/\1/p' | tail -1) || true
    start_node "$3" ${position:+--wsrep-start-position="$position"}
    url "$3"
    ;;
  status)
    DIR=$(cd "$DIR" && pwd)
    for n in 1 2 3; do
      printf 'node%s: ' "$n"
      mariadb --no-defaults --protocol=tcp -h127.0.0.1 -P"$(cat "$(node_dir "$n")/port")" -uroot --connect-timeout=1 -N \
        -e "SELECT CONCAT(VARIABLE_VALUE) FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('wsrep_cluster_size','wsrep_local_state_comment') ORDER BY VARIABLE_NAME" 2>/dev/null \
        | paste -sd' ' || echo down
    done
    ;;
  stop)
    [[ -e $DIR ]] || exit 0
    [[ -f $DIR/node1/my.cnf ]] || die "$DIR does not look like a throwaway cluster folder; not deleting it"
    DIR=$(cd "$DIR" && pwd)
    # The last node down keeps the cluster's final state; order does not matter for a throwaway.
    for n in 3 2 1; do stop_node "$n"; done
    rm -rf "$DIR"
    ;;
  *) usage ;;
esac
