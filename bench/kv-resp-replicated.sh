#!/usr/bin/env bash
# The RESP port of an edge site whose keyspaces replicate to two peers, beside redis-server, in one run:
#   redis-benchmark -t set,get,incr,sadd,hset -n N -r 100000 at -P 1 and -P 16 against
#   (a) redis-server 7 (Debian), appendonly yes, appendfsync everysec, and
#   (b) edge site e1 of a `fornax up` tree (cloud; edges e1, e2, e3; Release build, durability everysec) with one
#       Keyspace per prefix redis-benchmark writes (key:, counter:, myset, myhash) placed at e1, e2 and e3: every
#       write at e1 is replicated to e2 and e3 (through the cloud, which relays).
# Prints requests/s for each and the ratio fornax/redis, then each replica's key count (they must match).
# Usage: [PIPELINES="1 16"] bench/kv-resp-replicated.sh [requests] (default 1000000; PIPELINES=16 runs -P 16 only)
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-1000000}
tests=set,get,incr,sadd,hset
pipelines=${PIPELINES:-1 16}
work=$(mktemp -d)
# Built before HOME changes (a fresh HOME has an empty NuGet cache: the restore alone took ~10 minutes), its output
# kept so a failed build says why instead of ending the script silently under set -e.
build_log=$(mktemp)
if ! dotnet build src/Fornax.Cli -c Release -v q -nologo >"$build_log" 2>&1; then
  cat "$build_log" >&2; echo "the Release build of src/Fornax.Cli failed" >&2; exit 1
fi
rm -f "$build_log"
export HOME="$work/home" FORNAX_CONFIG="$work/home/.fornax/config"
mkdir -p "$HOME"
redis_pid=""
fornax=$PWD/src/Fornax.Cli/bin/Release/net10.0/linux-x64/fornax
[ -x "$fornax" ] || fornax=$PWD/src/Fornax.Cli/bin/Release/net10.0/fornax
cleanup() {
  "$fornax" down --purge >/dev/null 2>&1 || true
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Four sites take 16 consecutive ports; pick a base whose range is free now.
base=$(python3 -c '
import random, socket
for _ in range(200):
    b = random.randrange(20000, 60000, 16)
    try:
        socks = []
        for p in range(b, b + 16):
            s = socket.socket(); s.bind(("127.0.0.1", p)); socks.append(s)
        print(b); break
    except OSError:
        pass
    finally:
        for s in socks: s.close()
')
cat >"$work/topology.yaml" <<YAML
apiVersion: fornax.io/v1
kind: Topology
metadata: {name: kv-bench}
spec:
  sites:
    - {name: cloud, tier: cloud}
    - {name: e1, parent: cloud, tier: edge}
    - {name: e2, parent: cloud, tier: edge}
    - {name: e3, parent: cloud, tier: edge}
YAML
{
  echo "apiVersion: fornax.io/v1"; echo "kind: Mission"; echo "metadata: {name: kv-bench}"; echo "spec:"; echo "  content:"
  for prefix in key: counter: myset myhash; do
    name=$(echo "$prefix" | tr -d ':')
    echo "    - {apiVersion: fornax.io/v1, kind: Keyspace, metadata: {name: $name}, spec: {prefix: \"$prefix\", placement: {sites: [e1, e2, e3]}}}"
  done
} >"$work/keyspaces.yaml"

redis_port=$(free_port)
mkdir -p "$work/redis"
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis" --appendonly yes --appendfsync everysec --save "" --daemonize no >"$work/redis.log" 2>&1 &
redis_pid=$!

"$fornax" up -f "$work/topology.yaml" --data-dir "$work/sites" --base-port "$base" --heartbeat 1s >"$work/up.log"
"$fornax" apply -f "$work/keyspaces.yaml" >/dev/null
resp() { echo $((base + $1 * 4 + 2)); }
e1=$(resp 1); e2=$(resp 2); e3=$(resp 3)
# Replication is up once a key written at e1 is read at e2 and e3.
for _ in $(seq 1 600); do
  redis-cli -p "$e1" set key:probe 1 >/dev/null
  [ "$(redis-cli -p "$e2" get key:probe)" = 1 ] && [ "$(redis-cli -p "$e3" get key:probe)" = 1 ] && break
  sleep 0.1
done
until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.1; done

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  commit: $(git rev-parse --short HEAD)  load average: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)"
echo "redis-benchmark -t $tests -n $requests -r 100000 -P {${pipelines// /,}} (50 clients); fornax: edge e1 replicating to e2 and e3"
run() { redis-benchmark -p "$1" -t "$tests" -n "$requests" -r 100000 -P "$2" -q --csv 2>/dev/null | tr -d '"' | awk -F, 'NR>1 {print $1, $2}'; }
printf '%-6s %-4s %12s %12s %7s\n' test P redis fornax ratio
for pipeline in $pipelines; do
  redis-cli -p "$redis_port" flushall >/dev/null
  declare -A redis_rps=() fornax_rps=()
  while read -r name rps; do redis_rps[$name]=$rps; done < <(run "$redis_port" "$pipeline")
  while read -r name rps; do fornax_rps[$name]=$rps; done < <(run "$e1" "$pipeline")
  for name in "${!redis_rps[@]}"; do
    r=${redis_rps[$name]}; f=${fornax_rps[$name]:-0}
    printf '%-6s %-4s %12.0f %12.0f %7.2f\n' "$name" "$pipeline" "$r" "$f" "$(echo "$f / $r" | bc -l)"
  done | sort
done
sleep 3
echo "keys after the run (DBSIZE; replicas converge): e1 $(redis-cli -p "$e1" dbsize) e2 $(redis-cli -p "$e2" dbsize) e3 $(redis-cli -p "$e3" dbsize)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
