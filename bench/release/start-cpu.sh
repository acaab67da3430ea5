#!/usr/bin/env bash
# bench/release/start-cpu.sh FORNAX DATA_DIR [RUNS] — the site's own CPU per start, which hyperfine's User and System
# figures for start-to-healthy.sh do not isolate: they include the polling script's bash, sleep, sed and curl processes
# (about half of them on the x64 AOT build). Per run: wall time from spawn to the first 200 of /healthz, the CPU the site's
# threads used until then (/proc/PID/task/*/schedstat, nanoseconds) and its minor page faults; then the means. Prepare
# DATA_DIR with one run of start-to-healthy.sh first, so every run is a restart. Polls every 2 ms without forking.
set -euo pipefail
fornax=$1 data=$2 runs=${3:-20}
exec {tick}<> <(:)
for _ in $(seq "$runs"); do
  rm -f "$data/endpoints.json"
  t0=$(date +%s%N)
  "$fornax" node run --data-dir "$data" --name bench --api-port 0 --ingress-port 0 --resp-port 0 --log-level Warning >/dev/null 2>&1 &
  pid=$!
  api=
  while :; do
    if [ -z "$api" ] && [ -s "$data/endpoints.json" ]; then api=$(sed -n 's/.*"api": *"\([^"]*\)".*/\1/p' "$data/endpoints.json"); fi
    if [ -n "$api" ] && curl -sf -o /dev/null "$api/healthz"; then break; fi
    kill -0 $pid 2>/dev/null || { echo "fornax exited before it was healthy" >&2; exit 1; }
    read -t 0.002 -u $tick || true
  done
  t1=$(date +%s%N)
  cpu=0
  for f in /proc/$pid/task/*/schedstat; do read -r ns _ < "$f" || ns=0; cpu=$((cpu + ns)); done
  faults=$(awk '{print $10}' /proc/$pid/stat)
  kill -9 $pid; wait $pid 2>/dev/null || true
  echo "$(( (t1 - t0) / 1000000 )) $(( cpu / 1000000 )) $faults"
done | awk '{print "wall " $1 " ms  site CPU " $2 " ms  minor faults " $3; w += $1; c += $2; f += $3; n++}
  END {printf "mean of %d: wall %.1f ms, site CPU %.1f ms, minor faults %.0f\n", n, w/n, c/n, f/n}'
