#!/usr/bin/env bash
# Runs one RawChat benchmark on this machine, end to end:
#   1. a private PostgreSQL 15 and Redis on free loopback ports, in a temporary folder (with
#      --redis-cluster: a three-master Redis Cluster instead, and the nodes on sharded pub/sub);
#   2. RawChat.Api (Release, ReadyToRun) on 127.0.0.1:18080 (and :18081 with --nodes 2), Production settings;
#   3. RawChat.Bench (Release) with the node pids, writing bench/results/<time>-<scenario>/;
#   4. right after it, the raw limits of its parts (skip with --no-raw): Redis PUBLISH with
#      redis-benchmark (pipelined) and PostgreSQL inserts of RawChat's own statement with pgbench;
#   then stops everything it started, also on Ctrl-C or failure.
#
#   bench/run.sh SCENARIO [--nodes 1|2] [--no-raw] [--redis-cluster] [--trace SECONDS] [RawChat.Bench options …]
#   bench/run.sh ingest --connections 200 --duration 10
#   bench/run.sh fanout --nodes 2 --redis-cluster
#   bench/run.sh members [--analyze] [--members 10000] [--rounds 10] [--readers 2]
# SCENARIO: fanout | ingest | idle | burst | members. Everything not listed above goes to RawChat.Bench
# (see: dotnet run --project RawChat.Bench -- --help). --trace: a CPU-sampling dotnet-trace of
# node 0 for SECONDS, from --trace-delay (3) seconds after the bench starts, plus its top methods
# (needs dotnet-trace on PATH or in $DOTNET_TRACE: dotnet tool install dotnet-trace --tool-path DIR).
# --redis-cluster: three cluster masters (no replicas) on loopback ports whose bus port (+10000) is
# free, nodes with all three in ConnectionStrings__Redis and Fanout__ShardedPubSub=true; the raw
# Redis limit is then SPUBLISH on the one master that owns the benchmark channel.
# RAWCHAT_NODE_ENV="VAR=value …" sets environment variables on the nodes only (runtime knobs).
# members (issue 14): one private room, --members users added over HTTP, the list paged through with
# limit 200 and 50; its raw limit is not Redis and inserts but the page's own SQL (MemberStore.PageAsync)
# run by pgbench against the same room, as many clients as readers, random `after` values.
# --analyze (members only): ANALYZE room_members and users between the adds and the first page, so
# pages are planned with statistics. Without it the two tables are kept without statistics for the
# whole run (autovacuum off on them, in this throwaway database), as a room that filled up faster
# than autovacuum's naptime is: then the HTTP pages and the SQL beside them see the same plans.
set -euo pipefail

if (($# < 1)) || [[ $1 == -h || $1 == --help ]]; then
  sed -n '2,32s/^# \{0,1\}//p' "$0"
  exit 2
fi
scenario="$1"
shift
case "$scenario" in
  fanout | ingest | idle | burst | members) ;;
  *) echo "Unknown scenario: $scenario (fanout, ingest, idle, burst or members)" >&2; exit 2 ;;
esac

nodes=1
raw=true
redis_cluster=false
analyze=false
trace_seconds=""
trace_delay=3
bench_args=()
while (($# > 0)); do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    --no-raw) raw=false; shift ;;
    --redis-cluster) redis_cluster=true; shift ;;
    --analyze) analyze=true; shift ;;
    --trace) trace_seconds="$2"; shift 2 ;;
    --trace-delay) trace_delay="$2"; shift 2 ;;
    *) bench_args+=("$1"); shift ;;
  esac
done
if $analyze && [[ $scenario != members ]]; then
  echo "--analyze is for the members scenario only" >&2
  exit 2
fi
if [[ $nodes != 1 && $nodes != 2 ]]; then
  echo "--nodes must be 1 or 2" >&2
  exit 2
