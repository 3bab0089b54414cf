#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (Debian's `postgresql`, installed with apt-get when missing).
#
#   bash scripts/postgres.sh start DIR   initialise a cluster in DIR (created; must not hold anything else),
#                                         listening on a free port of 127.0.0.1 only, with one database;
#                                         prints its SQLAlchemy URL (postgresql+asyncpg://...) on stdout.
#                                         Already running in DIR: prints the same URL again.
#   bash scripts/postgres.sh stop DIR    stop it and remove DIR (nothing to do if DIR is gone).
#   bash scripts/postgres.sh url DIR     print the URL of the cluster running in DIR.
#
# Exit status of `start`: 0 started, 3 PostgreSQL cannot be installed here (one line on stderr says why:
# "PostgreSQL: not installable here, ..."), anything else a real failure (its log is printed).
# As root, the server runs as the `postgres` system user (created when missing): initdb refuses root.
# The cluster is for tests only: fsync off, password (scram) authentication on 127.0.0.1, its socket in DIR.
set -euo pipefail

MARK=.desk-postgres            # marks a DIR this script made (stop removes only such a DIR)
DB=desk_test
PG_USER=desk

say() { echo "postgres.sh: $*" >&2; }
die() { say "$*"; exit 1; }
not_installable() {
  echo "PostgreSQL: not installable here, the PostgreSQL run of the services suite is skipped ($*)" >&2
  exit 3
}

