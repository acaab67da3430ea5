# Sourced by the KV benchmarks: a `fornax up` tree of four sites, each its own process (cloud; edges e1, e2, e3;
# durability everysec), with one Keyspace per prefix in $KV_PREFIXES placed at e1, e2 and e3 (the cloud relays).
# Needs $fornax (the executable) and $work (a scratch directory, removed by the caller); sets $base, the RESP ports
# $cloud $e1 $e2 $e3, $site_pids, and the functions resp, pending, site_cpu, site_disk. Stops the tree on exit
# through kv_tree_down (call it from the caller's trap).

# Four sites take 16 consecutive ports; pick a base whose range is free now.
base=$(bench/free-port-base.sh 16)
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
  for prefix in $KV_PREFIXES; do
    name=$(echo "$prefix" | tr -d ':')
    echo "    - {apiVersion: fornax.io/v1, kind: Keyspace, metadata: {name: $name}, spec: {prefix: \"$prefix\", placement: {sites: [e1, e2, e3]}}}"
  done
} >"$work/keyspaces.yaml"

kv_tree_down() { "$fornax" down --purge >/dev/null 2>&1 || true; }
"$fornax" up -f "$work/topology.yaml" --data-dir "$work/sites" --base-port "$base" --heartbeat "${HEARTBEAT:-1s}" >"$work/up.log"
"$fornax" apply -f "$work/keyspaces.yaml" >/dev/null
resp() { echo $((base + $1 * 4 + 2)); }
cloud=$(resp 0); e1=$(resp 1); e2=$(resp 2); e3=$(resp 3)
# Replication is up once a key written at e1 is read at e2 and e3.
probe=${KV_PREFIXES%% *}probe
for _ in $(seq 1 600); do
  redis-cli -p "$e1" set "$probe" 1 >/dev/null
  [ "$(redis-cli -p "$e2" get "$probe")" = 1 ] && [ "$(redis-cli -p "$e3" get "$probe")" = 1 ] && break
  sleep 0.1
done
# The keys a site still owes its peers (INFO replication's pending_keys, summed over the peers).
pending() { redis-cli -p "$1" info replication | sed -n 's/.*pending_keys=\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}'; }
# CPU seconds (user + system) the four site processes have used so far.
site_pids=$(for f in "$work"/sites/*/node.pid; do cat "$f"; echo; done)
tick=$(getconf CLK_TCK)
site_cpu() { for pid in $site_pids; do cut -d' ' -f14,15 "/proc/$pid/stat"; done | awk -v t="$tick" '{s += $1 + $2} END {printf "%.3f\n", s / t}'; }
# Bytes the four site processes have written to disk so far (/proc/PID/io write_bytes: RocksDB's log, flushes and
# compactions; the writes a replicated key costs the disks).
site_disk() { for pid in $site_pids; do awk '/^write_bytes/ {print $2}' "/proc/$pid/io"; done | awk '{s += $1} END {printf "%.0f\n", s}'; }
