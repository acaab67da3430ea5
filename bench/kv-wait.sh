#!/usr/bin/env bash
# WAIT beside redis-server: how long a client waits for its write to be held by another copy.
# One connection sends `SET key:N <16 bytes>` then `WAIT 1 1000`, one pair at a time, COUNT times (bench/kv/wait.py),
# and the same SETs without WAIT, against
#   (a) a redis-server primary with one replica (Debian 7.0.15; appendonly yes, appendfsync everysec: bench/kv/redis.sh),
#   (b) edge site e1 of a `fornax up` tree (cloud; edges e1, e2, e3; durability everysec) whose keyspace `key:` is placed
#       at e1, e2 and e3: its one neighbour, the cloud, relays it and keeps a copy, so WAIT 1 counts the cloud.
# Prints, for each, the round trip's p50, p90, p99 and maximum in microseconds, and how many WAITs answered 0 (timed
# out). The client is Python: its own cost (tens of microseconds a round trip) is in every figure alike.
# Usage: [FORNAX=path/to/fornax] bench/kv-wait.sh [count]   (default 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-5000}
source bench/release/workspace.sh
source bench/kv/redis.sh
trap kv_bench_cleanup EXIT

primary=$(free_port)
replica=$(free_port)
redis_start "$primary" redis-primary
redis_start "$replica" redis-replica "$primary"
redis_linked "$replica"

KV_PREFIXES="key:"
source bench/kv/tree.sh

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  commit: $(git rev-parse --short HEAD)  load average: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)"
echo "one connection, $count × (SET key:N <16 bytes>; WAIT 1 1000) one pair at a time; round trip in µs"
printf '%-40s %8s %8s %8s %8s %10s\n' target p50 p90 p99 max "WAIT → 0"
row() {
  # A warm-up of the keys and the connection first (not counted).
  python3 bench/kv/wait.py "$2" 1000 1 $3 >/dev/null
  read -r _ p50 p90 p99 max short < <(python3 bench/kv/wait.py "$2" "$count" 1 $3)
  printf '%-40s %8s %8s %8s %8s %10s\n' "$1" "$p50" "$p90" "$p99" "$max" "$([ -z "$3" ] && echo "$short" || echo -)"
}
row "redis-server, SET alone" "$primary" --no-wait
row "redis-server + 1 replica, SET; WAIT 1" "$primary" ""
row "fornax e1, SET alone" "$e1" --no-wait
row "fornax e1 (cloud relays), SET; WAIT 1" "$e1" ""
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
