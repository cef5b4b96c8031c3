#!/usr/bin/env bash
# Runs one bench/run.sh command several times (RUNS, default 3) and prints the median of each
# figure the issue's targets name, beside every run's own value, so one noisy run cannot decide.
#
#   bench/median.sh ingest --no-raw
#   RUNS=5 bench/median.sh fanout --nodes 2 --no-raw
# Every run keeps its own folder in bench/results/; the medians also go to bench/results/<time>-median.txt.
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${RUNS:-3}"
if (($# < 1)); then
  sed -n '2,8s/^# \{0,1\}//p' "$0"
  exit 2
fi

jsons=()
for ((i = 1; i <= runs; i++)); do
  echo "== run $i of $runs: bench/run.sh $*"
  log="$(mktemp)"
  "$repo_root/bench/run.sh" "$@" | tee "$log" | grep -E '^  (throughput|ack|delivery|deliveries|connect|server CPU|server [0-9]|machine) ' || true
  dir="$(sed -n 's/^Results in //p' "$log" | tail -n 1)"
  rm -f "$log"
  jsons+=("$repo_root/$dir/bench.json")
done

summary="$(python3 - "${jsons[@]}" <<'PY'
import json, os, statistics, sys

runs = [json.load(open(path)) for path in sys.argv[1:]]

def get(run, *path):
    value = run
    for key in path:
        if value is None:
            return None
        value = value.get(key)
    return value

rows = [
    ("stored posts/s", ("traffic", "postsPerSecond"), 1, 1),
    ("deliveries/s", ("traffic", "deliveriesPerSecond"), 1, 1),
    ("ack p50 ms", ("latency", "ackMicros", "p50"), 1e-3, 1),
    ("ack p99 ms", ("latency", "ackMicros", "p99"), 1e-3, 1),
    ("delivery p50 ms", ("latency", "deliveryMicros", "p50"), 1e-3, 1),
    ("delivery p99 ms", ("latency", "deliveryMicros", "p99"), 1e-3, 1),
    ("connect p99 ms", ("connections", "connectLatencyMicros", "p99"), 1e-3, 1),
    ("server µs/delivery", ("server", "cpuMicrosPerDelivery"), 1, 1),
    ("server µs/stored post", ("server", "cpuMicrosPerPost"), 1, 1),
    ("RSS KiB/connection", ("server", "rssGrowthBytesPerConnection"), 1 / 1024, 1),
    ("tool cores/10k deliveries/s", ("tool", "coresPer10kDeliveriesPerSecond"), 1, 3),
    ("send lag p99 ms", ("latency", "sendLagMicros", "p99"), 1e-3, 1),
    ("machine busy %", ("machine", "busyPercent"), 1, 1),
]
print(f"scenario {runs[0]['scenario']}, {len(runs)} runs")
# name, where in bench.json, scale, decimals
for name, path, scale, digits in rows:
    values = [get(run, *path) for run in runs]
    values = [v * scale for v in values if isinstance(v, (int, float))]
    if not values:
        continue
    each = " / ".join(f"{v:,.{digits}f}" for v in values)
    print(f"  {name:28} median {statistics.median(values):>12,.{digits}f}   ({each})")
bad = [(get(r, "traffic", "lost"), get(r, "traffic", "duplicated"), get(r, "traffic", "outOfOrder")) for r in runs]
print("  lost / duplicated / out of order per run: " + ", ".join(f"{l}/{d}/{o}" for l, d, o in bad))
print("  runs: " + " ".join(os.path.basename(os.path.dirname(path)) for path in sys.argv[1:]))
PY
)"
echo "$summary"
out="$repo_root/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-median.txt"
{ echo "bench/median.sh $*"; echo "$summary"; } >"$out"
echo "Medians in ${out#"$repo_root"/}"