# The newest installed server binaries: $PG_BINDIR, Debian's /usr/lib/postgresql/N/bin, or initdb on PATH.
complete_bindir() {  # DIR: holds everything this script runs
  local tool
  for tool in initdb pg_ctl postgres psql; do [ -x "$1/$tool" ] || return 1; done
}
find_bindir() {
  if [ -n "${PG_BINDIR:-}" ] && complete_bindir "$PG_BINDIR"; then echo "$PG_BINDIR"; return 0; fi
  local d best=""
  for d in "${PG_LIBDIR:-/usr/lib/postgresql}"/*/bin; do
    complete_bindir "$d" || continue
    if [ -z "$best" ] || [ "${d//[^0-9]/}" -gt "${best//[^0-9]/}" ]; then best=$d; fi
  done
  if [ -n "$best" ]; then echo "$best"; return 0; fi
  if command -v initdb >/dev/null 2>&1; then
    d=$(dirname "$(readlink -f "$(command -v initdb)")")
    if complete_bindir "$d"; then echo "$d"; return 0; fi
  fi
  return 1
}

ensure_installed() {
  if BIN=$(find_bindir); then return 0; fi
  [ "$(id -u)" = 0 ] || not_installable "no PostgreSQL binaries and not root, so apt-get cannot install them"
  command -v apt-get >/dev/null 2>&1 || not_installable "no PostgreSQL binaries and no apt-get"
  say "installing Debian's postgresql (apt-get)"
  local log
  log=$(mktemp)
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      postgresql; } >"$log" 2>&1; then
    local why
    why=$(grep -E '^(E|W):' "$log" | tail -n 1 | cut -c1-160)
    rm -f "$log"
    not_installable "apt-get install postgresql failed: ${why:-see apt-get output}"
  fi
  rm -f "$log"
  BIN=$(find_bindir) || not_installable "apt-get installed postgresql but no initdb was found"
}

# Run a command as the cluster's owner (the `postgres` system user when we are root).
as_owner() {
  if [ "$(id -u)" != 0 ]; then (cd / && "$@"); return; fi
  if command -v runuser >/dev/null 2>&1; then
    (cd / && runuser -u postgres -- "$@")
  else
    local q
    printf -v q '%q ' "$@"
    (cd / && su -s /bin/sh postgres -c "$q")
  fi
}

ensure_owner_user() {
  [ "$(id -u)" = 0 ] || return 0
  id -u postgres >/dev/null 2>&1 && return 0
  say "creating the postgres system user"
  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin postgres \
    || die "cannot create the postgres system user (initdb refuses to run as root)"
}

free_port() {
  local py
  py=$(command -v python3 || command -v python || true)
  [ -n "$py" ] || { echo $(( (RANDOM % 20000) + 40000 )); return; }
  "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

is_running() {  # DIR: its server answers queries
  [ -f "$1/data/postmaster.pid" ] && [ -f "$1/url" ] && [ -f "$1/port" ] || return 1
  local bin
  bin=$(cat "$1/bindir" 2>/dev/null) || return 1
  as_owner "$bin/psql" -X -q -w -h "$1/run" -p "$(cat "$1/port")" -U "$PG_USER" -d "$DB" -c "SELECT 1" \
    >/dev/null 2>&1
}

cmd_start() {
  local dir=$1
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd -P)
  if [ -n "$(ls -A "$dir")" ] && [ ! -e "$dir/$MARK" ]; then
    die "$dir is not empty and was not made by this script"
  fi
  if is_running "$dir"; then cat "$dir/url"; return 0; fi
  ensure_installed
  ensure_owner_user
  # A half-made or stopped cluster from an earlier run: start afresh.
  if [ -f "$dir/data/postmaster.pid" ] && [ -f "$dir/bindir" ]; then
    as_owner "$(cat "$dir/bindir")/pg_ctl" -D "$dir/data" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
  fi
  find "$dir" -mindepth 1 -delete
  touch "$dir/$MARK"
  echo "$BIN" >"$dir/bindir"
  mkdir -p "$dir/data" "$dir/run"
  local password
  password=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')
  printf '%s\n' "$password" >"$dir/pwfile"
  chmod 700 "$dir"
  chmod 600 "$dir/pwfile"
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres: "$dir"
    as_owner test -x "$dir" || die "the postgres user cannot reach $dir (a parent directory is closed to it)"
  fi
  if ! as_owner "$BIN/initdb" -D "$dir/data" -U "$PG_USER" --pwfile="$dir/pwfile" --auth-local=trust \
      --auth-host=scram-sha-256 -E UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    die "initdb failed"
  fi
  rm -f "$dir/pwfile"
  cat >>"$dir/data/postgresql.conf" <<EOF
# scripts/postgres.sh: a throwaway cluster for tests
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/run'
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
wal_init_zero = off
max_wal_size = 4GB
checkpoint_timeout = 1h
autovacuum = off
max_connections = 300
shared_buffers = 128MB
log_min_messages = warning
EOF
  local port tries=0
  while :; do
    port=$(free_port)
    if as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "-p $port" start >/dev/null 2>&1; then
      break
    fi
    tries=$((tries + 1))
    if [ "$tries" -ge 3 ]; then
      tail -n 20 "$dir/server.log" >&2 || true
      die "the server did not start"
    fi
  done
  echo "$port" >"$dir/port"
  if ! as_owner "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/run" -p "$port" -U "$PG_USER" -d postgres \
      -c "CREATE DATABASE $DB" >/dev/null 2>"$dir/psql.log"; then
    cat "$dir/psql.log" >&2
    die "could not create the database $DB"
  fi
  echo "postgresql+asyncpg://$PG_USER:$password@127.0.0.1:$port/$DB" >"$dir/url"
  chmod 600 "$dir/url"
  cat "$dir/url"
}

cmd_stop() {
  local dir=$1
  [ -d "$dir" ] || return 0
  dir=$(cd "$dir" && pwd -P)
  if [ ! -e "$dir/$MARK" ]; then
    [ -z "$(ls -A "$dir")" ] && rmdir "$dir" && return 0
    die "$dir was not made by this script: not removing it"
  fi
  if [ -f "$dir/data/postmaster.pid" ] && [ -f "$dir/bindir" ]; then
    as_owner "$(cat "$dir/bindir")/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    # pg_ctl gave up (or the user vanished): stop the postmaster by its pid.
    local pid
    pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
    # (only if that pid is still this cluster's postmaster, not a process that reused the number)
    if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$dir/data"; then
      kill -QUIT "$pid" 2>/dev/null || true
      sleep 1
      if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    fi
  fi
  rm -rf "$dir"
}

cmd_url() {
  local dir=$1
  is_running "$dir" || die "no cluster is running in $dir"
  cat "$dir/url"
}

usage() { echo "usage: $0 start|stop|url DIR" >&2; exit 2; }

[ $# -eq 2 ] || usage
case $1 in
  start) cmd_start "$2" ;;
  stop) cmd_stop "$2" ;;
  url) cmd_url "$2" ;;
  *) usage ;;
esac
