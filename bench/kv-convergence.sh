#!/usr/bin/env bash
# KV convergence after a cut, on the build that ships: four sites, each its own Native AOT process (a `fornax up` tree:
# cloud; edges e1, e2, e3; durability everysec) with one Keyspace (`conv:`) placed at e1, e2 and e3.
#   1. `fornax link cut cloud e1`;
#   2. KEYS distinct keys are SET (32-byte values), each at one of e1, e2, e3 in turn (redis-cli --pipe): e2 and e3
#      replicate theirs to each other through the cloud meanwhile, e1 keeps its own;
#   3. `fornax link heal cloud e1`, and from then on every 50 ms: is e1's link to the cloud up, and have the replicas
#      converged (no site owes any peer a key — INFO replication's pending_keys — and e1, e2, e3 hold every key)?
#   4. Then (not timed) every replica's value of every key is read back and compared with what was written.
# Prints heal → link up and heal → converged, with the four sites' CPU and the bytes they wrote to disk from the heal
# to convergence. The in-process convergence bench (bench/Fornax.Bench.Kv) also counts the link bytes; this one
# measures the shipped executable, each site with its own runtime, as they run at real sites.
# Usage: [KEYS=100000] [HEARTBEAT=1s] [CUT=0] [RUNS=3] [FORNAX=path/to/fornax] bench/kv-convergence.sh
#   HEARTBEAT is the sites' heartbeat. CUT holds the cut at least that many seconds (the writes take a second or two):
#   a child cut off for long retries its parent at its longest backoff, which is what decides "heal → link up".
set -euo pipefail
cd "$(dirname "$0")/.."
keys=${KEYS:-100000}
runs=${RUNS:-3}
source bench/release/workspace.sh
trap 'kv_tree_down 2>/dev/null || true; rm -rf "$work"' EXIT

# The writes of run $1 (a RESP file per site) and what every replica must return afterwards: KEYS keys, random 32-byte
# values (letters and digits, so redis-cli's --pipe and the expected file need no escaping), new ones each run.
writes() {
python3 - "$keys" "$work" "$1" <<'PY'
import random, string, sys
keys, work, run = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
rng = random.Random(run)
alphabet = (string.ascii_letters + string.digits).encode()
files = [open(f"{work}/writes-e{i}.resp", "wb") for i in (1, 2, 3)]
with open(f"{work}/expected.txt", "wb") as expected:
    for i in range(keys):
        key = b"conv:%07d" % i
        value = bytes(rng.choice(alphabet) for _ in range(32))
        files[i % 3].write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$32\r\n%s\r\n" % (len(key), key, value))
        expected.write(key + b" " + value + b"\n")
for f in files:
    f.close()
PY
}


KV_PREFIXES="conv:"
source bench/kv/tree.sh
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  commit: $(git rev-parse --short HEAD)  load average: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)"
echo "$keys keys written at e1, e2, e3 in turn while cloud–e1 is cut (at least ${CUT:-0} s); heartbeat ${HEARTBEAT:-1s}; $fornax"
link_up() { redis-cli -p "$e1" info replication | grep -q 'site=cloud,connected=1'; }
converged() {
  local site
  for site in "$cloud" "$e1" "$e2" "$e3"; do [ "$(pending "$site")" = 0 ] || return 1; done
  for site in "$e1" "$e2" "$e3"; do [ "$(redis-cli -p "$site" dbsize)" = "$((keys + 1))" ] || return 1; done
}
since() { echo "$EPOCHREALTIME - $1" | bc -l; }
printf '%-4s %10s %12s %15s %14s %14s\n' run written "link up" converged "CPU s (4 sites)" "disk MiB"
status=0
for run in $(seq 1 "$runs"); do
  writes "$run"
  "$fornax" link cut cloud e1 >/dev/null
  started=$EPOCHREALTIME
  for i in 1 2 3; do
    port=$(resp "$i")
    redis-cli -p "$port" --pipe <"$work/writes-e$i.resp" >"$work/pipe-e$i.log" || { cat "$work/pipe-e$i.log"; exit 1; }
  done
  written=$(since "$started")
  remaining=$(echo "${CUT:-0} - $written" | bc -l)
  if [ "$(echo "$remaining > 0" | bc -l)" = 1 ]; then sleep "$remaining"; fi
  cpu_before=$(site_cpu); disk_before=$(site_disk)
  healed=$EPOCHREALTIME
  "$fornax" link heal cloud e1 >/dev/null
  up=""; done_at=""
  for _ in $(seq 1 1200); do
    [ -z "$up" ] && link_up && up=$(since "$healed")
    if [ -n "$up" ] && converged; then done_at=$(since "$healed"); break; fi
    sleep 0.05
  done
  cpu=$(echo "$(site_cpu) - $cpu_before" | bc -l)
  disk=$(echo "($(site_disk) - $disk_before) / 1048576" | bc -l)
  printf '%-4s %9.2fs %11.2fs %14s %15.2f %14.1f\n' "$run" "$written" "${up:-0}" "${done_at:+$(printf '%.2fs' "$done_at")}" "$cpu" "$disk"
  [ -n "$done_at" ] || { echo "not converged within 60 s of the heal"; status=1; break; }
  python3 bench/kv/verify.py "$work/expected.txt" "$e1" "$e2" "$e3" || status=1
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
