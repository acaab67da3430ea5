#!/usr/bin/env bash
# bench/release/idle-rss.sh FORNAX DATA_DIR [RUNNER] — resident memory of one idle site, 15 s after it is healthy:
# VmRSS (and its peak VmHWM) split into RssAnon (heaps: GC, native, JIT code) and RssFile (pages mapped from files:
# the single-file bundle, the natives), and the thread count, from /proc/PID/status. With FORNAX_SMAPS=1 it also prints
# the ten biggest resident mappings from /proc/PID/smaps. Environment variables (DOTNET_gcServer=0,
# DOTNET_GCConserveMemory=7, …) pass through. IDLE_SECONDS overrides the 15 s.
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
sleep "${IDLE_SECONDS:-15}"
grep -E '^(VmRSS|VmHWM|RssAnon|RssFile|Threads)' /proc/$pid/status |
  awk '$1 == "Threads:" {t = $2; next} {printf "%s %.1f MiB  ", $1, $2/1024} END {print "Threads: " t}'
if [ "${FORNAX_SMAPS:-0}" = 1 ]; then
  # Resident KiB per mapping name (anonymous mappings grouped as [anon]).
  awk '/^[0-9a-f]+-[0-9a-f]+ / {name = (NF >= 6 ? $6 : "[anon]")} /^Rss:/ {rss[name] += $2}
       END {for (n in rss) printf "%8.1f MiB  %s\n", rss[n]/1024, n}' /proc/$pid/smaps | sort -rn | head -10
fi
