#!/usr/bin/env bash
# bench/release/idle-rss.sh FORNAX DATA_DIR [RUNNER] — resident memory (VmRSS, VmHWM from /proc) of one idle site,
# 15 s after it is healthy. Environment variables (DOTNET_gcServer=0, DOTNET_GCConserveMemory=7, …) pass through.
set -euo pipefail
fornax=$1 data=$2 runner=${3:-}
rm -f "$data/endpoints.json"
$runner "$fornax" node run --data-dir "$data" --name bench --api-port 0 --ingress-port 0 --resp-port 0 --log-level Warning \
  >/dev/null 2>&1 &
pid=$!
trap 'kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
until [ -s "$data/endpoints.json" ] && curl -sf -o /dev/null "$(sed -n 's/.*"api": *"\([^"]*\)".*/\1/p' "$data/endpoints.json")/healthz"; do
  kill -0 $pid 2>/dev/null || { echo "fornax exited before it was healthy" >&2; exit 1; }
  sleep 0.05
done
sleep 15
grep -E '^(VmRSS|VmHWM)' /proc/$pid/status | awk '{printf "%s %.1f MiB  ", $1, $2/1024} END {print ""}'
