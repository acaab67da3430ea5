#!/usr/bin/env bash
# What a large store's housekeeping costs the clients, beside redis-server doing the same, in one run:
#   the data: N keys (redis-benchmark SET, -r N) and a hash of up to N fields (HSET), written to edge site e1 of a
#   `fornax up` tree (cloud; edges e1, e2, e3; durability everysec; keyspaces key: and myhash placed at e1, e2, e3, so
#   the cloud relays and holds them too) and to a redis-server primary (appendonly yes, everysec) with one replica;
#   (1) INFO: the time of one `redis-cli INFO` (redis-cli's own start included), and GET latency of one client
#       (redis-benchmark -c 1 -P 1) alone, then while another client sends INFO ten times a second;
#   (2) a replica rebuilt from nothing: site e2 killed, its data removed and started again, so the cloud catches it up
#       (anti-entropy: every key sent again), against a new redis replica's full sync from the primary (REPLICAOF);
#       GET latency of one client at the sending site (the cloud; the redis primary) during it, and the seconds until
#       the replica holds every key.
# Latencies are redis-benchmark's: requests/s, then avg, min, p50, p95, p99, max in ms.
# Usage: [N=1000000] [FORNAX=path/to/fornax] bench/kv-stalls.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in redis-server redis-benchmark redis-cli; do
  command -v "$tool" >/dev/null || { echo "bench/kv-stalls.sh needs $tool (Debian: apt-get install redis-server redis-tools)" >&2; exit 1; }
done
n=${N:-1000000}
source bench/release/workspace.sh
source bench/kv/redis.sh
cleanup() {
  kv_tree_down 2>/dev/null || true
  pkill -f -- "--data-dir $work/sites/e2 " 2>/dev/null || true # the e2 started again below, which `fornax down` does not know
  redis_stop_all
  rm -rf "$work"
}
trap cleanup EXIT

primary=$(free_port); redis_start "$primary" redis-primary
replica=$(free_port); redis_start "$replica" redis-replica "$primary"

KV_PREFIXES="key: myhash"
source bench/kv/tree.sh

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  commit: $(git rev-parse --short HEAD)  load average: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)"
fill() { redis-benchmark -p "$1" -t set,hset -r "$n" -n $((n * 3)) -P 16 -q >/dev/null 2>&1; }
fill "$primary"
fill "$e1"
# Settled: no backlog at e1 or the cloud, and e2 holds what e1 holds (at most two minutes).
settled=0
for _ in $(seq 1 240); do
  if [ "$(pending "$e1")" = 0 ] && [ "$(pending "$cloud")" = 0 ] && [ "$(redis-cli -p "$e2" dbsize)" = "$(redis-cli -p "$e1" dbsize)" ]; then settled=1; break; fi
  sleep 0.5
done
if [ "$settled" = 0 ]; then
  echo "the replicas differ after the writes: e1 $(redis-cli -p "$e1" dbsize) keys, cloud $(redis-cli -p "$cloud" dbsize), e2 $(redis-cli -p "$e2" dbsize), e3 $(redis-cli -p "$e3" dbsize)" >&2
  [ -n "${KEEP:-}" ] && { echo "kept: $work" >&2; trap - EXIT; }
  exit 1
fi
echo "catch-ups started by e1 towards the cloud: $(redis-cli -p "$e1" info replication | sed -n 's/.*catch_ups=\([0-9]*\).*/\1/p') (two at the start; more when the writes outran the link by a whole replication log)"
echo "data: fornax e1 $(redis-cli -p "$e1" dbsize) keys, hash of $(redis-cli -p "$e1" hlen myhash) fields; redis $(redis-cli -p "$primary" dbsize) keys, hash of $(redis-cli -p "$primary" hlen myhash) fields"

latency() { redis-benchmark -p "$1" -t get -c 1 -P 1 -n "${2:-20000}" -r "$n" --csv 2>/dev/null | tail -1 | tr -d '"' | cut -d, -f2-; }
info_ms() {
  local start=$EPOCHREALTIME
  for _ in 1 2 3 4 5; do redis-cli -p "$1" info >/dev/null; done
  echo "($EPOCHREALTIME - $start) * 200" | bc -l | xargs printf '%.1f'
}
printf '\n(1) INFO on a large store\n%-8s %16s   %-48s %-48s\n' server "INFO (ms, each)" "GET alone (req/s,avg,min,p50,p95,p99,max)" "GET, INFO 10×/s beside"
for name in fornax redis; do
  port=$([ "$name" = fornax ] && echo "$e1" || echo "$primary")
  each=$(info_ms "$port")
  alone=$(latency "$port")
  ( while true; do redis-cli -p "$port" info >/dev/null; sleep 0.1; done ) &
  poller=$!
  beside=$(latency "$port")
  kill "$poller"; wait "$poller" 2>/dev/null || true
  printf '%-8s %16s   %-48s %-48s\n' "$name" "$each" "$alone" "$beside"
done

printf '\n(2) A replica rebuilt from nothing\n%-8s %-48s %-48s %s\n' server "GET at the sender, quiet" "GET at the sender, during the rebuild" "replica complete after (s)"
quiet=$(latency "$cloud")
pid=$(cat "$work/sites/e2/node.pid")
cmd=$(tr '\0' '\n' <"/proc/$pid/cmdline" | sed "s/'/'\\\\''/g; s/.*/'&'/" | tr '\n' ' ')
dir=$(readlink "/proc/$pid/cwd")
envs=$(tr '\0' '\n' <"/proc/$pid/environ" | grep -E '^(FORNAX|HOME|DOTNET)' | sed "s/'/'\\\\''/g; s/.*/'&'/" | tr '\n' ' ')
kill -9 "$pid"
while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
rm -rf "$work/sites/e2/kv"
(cd "$dir" && eval "exec env $envs $cmd" >>"$work/e2-again.log" 2>&1 &)
started=$EPOCHREALTIME
until redis-cli -p "$e2" ping >/dev/null 2>&1; do sleep 0.05; done
latency "$cloud" >"$work/during.txt" &
sampler=$!
want=$(redis-cli -p "$e1" dbsize)
until [ "$(redis-cli -p "$e2" dbsize)" = "$want" ]; do sleep 0.1; done
took=$(echo "$EPOCHREALTIME - $started" | bc -l)
wait "$sampler"
printf '%-8s %-48s %-48s %.1f\n' fornax "$quiet" "$(cat "$work/during.txt")" "$took"

quiet=$(latency "$primary")
fresh=$(free_port); redis_start "$fresh" redis-fresh
started=$EPOCHREALTIME
redis-cli -p "$fresh" replicaof 127.0.0.1 "$primary" >/dev/null
latency "$primary" >"$work/during.txt" &
sampler=$!
want=$(redis-cli -p "$primary" dbsize)
until redis-cli -p "$fresh" info replication | grep -q 'master_link_status:up' && [ "$(redis-cli -p "$fresh" dbsize)" = "$want" ]; do sleep 0.1; done
took=$(echo "$EPOCHREALTIME - $started" | bc -l)
wait "$sampler"
printf '%-8s %-48s %-48s %.1f\n' redis "$quiet" "$(cat "$work/during.txt")" "$took"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
