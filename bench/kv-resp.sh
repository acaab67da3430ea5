#!/usr/bin/env bash
# The RESP port beside redis-server, in one run on one machine:
#   redis-benchmark -t set,get,incr,sadd,hset -n N -r 100000 at -P 1 and -P 16 against
#   (a) redis-server 7 (Debian), appendonly yes, appendfsync everysec, and
#   (b) one fornax site (durability everysec): the release build, the Native AOT `fornax` that ships (published here
#       unless FORNAX names one).
# Prints requests/s for each and the ratio fornax/redis. Usage: [FORNAX=path/to/fornax] bench/kv-resp.sh [requests]
# (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-1000000}
tests=set,get,incr,sadd,hset
work=$(mktemp -d)
redis_pid=""
site_pid=""
cleanup() {
  [ -n "$site_pid" ] && kill "$site_pid" 2>/dev/null && wait "$site_pid" 2>/dev/null || true
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

fornax=$(bench/release/publish.sh)

redis_port=$(free_port)
mkdir -p "$work/redis"
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis" --appendonly yes --appendfsync everysec --save "" --daemonize no >"$work/redis.log" 2>&1 &
redis_pid=$!

"$fornax" node run --data-dir "$work/site" --name bench --api-port 0 --ingress-port 0 --resp-port 0 --durability everysec --log-level Warning >"$work/site.log" 2>&1 &
site_pid=$!
for _ in $(seq 1 300); do
  [ -s "$work/site/endpoints.json" ] && grep -q '"resp":"redis' "$work/site/endpoints.json" && break
  sleep 0.1
done
site_port=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["resp"].rsplit(":",1)[1])' "$work/site/endpoints.json")
until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.1; done

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  commit: $(git rev-parse --short HEAD)  load average: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)"
echo "redis-benchmark -t $tests -n $requests -r 100000 -P {1,16} (50 clients)"
run() { redis-benchmark -p "$1" -t "$tests" -n "$requests" -r 100000 -P "$2" -q --csv 2>/dev/null | tr -d '"' | awk -F, 'NR>1 {print $1, $2}'; }
printf '%-6s %-4s %12s %12s %7s\n' test P redis fornax ratio
for pipeline in 1 16; do
  redis-cli -p "$redis_port" flushall >/dev/null
  redis-cli -p "$site_port" flushall >/dev/null
  declare -A redis_rps=() fornax_rps=()
  while read -r name rps; do redis_rps[$name]=$rps; done < <(run "$redis_port" "$pipeline")
  while read -r name rps; do fornax_rps[$name]=$rps; done < <(run "$site_port" "$pipeline")
  for name in "${!redis_rps[@]}"; do
    r=${redis_rps[$name]}; f=${fornax_rps[$name]:-0}
    printf '%-6s %-4s %12.0f %12.0f %7.2f\n' "$name" "$pipeline" "$r" "$f" "$(echo "$f / $r" | bc -l)"
  done | sort
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
