# shellcheck shell=bash
# Private PostgreSQL 15 and Redis instances for scripts/test.sh and scripts/dev.sh.
# Source this file; it only defines functions:
#   ensure_packages        install redis-server, postgresql-15 and nginx with apt when missing
#                          (the tests run deploy/nginx.conf on a real nginx of their own)
#   start_postgres DIR PORT  initdb into DIR once, then start it on 127.0.0.1:PORT (log: DIR/../postgres.log)
#   start_redis DIR PORT     start redis-server on 127.0.0.1:PORT, working dir DIR (log: DIR/../redis.log)
#   stop_services          stop the instances this shell started (instances found already running are left alone)
# PostgreSQL refuses to run as root, so as root initdb/pg_ctl run as the `postgres` OS user.

RAWCHAT_PG_BIN="${RAWCHAT_PG_BIN:-/usr/lib/postgresql/15/bin}"
_rawchat_started_pg=()
_rawchat_started_redis=()

_as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "Need root or sudo to run: $*" >&2
    return 1
  fi
}

_as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then
    (cd / && setpriv --reuid=postgres --regid=postgres --init-groups -- "$@")
  else
    "$@"
  fi
}

# nginx lives in /usr/sbin, which is not on every user's PATH.
_have_nginx() {
  command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]]
}

ensure_packages() {
  if command -v redis-server >/dev/null 2>&1 && [[ -x "$RAWCHAT_PG_BIN/postgres" ]] && _have_nginx; then
    return 0
  fi

  # Debian's plain nginx package (bookworm's nginx-light only adds a module to it).
  echo "Installing redis-server, postgresql-15 and nginx with apt-get ..." >&2
  _as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  _as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends redis-server postgresql-15 nginx

  # The packages may have started system-wide instances (Redis on 6379, cluster "15 main" on 5432,
  # nginx on 80). We always run our own instances on other ports, so stop those; failing to stop
  # them is harmless.
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
    _as_root systemctl stop redis-server postgresql nginx >/dev/null 2>&1 || true
  else
    _as_root service redis-server stop >/dev/null 2>&1 || true
    _as_root service postgresql stop >/dev/null 2>&1 || true
    _as_root service nginx stop >/dev/null 2>&1 || true
  fi
}

_postgres_running() {
  [[ -f "$1/postmaster.pid" ]] && _as_postgres "$RAWCHAT_PG_BIN/pg_ctl" -D "$1" status >/dev/null 2>&1
}

start_postgres() {
  local dir port log
  dir="$(realpath -m "$1")"
  port="$2"
  log="$(dirname "$dir")/postgres.log"

  if _postgres_running "$dir"; then
    echo "PostgreSQL already running from $dir; reusing it."
    return 0
  fi

  mkdir -p "$dir"
  touch "$log"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres:postgres "$dir" "$log"
  fi
  chmod 700 "$dir"
  if ! _as_postgres test -w "$dir"; then
    echo "The postgres user cannot write $dir (is the repository inside a private folder such as /root?)." >&2
    return 1
  fi

  if [[ -z "$(ls -A "$dir")" ]]; then
    if ! _as_postgres "$RAWCHAT_PG_BIN/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C --no-sync >>"$log" 2>&1; then
      echo "initdb failed; last lines of $log:" >&2
      tail -n 30 "$log" >&2
      return 1
    fi
  fi

  if ! _as_postgres "$RAWCHAT_PG_BIN/pg_ctl" -D "$dir" -l "$log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k '$dir'" start >/dev/null; then
    echo "PostgreSQL did not start; last lines of $log:" >&2
    tail -n 30 "$log" >&2
    return 1
  fi
  _rawchat_started_pg+=("$dir")
  echo "PostgreSQL running on 127.0.0.1:$port (data $dir, log $log)."
}

# True when something on 127.0.0.1:PORT answers a Redis PING.
redis_answers() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1"
    printf 'PING\r\n' >&3
    IFS= read -r -t 2 reply <&3
    [[ $reply == +PONG* ]]
  ) 2>/dev/null
}

start_redis() {
  local dir port log attempt
  dir="$(realpath -m "$1")"
  port="$2"
  log="$(dirname "$dir")/redis.log"

  if redis_answers "$port"; then
    echo "Redis already answering on 127.0.0.1:$port; reusing it."
    return 0
  fi

  mkdir -p "$dir"
  redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --daemonize yes \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$log"
  for ((attempt = 0; attempt < 300; attempt++)); do
    if redis_answers "$port"; then
      _rawchat_started_redis+=("$dir/redis.pid")
      echo "Redis running on 127.0.0.1:$port (log $log)."
      return 0
    fi
    sleep 0.1
  done
  echo "Redis did not answer on port $port within 30 s; last lines of $log:" >&2
  tail -n 30 "$log" >&2
  return 1
}

# stop_pid PID [SIGNAL]: ask a process to stop (TERM by default), wait up to 10 s, then KILL it.
# Returns 1 when there was no such process.
stop_pid() {
  local pid="$1" signal="${2:-TERM}" attempt
  kill "-$signal" "$pid" 2>/dev/null || return 1
  for ((attempt = 0; attempt < 100; attempt++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

stop_services() {
  local dir pidfile pid attempt
  for dir in "${_rawchat_started_pg[@]}"; do
    if _as_postgres "$RAWCHAT_PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null; then
      echo "PostgreSQL stopped."
    else
      echo "Could not stop PostgreSQL in $dir." >&2
    fi
  done
  _rawchat_started_pg=()

  for pidfile in "${_rawchat_started_redis[@]}"; do
    [[ -f $pidfile ]] || continue
    stop_pid "$(<"$pidfile")" && echo "Redis stopped."
  done
  _rawchat_started_redis=()
}