fi
tracer=""
if [[ -n $trace_seconds ]]; then
  tracer="${DOTNET_TRACE:-$(command -v dotnet-trace || true)}"
  if [[ ! -x $tracer ]]; then
    echo "--trace needs dotnet-trace on PATH or in \$DOTNET_TRACE" >&2
    exit 2
  fi
fi

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/local-services.sh
source "$repo_root/scripts/lib/local-services.sh"
cd "$repo_root"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local port="$1"
  while ! port_free "$port"; do port=$((port + 1)); done
  echo "$port"
}

# A free port whose cluster bus port (+10000) is free as well, and not in the ports given after it.
free_cluster_port() {
  local port="$1" taken
  shift
  for ((; port + 10000 <= 65535; port++)); do
    for taken in "$@"; do
      if ((port == taken || port == taken + 10000 || port + 10000 == taken)); then
        continue 2
      fi
    done
    if port_free "$port" && port_free $((port + 10000)); then
      echo "$port"
      return 0
    fi
  done
  echo "Found no free loopback port whose cluster bus port (+10000) is free too." >&2
  return 1
}

# CPU clock ticks of a process and its direct children: the postmaster and its backends. The root
# also counts cutime+cstime, where the CPU of backends that ended (pgbench's) goes.
tree_cpu_ticks() {
  local root="$1" total=0 f line rest
  local -a fields
  for f in /proc/[0-9]*/stat; do
    { line="$(<"$f")"; } 2>/dev/null || continue
    rest="${line##*) }"
    read -r -a fields <<<"$rest"
    if [[ ${f//[^0-9]/} == "$root" ]]; then
      total=$((total + fields[11] + fields[12] + fields[13] + fields[14]))
    elif [[ ${fields[1]} == "$root" ]]; then
      total=$((total + fields[11] + fields[12]))
    fi
  done
  echo "$total"
}

work="$(mktemp -d /tmp/rawchat-bench.XXXXXX)"
chmod 755 "$work" # the postgres user must reach its data folder inside
results="$repo_root/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-$scenario"
mkdir -p "$results"
node_pids=()
cluster_pidfiles=()

# Three cluster masters in $work/redis-cluster, slots assigned by redis-cli --cluster create, ready
# once every master says cluster_state:ok and knows all three. Sets cluster_ports and redis_pids.
start_redis_cluster() {
  local dir="$work/redis-cluster" port attempt ok n
  mkdir -p "$dir"
  cluster_ports=()
  redis_pids=()
  for ((n = 0; n < 3; n++)); do
    port="$(free_cluster_port 47001 "${cluster_ports[@]}")"
    redis-server --cluster-enabled yes --cluster-config-file "$dir/nodes-$port.conf" --port "$port" \
      --bind 127.0.0.1 --save "" --appendonly no --daemonize yes --dir "$dir" \
      --pidfile "$dir/redis-$port.pid" --logfile "$dir/redis-$port.log"
    cluster_pidfiles+=("$dir/redis-$port.pid")
    cluster_ports+=("$port")
    for ((attempt = 0; ; attempt++)); do
      redis_answers "$port" && break
      if ((attempt >= 300)); then
        echo "Cluster master on port $port did not answer within 30 s; last lines of its log:" >&2
        tail -n 30 "$dir/redis-$port.log" >&2
        exit 1
      fi
      sleep 0.1
    done
    redis_pids+=("$(<"$dir/redis-$port.pid")")
  done
  if ! redis-cli --cluster create "${cluster_ports[@]/#/127.0.0.1:}" --cluster-replicas 0 --cluster-yes \
    >"$dir/cluster-create.log" 2>&1; then
    echo "redis-cli --cluster create failed:" >&2
    cat "$dir/cluster-create.log" >&2
    exit 1
  fi
  for port in "${cluster_ports[@]}"; do
    for ((attempt = 0; ; attempt++)); do
      ok="$(redis-cli -p "$port" cluster info 2>/dev/null | tr -d '\r' | grep -cE '^(cluster_state:ok|cluster_known_nodes:3)$' || true)"
      ((ok == 2)) && break
      if ((attempt >= 600)); then
        echo "Cluster master on port $port did not report cluster_state:ok within 60 s:" >&2
        redis-cli -p "$port" cluster info >&2 || true
        exit 1
      fi
      sleep 0.1
    done
  done
  echo "Redis Cluster running on 127.0.0.1:${cluster_ports[0]},${cluster_ports[1]},${cluster_ports[2]} (pids ${redis_pids[*]}, logs $dir)."
}

stop_redis_cluster() {
  local pidfile
  for pidfile in "${cluster_pidfiles[@]}"; do
    [[ -f $pidfile ]] || continue
    stop_pid "$(<"$pidfile")" || true
  done
  if ((${#cluster_pidfiles[@]} > 0)); then
    echo "Redis Cluster stopped."
  fi
  cluster_pidfiles=()
}

cleanup() {
  local pid
  for pid in "${node_pids[@]}"; do
    stop_pid "$pid" || true
  done
  cp "$work"/node*.log "$results"/ 2>/dev/null || true
  cp "$work"/redis-cluster/*.log "$results"/ 2>/dev/null || true
  stop_redis_cluster
  stop_services
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ensure_packages
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true # idle holds 10,000 sockets on each side

echo "== Building RawChat.Api and RawChat.Bench (Release)"
# ReadyToRun: precompiled code, so a fresh node is quick from its first second (the JIT still
# recompiles the hot methods with profile data later), as the Dockerfile builds it.
dotnet publish RawChat.Api -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$work/api" -v quiet --nologo >/dev/null
dotnet publish RawChat.Bench -c Release -o "$work/bench" -v quiet --nologo >/dev/null

# Bad bench arguments fail now, before anything starts.
dotnet "$work/bench/RawChat.Bench.dll" --check --scenario "$scenario" --url ws://127.0.0.1:18080 --secret check "${bench_args[@]}"

pg_port="$(free_port 45432)"
start_postgres "$work/pg/data" "$pg_port"
pg_pid="$(head -n 1 "$work/pg/data/postmaster.pid")"
redis_env=()
aux_pids=(--aux-pid "postgres=$pg_pid")
if $redis_cluster; then
  start_redis_cluster
  redis_port="${cluster_ports[0]}"
  redis_env=("ConnectionStrings__Redis=127.0.0.1:${cluster_ports[0]},127.0.0.1:${cluster_ports[1]},127.0.0.1:${cluster_ports[2]}"
    Fanout__ShardedPubSub=true)
  for ((n = 0; n < 3; n++)); do
    aux_pids+=(--aux-pid "redis$n=${redis_pids[n]}")
  done
else
  redis_port="$(free_port 46379)"
  start_redis "$work/redis/data" "$redis_port"
  redis_env=("ConnectionStrings__Redis=127.0.0.1:$redis_port")
  aux_pids+=(--aux-pid "redis=$(<"$work/redis/data/redis.pid")")
fi

secret="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
urls=()
server_pids=()
# RAWCHAT_NODE_ENV="VAR=value …" reaches the nodes only (not the load tool): for trying runtime knobs.
read -ra node_env <<<"${RAWCHAT_NODE_ENV:-}"
for ((n = 0; n < nodes; n++)); do
  port=$((18080 + n))
  if ! port_free "$port"; then
    echo "Port $port is in use; stop whatever listens there first." >&2
    exit 1
  fi
  env "${redis_env[@]}" \
    ConnectionStrings__Postgres="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres" \
    Jwt__Secret="$secret" \
    ASPNETCORE_ENVIRONMENT=Production \
    Logging__LogLevel__Default=Warning \
    "${node_env[@]}" \
    dotnet "$work/api/RawChat.Api.dll" --urls "http://127.0.0.1:$port" >"$work/node$n.log" 2>&1 &
  node_pids+=($!)
  server_pids+=(--server-pid "$!")
  urls+=(--url "ws://127.0.0.1:$port")
  # One node at a time: the first migrates the schema, so pgbench finds it.
  for ((attempt = 0; ; attempt++)); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null; then
      break
    fi
    if ! kill -0 "${node_pids[-1]}" 2>/dev/null || ((attempt >= 600)); then
      echo "RawChat node $n did not become ready; its log:" >&2
      cat "$work/node$n.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "RawChat node $n ready on http://127.0.0.1:$port (pid ${node_pids[-1]})."
done

# The raw limits of the parts, measured right AFTER the benchmark: measured before, pgbench's
# writes and redis-benchmark's load still weighed on the run that followed (every ingest run
# so measured built a backlog; none without).
measure_raw_limits() {
  echo "== Raw limits"
  payload="$(head -c 240 /dev/zero | tr '\0' 'x')" # about the size of a RawChat bus envelope
  publish=PUBLISH
  redis_what="PUBLISH"
  if $redis_cluster; then
    # What the nodes send on a cluster: SPUBLISH, on the master that owns the channel's slot (any
    # other answers MOVED). One shard only; the three shards share this machine's cores.
    publish=SPUBLISH
    for port in "${cluster_ports[@]}"; do
      if [[ $(redis-cli -p "$port" SPUBLISH rawchat:bench:x probe 2>&1) =~ ^[0-9]+$ ]]; then
        redis_port="$port"
        break
      fi
    done
    redis_what="SPUBLISH on one of 3 shards (:$redis_port)"
  fi
  redis_rate() {
    redis-benchmark -h 127.0.0.1 -p "$redis_port" -P 16 -n 200000 -q "$publish" rawchat:bench:x "$1" 2>&1 |
      tr '\r' '\n' | sed -n 's/.*: \([0-9.]*\) requests per second.*/\1/p' | tail -n 1
  }
  redis_small="$(redis_rate hello)"
  redis_real="$(redis_rate "$payload")"
  # pgbench writes into a database of its own with RawChat's schema, dropped afterwards, and a
  # checkpoint follows: its ~80,000 rows must not leave RawChat's table bigger, autovacuum busy
  # or a checkpoint pending during the run that follows.
  psql -h 127.0.0.1 -p "$pg_port" -U postgres -q -c "CREATE DATABASE rawchat_raw" postgres
  for migration in "$repo_root"/RawChat.Core/Storage/Migrations/*.sql; do
    psql -h 127.0.0.1 -p "$pg_port" -U postgres -q -v ON_ERROR_STOP=1 -f "$migration" rawchat_raw >/dev/null
  done
  pg_ticks_before="$(tree_cpu_ticks "$pg_pid")"
  pgbench_out="$(pgbench -h 127.0.0.1 -p "$pg_port" -U postgres -n -M prepared -c 8 -j 2 -T 10 \
    -f "$repo_root/bench/insert.sql" rawchat_raw 2>&1)"
  pg_ticks_after="$(tree_cpu_ticks "$pg_pid")"
  psql -h 127.0.0.1 -p "$pg_port" -U postgres -q -c "DROP DATABASE rawchat_raw" -c "CHECKPOINT" postgres
  pg_tps="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$pgbench_out" | head -n 1)"
  pg_rows="$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$pgbench_out" | head -n 1)"
  pg_us_per_insert="$(awk -v t=$((pg_ticks_after - pg_ticks_before)) -v hz="$(getconf CLK_TCK)" -v n="${pg_rows:-0}" \
    'BEGIN { if (n > 0) printf "%.1f", t / hz * 1e6 / n; else print "?" }')"
  {
    echo "redis-benchmark -P 16 -n 200000 $redis_what (5 B payload):   ${redis_small:-?} requests/s"
    echo "redis-benchmark -P 16 -n 200000 $redis_what (240 B payload): ${redis_real:-?} requests/s"
    echo "pgbench -M prepared -c 8 -j 2 -T 10 -f bench/insert.sql:  ${pg_tps:-?} inserts/s (one row per transaction), $pg_us_per_insert µs of PostgreSQL CPU per insert"
  } | tee "$results/raw.txt"
  printf '%s\n' "$pgbench_out" >"$results/pgbench.txt"
  jq -n --arg s "${redis_small:-0}" --arg r "${redis_real:-0}" --arg p "${pg_tps:-0}" --arg c "$pg_us_per_insert" \
    '{redisPublishPerSecond5B: ($s|tonumber), redisPublishPerSecond240B: ($r|tonumber), postgresInsertsPerSecond: ($p|tonumber),
      postgresCpuMicrosPerInsert: ($c|tonumber? // null)}' \
    >"$results/raw.json"
  if [[ -s $results/bench.json ]]; then
    jq -r --argjson p "${pg_tps:-0}" --argjson r "${redis_real:-0}" \
      '"ratios       stored posts/s \(.traffic.postsPerSecond) = \(if $p > 0 then (.traffic.postsPerSecond / $p * 100 | round / 100) else "?" end)× pgbench single-row inserts/s; \(if $r > 0 then (.traffic.postsPerSecond / $r * 10000 | round / 100) else "?" end) % of Redis PUBLISH/s"' \
      "$results/bench.json" | tee -a "$results/summary.txt"
  fi
}

# Percentiles of pgbench's per-transaction log (-l: the third field is the latency in µs):
# prints "p50 p95 p99 max mean count", nearest-rank.
latency_percentiles() {
  awk '{ print $3 }' "$@" | sort -n | awk '
    { v[NR] = $1; sum += $1 }
    END {
      if (NR == 0) { print "0 0 0 0 0 0"; exit }
      n = split("50 95 99", ps, " ")
      for (i = 1; i <= n; i++) { k = int((ps[i] * NR + 99) / 100); if (k < 1) k = 1; printf "%d ", v[k] }
      printf "%d %.1f %d\n", v[NR], sum / NR, NR
    }'
}

members_table_stats() {
  psql -h 127.0.0.1 -p "$pg_port" -U postgres -X -A -t -q postgres -c \
    "SELECT format('%s live rows, last analyze %s, last autoanalyze %s', n_live_tup, coalesce(last_analyze::text, 'never'), coalesce(last_autoanalyze::text, 'never')) FROM pg_stat_user_tables WHERE relname = 'room_members'" 2>&1
}

# members: the limit of the page itself. The statement of MemberStore.PageAsync, run by pgbench on the
# same PostgreSQL against the room the bench filled, -M prepared with plan_cache_mode=force_custom_plan
# as RawChat's connections have, as many clients as the bench had readers, for 10 s per page size.
# `after` is a random member's id (prefix || i), so a few pages near the end are short; LIMIT is the
# page size + 1, as PageAsync asks (the extra row says hasMore). Its ratios go to the summary.
measure_members_sql_limit() {
  echo "== Raw limit: the members page's SQL with pgbench"
  local room prefix members clients threads script limit take out ticks_before ticks_after tps p lat pg_us
  room="$(jq -r .room "$results/bench.json")"
  prefix="$(jq -r .userIdPrefix "$results/bench.json")"
  members="$(jq -r .shape.members "$results/bench.json")"
  clients="$(jq -r .shape.readers "$results/bench.json")"
  threads=$((clients < 2 ? clients : 2))
  script="$work/members-page.sql"
  cat >"$script" <<'SQL'
\set i random(1, :members)
SELECT m.room AS Room, m.user_id AS UserId, coalesce(u.name, m.user_id) AS Name, m.role AS Role
FROM room_members m LEFT JOIN users u ON u.user_id = m.user_id
WHERE m.room = :room AND m.user_id COLLATE "C" > CAST(:prefix AS text) || CAST(:i AS text)
ORDER BY m.user_id COLLATE "C" LIMIT :take;
SQL
  # The plan PostgreSQL chose, for the record: a page from the middle of the list.
  PGOPTIONS="-c plan_cache_mode=force_custom_plan" psql -h 127.0.0.1 -p "$pg_port" -U postgres -X -q postgres \
    -c "EXPLAIN (ANALYZE, BUFFERS) SELECT m.room, m.user_id, coalesce(u.name, m.user_id), m.role FROM room_members m LEFT JOIN users u ON u.user_id = m.user_id WHERE m.room = '$room' AND m.user_id COLLATE \"C\" > '$prefix$((members / 2))' ORDER BY m.user_id COLLATE \"C\" LIMIT 201" \
    >"$results/explain.txt" 2>&1 || true
  : >"$results/pgbench.txt"
  # Whether the pages above were planned with statistics: autovacuum may not have analyzed the table
  # yet (its default naptime is a minute); --analyze did, before the first page.
  {
    echo "room_members when the raw limit began: $(members_table_stats)"
  } | tee -a "$results/raw.txt"
  local entries=()
  for limit in $(jq -r '.paging[].limit' "$results/bench.json"); do
    take=$((limit + 1))
    # A backend's CPU reaches the postmaster's cutime when it ends: let the last run's backends end first,
    # and this run's before the second reading, so each run counts its own backends exactly once.
    sleep 1
    ticks_before="$(tree_cpu_ticks "$pg_pid")"
    out="$(PGOPTIONS="-c plan_cache_mode=force_custom_plan" pgbench -h 127.0.0.1 -p "$pg_port" -U postgres -n -M prepared \
      -c "$clients" -j "$threads" -T 10 -D "room=$room" -D "prefix=$prefix" -D "members=$members" -D "take=$take" \
      -l --log-prefix "$work/pgbench-$take" -f "$script" postgres 2>&1)"
    sleep 1
    ticks_after="$(tree_cpu_ticks "$pg_pid")"
    printf '== limit %s (LIMIT %s)\n%s\n' "$limit" "$take" "$out" >>"$results/pgbench.txt"
    tps="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out" | head -n 1)"
    read -r -a p <<<"$(latency_percentiles "$work"/pgbench-"$take".*)"
    rm -f "$work"/pgbench-"$take".*
    pg_us="$(awk -v t=$((ticks_after - ticks_before)) -v hz="$(getconf CLK_TCK)" -v n="${p[5]}" \
      'BEGIN { if (n > 0) printf "%.1f", t / hz * 1e6 / n; else print "null" }')"
    lat="p50 $(awk -v v="${p[0]}" 'BEGIN { printf "%.3f", v / 1000 }')  p95 $(awk -v v="${p[1]}" 'BEGIN { printf "%.3f", v / 1000 }')  p99 $(awk -v v="${p[2]}" 'BEGIN { printf "%.3f", v / 1000 }')  max $(awk -v v="${p[3]}" 'BEGIN { printf "%.3f", v / 1000 }') ms"
    echo "pgbench -M prepared -c $clients -j $threads -T 10, PageAsync's SQL, LIMIT $take: ${tps:-?} queries/s; $lat (n=${p[5]}); $pg_us µs of PostgreSQL CPU per query" |
      tee -a "$results/raw.txt"
    entries+=("$(jq -n --argjson limit "$limit" --argjson take "$take" --argjson clients "$clients" --arg tps "${tps:-0}" \
      --argjson p50 "${p[0]}" --argjson p95 "${p[1]}" --argjson p99 "${p[2]}" --argjson max "${p[3]}" --argjson mean "${p[4]}" \
      --argjson count "${p[5]}" --argjson cpu "$pg_us" \
      '{limit: $limit, take: $take, clients: $clients, queriesPerSecond: ($tps|tonumber),
        latencyMicros: {count: $count, p50: $p50, p95: $p95, p99: $p99, max: $max, mean: $mean},
        postgresCpuMicrosPerQuery: $cpu}')")
  done
  echo "room_members when the raw limit ended: $(members_table_stats)" | tee -a "$results/raw.txt"
  printf '%s\n' "${entries[@]}" | jq -s '{membersPageSql: .}' >"$results/raw.json"
  # HTTP page against the bare query, per page size: latency, rate (same concurrency), PostgreSQL CPU.
  jq -r --slurpfile raw "$results/raw.json" '
    def r2: (. * 100 | round) / 100;
    .paging[] as $h
    | ($raw[0].membersPageSql[] | select(.limit == $h.limit)) as $s
    | (first($h.cost.processes[] | select(.label == "postgres") | .microsPerItem) // null) as $pgHttp
    | "ratios       limit \($h.limit): HTTP page p50 \($h.latencyMicros.p50 / 1000 | r2) ms = \(if $s.latencyMicros.p50 > 0 then ($h.latencyMicros.p50 / $s.latencyMicros.p50 | r2) else "?" end)× the SQL alone (\($s.latencyMicros.p50 / 1000 | r2) ms), p99 \(if $s.latencyMicros.p99 > 0 then ($h.latencyMicros.p99 / $s.latencyMicros.p99 | r2) else "?" end)×; \($h.pagesPerSecond | r2) pages/s = \(if $s.queriesPerSecond > 0 then ($h.pagesPerSecond / $s.queriesPerSecond * 100 | r2) else "?" end) % of its \($s.queriesPerSecond | r2) queries/s; PostgreSQL CPU per page \(if $pgHttp != null and $s.postgresCpuMicrosPerQuery != null and $s.postgresCpuMicrosPerQuery > 0 then ($pgHttp / $s.postgresCpuMicrosPerQuery | r2) else "?" end)× per query"' \
    "$results/bench.json" | tee -a "$results/summary.txt"
}

echo "== RawChat.Bench $scenario"
trace_pid=""
if [[ -n $tracer ]]; then
  (
    sleep "$trace_delay"
    "$tracer" collect -p "${node_pids[0]}" --profile dotnet-common,dotnet-sampled-thread-time --duration "00:00:00:$trace_seconds" \
      -o "$results/node0.nettrace" >"$results/trace.log" 2>&1
  ) &
  trace_pid=$!
fi
members_args=()
if [[ $scenario == members ]] && ! $analyze; then
  # Autovacuum would analyze room_members within a minute or so of the adds, in the middle of the
  # paging or of the SQL beside it (seen: one page size measured before, the other after).
  psql -h 127.0.0.1 -p "$pg_port" -U postgres -X -q postgres \
    -c "ALTER TABLE room_members SET (autovacuum_enabled = false)" -c "ALTER TABLE users SET (autovacuum_enabled = false)"
fi
if $analyze; then
  members_args=(--before-paging "psql -h 127.0.0.1 -p $pg_port -U postgres -X -q -c 'ANALYZE room_members, users' postgres")
fi
status=0
dotnet "$work/bench/RawChat.Bench.dll" --scenario "$scenario" "${urls[@]}" --secret "$secret" "${server_pids[@]}" \
  "${aux_pids[@]}" "${members_args[@]}" \
  --json "$results/bench.json" "${bench_args[@]}" | tee "$results/summary.txt" || status=$?
if [[ -n $trace_pid ]]; then
  wait "$trace_pid" || true
  "$tracer" report "$results/node0.nettrace" topN -n 40 >"$results/node0-top-exclusive.txt" 2>&1 || true
  "$tracer" report "$results/node0.nettrace" topN -n 60 --inclusive >"$results/node0-top-inclusive.txt" 2>&1 || true
  echo "CPU trace of node 0: ${results#"$repo_root"/}/node0.nettrace (top methods in node0-top-*.txt)"
fi
if $raw && [[ $scenario == members ]]; then
  if [[ -s $results/bench.json ]]; then
    measure_members_sql_limit
  fi
elif $raw; then
  measure_raw_limits
fi
echo "Results in ${results#"$repo_root"/}"
exit "$status"
