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
# With REDIS_TREE=1 the same tests also run against a redis-server replicating as the tree does: a primary (e1's place)
# whose replica (the cloud's) has two replicas of its own (e2's and e3's), chained replication, each appendonly
# everysec; printed beside them: its requests/s, fornax's ratio to it, and the four redis processes' CPU per request
# (the test and until every replica's offset equals the primary's).
# With LOCAL=1 no keyspace holds what redis-benchmark writes: the keys stay at e1, nothing is replicated, and the four
# sites' CPU is e1's alone (the cost of replication is the difference from a run without it).
# Usage: [PIPELINES="1 16"] [TESTS=set,get,...] [FORNAX=path/to/fornax] [LOCAL=1] [REDIS_TREE=1] bench/kv-resp-replicated.sh [requests]
#        (default 1000000 requests; PIPELINES=16 runs -P 16 only)
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-1000000}
tests=${TESTS:-set,get,incr,sadd,hset}
pipelines=${PIPELINES:-1 16}
source bench/release/workspace.sh
source bench/kv/redis.sh
trap kv_bench_cleanup EXIT

redis_port=$(free_port)
redis_start "$redis_port" redis

# REDIS_TREE=1: primary, its replica, and that replica's two replicas (chained, as e1 → cloud → e2, e3).
tree_ports=""
tree_pids=""
if [ "${REDIS_TREE:-0}" = 1 ]; then
  for i in 0 1 2 3; do
    port=$(free_port)
    primary=""
    [ "$i" = 1 ] && primary=${tree_ports%% *}
    [ "$i" -ge 2 ] && primary=$(echo "$tree_ports" | cut -d' ' -f2)
    redis_start "$port" "redis-tree$i" "$primary"
    tree_pids="$tree_pids $redis_last_pid"
    tree_ports="${tree_ports:+$tree_ports }$port"
  done
  for port in $(echo "$tree_ports" | cut -d' ' -f2-); do redis_linked "$port"; done
fi
tree_primary=${tree_ports%% *}
# The four redis processes' CPU seconds so far; seconds until every replica's offset equals the primary's.
tree_cpu() { for pid in $tree_pids; do cut -d' ' -f14,15 "/proc/$pid/stat"; done | awk -v t="$(getconf CLK_TCK)" '{s += $1 + $2} END {printf "%.3f\n", s / t}'; }
offset() { redis-cli -p "$1" info replication | sed -n 's/^master_repl_offset:\([0-9]*\).*/\1/p'; }
tree_catch_up() {
  for _ in $(seq 1 1200); do
    local want; want=$(offset "$tree_primary") behind=0
    for port in $(echo "$tree_ports" | cut -d' ' -f2-); do [ "$(offset "$port")" = "$want" ] || behind=1; done
    [ "$behind" = 0 ] && break
    sleep 0.1
  done
}

KV_PREFIXES="key: counter: myset myhash"
replicated="e1 replicating to e2 and e3"
if [ "${LOCAL:-0}" = 1 ]; then
  KV_PREFIXES="none:" # a keyspace redis-benchmark never writes: the tree replicates, its keys stay at e1
  replicated="e1, keys not replicated (LOCAL=1)"
fi
source bench/kv/tree.sh

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
printf '%-6s %-4s %12s %12s %7s %10s %12s %12s' test P redis fornax ratio "caught up" "CPU µs/req" "disk B/req"
[ -n "$tree_ports" ] && printf ' %14s %7s %14s' "redis ×4 chain" ratio "its CPU µs/req"
echo
for pipeline in $pipelines; do
  redis-cli -p "$redis_port" flushall >/dev/null
  [ -n "$tree_ports" ] && redis-cli -p "$tree_primary" flushall >/dev/null && tree_catch_up
  for name in ${tests//,/ }; do
    r=$(run "$redis_port" "$pipeline" "$name")
    cpu_before=$(site_cpu)
    disk_before=$(site_disk)
    f=$(run "$e1" "$pipeline" "$name")
    c=$(catch_up)
    cpu=$(echo "($(site_cpu) - $cpu_before) * 1000000 / $requests" | bc -l)
    disk=$(echo "($(site_disk) - $disk_before) / $requests" | bc -l)
    printf '%-6s %-4s %12.0f %12.0f %7.2f %9.1fs %12.1f %12.0f' "${name^^}" "$pipeline" "$r" "${f:-0}" "$(echo "${f:-0} / $r" | bc -l)" "$c" "$cpu" "$disk"
    if [ -n "$tree_ports" ]; then
      tree_before=$(tree_cpu)
      t=$(run "$tree_primary" "$pipeline" "$name")
      tree_catch_up
      printf ' %14.0f %7.2f %14.1f' "$t" "$(echo "${f:-0} / $t" | bc -l)" "$(echo "($(tree_cpu) - $tree_before) * 1000000 / $requests" | bc -l)"
    fi
    echo
  done
done
echo "keys after the run (DBSIZE; replicas converge): e1 $(redis-cli -p "$e1" dbsize) e2 $(redis-cli -p "$e2" dbsize) e3 $(redis-cli -p "$e3" dbsize)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
