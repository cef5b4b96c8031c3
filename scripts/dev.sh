#!/usr/bin/env bash
# Runs RawChat locally: a private PostgreSQL (127.0.0.1:55432, data in .dev/pg) and Redis
# (127.0.0.1:56379, .dev/redis), a dev JWT secret in .dev/jwt-secret, and the service on
# http://127.0.0.1:8080 in the foreground. Ctrl-C stops the service, PostgreSQL and Redis.
#
#   scripts/dev.sh                              # node 1 on :8080, starts PostgreSQL and Redis
#   scripts/dev.sh --port 8081 --no-services    # node 2 on :8081 in a second terminal, reusing them
#
# Each start prints a ready-to-paste `wscat` line; connect one user to each node and they chat
# across the two nodes through Redis.
set -euo pipefail

port=8080
services=true
while (($# > 0)); do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --no-services) services=false; shift ;;
    -h | --help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "Unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
done

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/local-services.sh
source "$repo_root/scripts/lib/local-services.sh"
cd "$repo_root"

pg_port=55432
redis_port=56379

if $services; then
  trap stop_services EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  ensure_packages
  start_postgres .dev/pg "$pg_port"
  start_redis .dev/redis "$redis_port"
elif ! redis_answers "$redis_port"; then
  echo "No Redis on 127.0.0.1:$redis_port: start node 1 (scripts/dev.sh without --no-services) first." >&2
  exit 1
fi

mkdir -p .dev
if [[ ! -s .dev/jwt-secret ]]; then
  (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >.dev/jwt-secret)
fi
chmod 600 .dev/jwt-secret

export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
export ConnectionStrings__Redis="127.0.0.1:$redis_port"
Jwt__Secret="$(<.dev/jwt-secret)"
export Jwt__Secret
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export DOTNET_NOLOGO=1

dotnet build RawChat.Api

# timeout: an Api without the token command would otherwise just start serving here.
if token="$(timeout 120 dotnet run --no-build --no-launch-profile --project RawChat.Api -- token --user 42 --name alice)"; then
  token="$(tail -n 1 <<<"$token")"
  cat <<MSG

Connect as alice (user 42):
  wscat -c "ws://127.0.0.1:$port/ws/chat" -H "Authorization: Bearer $token"
or with a single-use ticket in the URL (needs curl and jq; a ticket is good for 30 s):
  wscat -c "ws://127.0.0.1:$port/ws/chat?ticket=\$(curl -s -X POST -H 'Authorization: Bearer $token' http://127.0.0.1:$port/api/tickets | jq -r .ticket)"
or open http://127.0.0.1:$port/ in a browser and paste the token there.

Mint a token for another user (from the repository root):
  export Jwt__Secret='$Jwt__Secret'
  dotnet run --project RawChat.Api -- token --user 7 --name bob

MSG
else
  echo "Could not mint a dev token (see above); starting the service anyway." >&2
fi

dotnet run --no-build --project RawChat.Api -- --urls "http://127.0.0.1:$port"
