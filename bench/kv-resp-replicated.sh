#!/usr/bin/env bash
# The RESP port of an edge site whose keyspaces replicate to two peers, beside redis-server, in one run:
#   redis-benchmark -t TEST -n N -r 100000 at -P 1 and -P 16, one test at a time (set, get, incr, sadd, hset), against
#   (a) redis-server 7 (Debian), appendonly yes, appendfsync everysec, and
#   (b) edge site e1 of a `fornax up` tree (cloud; edges e1, e2, e3; durability everysec) with one Keyspace per prefix
#       redis-benchmark writes (key:, counter:, myset, myhash) placed at e1, e2 and e3: every write at e1 is replicated
#       to e2 and e3 (through the cloud, which relays).
# The sites run the release build, the Native AOT `fornax` that ships (published here unless FORNAX names one): a JIT
# build spends a third of its CPU compiling during a run this short, and its figures say more about tiering than the
# store.
# After each fornax test, the next waits until e2 and e3 hold what e1 holds (their figures would otherwise include the
# catch-up of the test before); the wait is printed as "caught up" (seconds from the end of the test until every
# replica's key count and every peer backlog at e1 are settled).
# Prints requests/s for each and the ratio fornax/redis, the CPU the four sites spent per request (µs, user + system,
# from /proc: the test and its catch-up, i.e. serving, storing, relaying and applying every write at three replicas;
# a figure a busy machine moves far less than requests/s), the bytes the four sites wrote to disk per request (same
# span), then each replica's key count (they must match).
# With LOCAL=1 no keyspace holds what redis-benchmark writes: the keys stay at e1, nothing is replicated, and the four
# sites' CPU is e1's alone (the cost of replication is the difference from a run without it).
# Usage: [PIPELINES="1 16"] [TESTS=set,get,...] [FORNAX=path/to/fornax] [LOCAL=1] bench/kv-resp-replicated.sh [requests]
#        (default 1000000 requests; PIPELINES=16 runs -P 16 only)
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-1000000}
tests=${TESTS:-set,get,incr,sadd,hset}
pipelines=${PIPELINES:-1 16}
work=$(mktemp -d)
# Built before HOME changes (a fresh HOME has an empty NuGet cache: the restore alone took ~10 minutes).
fornax=$(bench/release/publish.sh)
export HOME="$work/home" FORNAX_CONFIG="$work/home/.fornax/config"
mkdir -p "$HOME"
redis_pid=""
cleanup() {
  kv_tree_down 2>/dev/null || true
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

redis_port=$(free_port)
mkdir -p "$work/redis"
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis" --appendonly yes --appendfsync everysec --save "" --daemonize no >"$work/redis.log" 2>&1 &
redis_pid=$!

KV_PREFIXES="key: counter: myset myhash"
replicated="e1 replicating to e2 and e3"
if [ "${LOCAL:-0}" = 1 ]; then
  KV_PREFIXES="none:" # a keyspace redis-benchmark never writes: the tree replicates, its keys stay at e1
  replicated="e1, keys not replicated (LOCAL=1)"
fi
source bench/kv/tree.sh
until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.1; done

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  commit: $(git rev-parse --short HEAD)  load average: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)"
echo "redis-benchmark -t {$tests} -n $requests -r 100000 -P {${pipelines// /,}} (50 clients); fornax: edge $replicated"
run() { redis-benchmark -p "$1" -t "$3" -n "$requests" -r 100000 -P "$2" -q --csv 2>/dev/null | tr -d '"' | awk -F, 'NR>1 {print $2}'; }
# Seconds until the cloud and e1 have no backlog for any peer and e2, e3 hold as many keys as e1 (at most 120 s).
catch_up() {
  local started=$EPOCHREALTIME
  for _ in $(seq 1 1200); do
    if [ "$(pending "$e1")" = 0 ] && [ "$(pending "$cloud")" = 0 ]; then
      local n1; n1=$(redis-cli -p "$e1" dbsize)
      [ "${LOCAL:-0}" = 1 ] && break
      [ "$(redis-cli -p "$e2" dbsize)" = "$n1" ] && [ "$(redis-cli -p "$e3" dbsize)" = "$n1" ] && break
    fi
    sleep 0.1
  done
  echo "$EPOCHREALTIME - $started" | bc -l
}
printf '%-6s %-4s %12s %12s %7s %10s %12s %12s\n' test P redis fornax ratio "caught up" "CPU µs/req" "disk B/req"
for pipeline in $pipelines; do
  redis-cli -p "$redis_port" flushall >/dev/null
  for name in ${tests//,/ }; do
    r=$(run "$redis_port" "$pipeline" "$name")
    cpu_before=$(site_cpu)
    disk_before=$(site_disk)
    f=$(run "$e1" "$pipeline" "$name")
    c=$(catch_up)
    cpu=$(echo "($(site_cpu) - $cpu_before) * 1000000 / $requests" | bc -l)
    disk=$(echo "($(site_disk) - $disk_before) / $requests" | bc -l)
    printf '%-6s %-4s %12.0f %12.0f %7.2f %9.1fs %12.1f %12.0f\n' "${name^^}" "$pipeline" "$r" "${f:-0}" "$(echo "${f:-0} / $r" | bc -l)" "$c" "$cpu" "$disk"
  done
done
echo "keys after the run (DBSIZE; replicas converge): e1 $(redis-cli -p "$e1" dbsize) e2 $(redis-cli -p "$e2" dbsize) e3 $(redis-cli -p "$e3" dbsize)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
