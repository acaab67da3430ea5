#!/usr/bin/env bash
# PUBLISH throughput of a site's RESP port beside redis-server, in the same run on the same machine: one site (a
# `fornax up` tree of one, durability everysec) and redis-server (appendonly yes, appendfsync everysec), each with
# SUBSCRIBERS redis-cli processes subscribed to the channel (their output to /dev/null), then
#   redis-benchmark -n N -c 50 -P PIPELINE PUBLISH bench:channel hello
# against each, ROUNDS times alternating. Prints publishes/s, the ratio, the messages each subscriber received, and
# the site's CPU per publish (from /proc/PID/stat).
# Usage: [N=200000] [SUBSCRIBERS=1] [PIPELINE=16] [ROUNDS=2] [FORNAX=path/to/fornax] bench/kv-pubsub.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in redis-server redis-benchmark redis-cli; do
  command -v "$tool" >/dev/null || { echo "bench/kv-pubsub.sh needs $tool (Debian: apt-get install redis-server redis-tools)" >&2; exit 1; }
done
n=${N:-200000}; subscribers=${SUBSCRIBERS:-1}; pipeline=${PIPELINE:-16}; rounds=${ROUNDS:-2}
source bench/release/workspace.sh
mkdir -p "$work/redis"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; "$fornax" down --purge >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

base=$(bench/free-port-base.sh 5)
cat >"$work/topology.yaml" <<YAML
apiVersion: fornax.io/v1
kind: Topology
metadata: {name: pubsub-bench}
spec:
  sites:
    - {name: solo, tier: edge}
YAML
"$fornax" up -f "$work/topology.yaml" --data-dir "$work/sites" --base-port "$base" >"$work/up.log"
site=$((base + 2)); site_pid=$(cat "$work/sites/solo/node.pid")
redis=$((base + 4))
redis-server --port "$redis" --bind 127.0.0.1 --dir "$work/redis" --appendonly yes --appendfsync everysec --save "" --daemonize no >/dev/null 2>&1 &
pids+=($!)
until redis-cli -p "$redis" ping >/dev/null 2>&1 && redis-cli -p "$site" ping >/dev/null 2>&1; do sleep 0.1; done

# Subscribers count the messages they get (redis-cli prints three lines per message).
for port in "$site" "$redis"; do
  for i in $(seq 1 "$subscribers"); do
    redis-cli -p "$port" SUBSCRIBE bench:channel >"$work/sub-$port-$i.out" 2>&1 &
    pids+=($!)
  done
done
for port in "$site" "$redis"; do
  until [ "$(redis-cli -p "$port" PUBSUB NUMSUB bench:channel | tail -1)" = "$subscribers" ]; do sleep 0.1; done
done

cpu() { cut -d' ' -f14,15 "/proc/$site_pid/stat" | awk -v t="$(getconf CLK_TCK)" '{print ($1 + $2) / t}'; }
rate() { redis-benchmark -p "$1" -n "$n" -c 50 -P "$pipeline" -q PUBLISH bench:channel hello 2>/dev/null | tr '\r' '\n' | grep -oE '[0-9.]+ requests per second' | tail -1 | cut -d' ' -f1; }
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  commit: $(git rev-parse --short HEAD)  load average: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)"
echo "redis-benchmark -n $n -c 50 -P $pipeline PUBLISH bench:channel hello; $subscribers subscriber(s) at each; $fornax"
printf '%-6s %12s %12s %7s %16s\n' round redis fornax ratio "site CPU µs/pub"
for round in $(seq 1 "$rounds"); do
  r=$(rate "$redis")
  before=$(cpu); f=$(rate "$site"); after=$(cpu)
  printf '%-6s %12.0f %12.0f %7.2f %16.1f\n' "$round" "$r" "$f" "$(echo "$f / $r" | bc -l)" "$(echo "($after - $before) * 1000000 / $n" | bc -l)"
done
sleep 1
expected=$((n * rounds))
for port in "$site" "$redis"; do
  for i in $(seq 1 "$subscribers"); do
    got=$(( ($(wc -l <"$work/sub-$port-$i.out") - 3) / 3 ))
    echo "port $port subscriber $i received $got of $expected"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
