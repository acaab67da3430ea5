#!/usr/bin/env bash
# Two builds of fornax under the same replicated-SET load, alternately, to tell whether a change to the write or
# replication path made it cheaper: the tree of bench/kv/tree.sh (cloud; edges e1, e2, e3; `key:` placed at e1, e2, e3)
# started afresh on build A, a warm-up of 500,000 SETs, then two runs of
#   redis-benchmark -t set -n REQUESTS -r 100000 -P PIPELINE (50 clients) against e1,
# each followed by a wait until e1 and the cloud owe no peer a key; then the same on build B; ROUNDS times.
# Prints for each run SET/s and the CPU (user + system, /proc) each site spent per SET over the run and its catch-up,
# then each build's means and B's ratio to A. The CPU per SET moves less with the machine's load than SET/s does, but
# on two cores shared by four sites and redis-benchmark it still varies by ±10% from run to run: read the means of
# several rounds, never one pair.
# Each executable must sit in its publish folder, beside its native libraries (copy bench/release/publish.sh's
# artifacts/bench/linux-x64 folder before building the other change).
# Usage: [ROUNDS=3] [REQUESTS=1000000] [PIPELINE=16] bench/kv-replicated-ab.sh A/fornax B/fornax
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: bench/kv-replicated-ab.sh A/fornax B/fornax" >&2; exit 2; }
builds=("$(realpath "$1")" "$(realpath "$2")")
rounds=${ROUNDS:-3}
requests=${REQUESTS:-1000000}
pipeline=${PIPELINE:-16}
results=$(mktemp)
trap 'rm -f "$results"' EXIT

# LABEL EXECUTABLE: one fresh tree, its warm-up and two measured runs; prints one line a run.
measure() (
  label=$1
  fornax=$2
  work=$(mktemp -d)
  export HOME="$work/home" FORNAX_CONFIG="$work/home/.fornax/config"
  mkdir -p "$HOME"
  KV_PREFIXES="key: counter: myset myhash"
  # shellcheck source=bench/kv/tree.sh
  source bench/kv/tree.sh
  trap 'kv_tree_down; rm -rf "$work"' EXIT
  # CPU seconds of each site so far, in site_pids' order (cloud e1 e2 e3).
  cpu() { for pid in $site_pids; do cut -d' ' -f14,15 "/proc/$pid/stat"; done | awk -v t="$tick" '{printf "%.3f ", ($1 + $2) / t}'; }
  settled() { for _ in $(seq 1 600); do [ $(($(pending "$e1") + $(pending "$cloud"))) = 0 ] && return; sleep 0.1; done; }
  redis-benchmark -p "$e1" -t set -n 500000 -r 100000 -P "$pipeline" -q >/dev/null 2>&1
  settled
  for run in 1 2; do
    before=$(cpu)
    rate=$(redis-benchmark -p "$e1" -t set -n "$requests" -r 100000 -P "$pipeline" --csv 2>/dev/null | tail -1 | cut -d, -f2 | tr -d '"')
    settled
    after=$(cpu)
    paste <(tr ' ' '\n' <<<"$before") <(tr ' ' '\n' <<<"$after") | awk -v label="$label" -v rate="$rate" -v n="$requests" '
      NF == 2 { us = ($2 - $1) * 1e6 / n; total += us; sites = sites sprintf(" %5.2f", us) }
      END { printf "%s %9.0f %s %6.2f\n", label, rate, sites, total }'
  done
)

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  load average: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)"
echo "A: ${builds[0]}"
echo "B: ${builds[1]}"
echo "redis-benchmark -t set -n $requests -r 100000 -P $pipeline against e1 (replicating to e2, e3 through the cloud), $rounds rounds"
echo "build     SET/s   CPU µs per SET: cloud    e1    e2    e3  total"
for round in $(seq 1 "$rounds"); do
  measure A "${builds[0]}" | tee -a "$results"
  measure B "${builds[1]}" | tee -a "$results"
done
awk '{ n[$1]++; rate[$1] += $2; cpu[$1] += $7 }
  END {
    for (b in n) printf "%s mean: %.0f SET/s, %.2f µs of CPU per SET (%d runs)\n", b, rate[b] / n[b], cpu[b] / n[b], n[b]
    if (n["A"] && n["B"]) printf "B/A: SET/s %.3f, CPU per SET %.3f\n", (rate["B"] / n["B"]) / (rate["A"] / n["A"]), (cpu["B"] / n["B"]) / (cpu["A"] / n["A"])
  }' "$results" | sort
