#!/usr/bin/env bash
# Edge portals on the build that ships: the sites are Native AOT processes of a `fornax up` tree (cloud; edges e1, e2),
# the backend a bare Kestrel endpoint in its own process (`Fornax.Bench.Portal --serve`: GET → 23 bytes, no request
# log) served at e2 as the Service `bench`, and the load comes from wrk, a process of its own. The same GET goes
#   direct:  wrk → backend
#   portals: wrk → e1's ingress /svc/default/bench/item → e2's portal (link port, HTTP/1.1, mutual TLS) → backend
# and for each path, in each round: p50/p99 with one request at a time (wrk -c 1 --latency), requests/s over C
# kept-alive connections, and new connections/s (C clients, each request on its own TCP connection: Connection: close).
# Rounds alternate which path goes first; each figure is the median of its rounds. CPU per request is that of the
# processes serving (backend; plus e1 and e2 for the portals), from /proc/PID/stat over the phase.
# The in-process bench (bench/Fornax.Bench.Portal) runs everything in one .NET process with the JIT; this one measures
# the executable a site runs, with the load generator outside every measured process.
# Usage: [C=16] [DURATION=5] [ROUNDS=3] [FORNAX=path/to/fornax] bench/portal-shipped.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "bench/portal-shipped.sh needs $tool (Debian: apt-get install $tool)" >&2; exit 1; }
done
c=${C:-16}
duration=${DURATION:-5}
rounds=${ROUNDS:-3}
source bench/release/workspace.sh
backend_pid=
trap '"$fornax" down --purge >/dev/null 2>&1 || true; [ -n "$backend_pid" ] && kill "$backend_pid" 2>/dev/null; rm -rf "$work"' EXIT

dotnet build -c Release bench/Fornax.Bench.Portal -v q --nologo >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
dotnet bench/Fornax.Bench.Portal/bin/Release/net10.0/linux-x64/Fornax.Bench.Portal.dll --serve >"$work/backend.out" 2>&1 &
backend_pid=$!
for _ in $(seq 1 300); do grep -q '^backend: ' "$work/backend.out" && break; sleep 0.1; done
backend=$(sed -n 's/^backend: //p' "$work/backend.out")
[ -n "$backend" ] || { echo "the backend did not start: $(cat "$work/backend.out")" >&2; exit 1; }

# Three sites take 12 consecutive ports (API, ingress, RESP, link each); pick a base whose range is free now.
base=$(bench/free-port-base.sh 12)
cat >"$work/topology.yaml" <<YAML
apiVersion: fornax.io/v1
kind: Topology
metadata: {name: portal-bench}
spec:
  sites:
    - {name: cloud, tier: cloud}
    - {name: e1, parent: cloud, tier: edge}
    - {name: e2, parent: cloud, tier: edge}
YAML
cat >"$work/service.yaml" <<YAML
apiVersion: fornax.io/v1
kind: Mission
metadata: {name: portal-bench}
spec:
  placement: {sites: [e2]}
  content:
    - {apiVersion: fornax.io/v1, kind: Service, metadata: {name: bench}, spec: {backends: [{site: e2, address: "$backend"}]}}
YAML
"$fornax" up -f "$work/topology.yaml" --data-dir "$work/sites" --base-port "$base" >"$work/up.log"
"$fornax" apply -f "$work/service.yaml" >/dev/null
direct="http://$backend/item"
portal="http://127.0.0.1:$((base + 4 + 1))/svc/default/bench/item"
route=
for _ in $(seq 1 300); do
  # Errors carry a route too (the site that answered 503): wait for the backend's 200.
  headers=$(curl -s -o /dev/null -D - "$portal" | tr -d '\r')
  if [ "$(echo "$headers" | head -1 | cut -d' ' -f2)" = 200 ]; then
    route=$(echo "$headers" | sed -n 's/^Fornax-Route: //Ip')
    break
  fi
  sleep 0.1
done
[ -n "$route" ] || { echo "e1 never routed to the service bench: $(curl -s "$portal")" >&2; exit 1; }

pid_of() { cat "$work/sites/$1/node.pid"; }
serving_direct="$backend_pid"
serving_portals="$backend_pid $(pid_of e1) $(pid_of e2)"
tick=$(getconf CLK_TCK)
cpu() { for pid in $1; do cut -d' ' -f14,15 "/proc/$pid/stat"; done | awk -v t="$tick" '{s += $1 + $2} END {printf "%.4f", s / t}'; }

# One wrk phase: prints "requests/s p50-ms p99-ms CPU-µs-per-request errors" for the path's serving processes.
phase() { # url pids connections [wrk options...]
  local url=$1 pids=$2 conns=$3; shift 3
  local before after out
  before=$(cpu "$pids")
  out=$(wrk -t 1 -c "$conns" -d "${duration}s" --latency "$@" "$url")
  after=$(cpu "$pids")
  echo "$out" | awk -v b="$before" -v a="$after" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^ +50%/ {p50 = ms($2)} /^ +99%/ {p99 = ms($2)} /requests in/ {n = $1}
    /Socket errors/ {e = $0; sub(/.*Socket errors: /, "", e); gsub(/ /, "", e)} /Non-2xx/ {e = e "non2xx=" $NF}
    /^Requests\/sec/ {rps = $2}
    END {printf "%s %.3f %.3f %.0f %s\n", rps, p50, p99, (a - b) * 1e6 / (n ? n : 1), (e == "" ? "none" : e)}'
}

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  commit: $(git rev-parse --short HEAD)  load average: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)"
echo "$fornax; backend $backend; route from e1: $route; -c $c, ${duration} s phases, $rounds rounds"
# Warm-up: the backend is jitted and tiers up as it runs; the sites are compiled ahead of time.
for url in "$direct" "$portal"; do
  wrk -t 1 -c "$c" -d 5s "$url" >/dev/null
  wrk -t 1 -c "$c" -d 2s -H 'Connection: close' "$url" >/dev/null
done

results="$work/results"
: >"$results"
for round in $(seq 1 "$rounds"); do
  order="direct portals"
  [ $((round % 2)) = 0 ] && order="portals direct"
  for path in $order; do
    if [ "$path" = direct ]; then url=$direct pids=$serving_direct; else url=$portal pids=$serving_portals; fi
    read -r _ p50 p99 _ lat_err < <(phase "$url" "$pids" 1)
    read -r rps _ _ rps_cpu rps_err < <(phase "$url" "$pids" "$c")
    read -r cps _ _ cps_cpu cps_err < <(phase "$url" "$pids" "$c" -H 'Connection: close')
    echo "$path $p50 $p99 $rps $rps_cpu $cps $cps_cpu errors:latency=$lat_err,kept-alive=$rps_err,connections=$cps_err" >>"$results"
    echo "round $round $path: p50 $p50 ms, p99 $p99 ms, $rps req/s ($rps_cpu µs CPU each), $cps new connections/s ($cps_cpu µs CPU each); socket errors: latency $lat_err, kept-alive $rps_err, connections $cps_err"
  done
done

python3 - "$results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    rows.setdefault(f[0], []).append([float(x) for x in f[1:7]])
med = {path: [statistics.median(r[i] for r in runs) for i in range(6)] for path, runs in rows.items()}
print()
print(f"Medians of {len(rows['direct'])} rounds (CPU: the serving processes per request):")
print("| path | p50 (ms) | p99 (ms) | req/s (kept-alive) | CPU µs/request | new connections/s | CPU µs/connection |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
names = {"direct": "direct to the backend", "portals": "e1 portal → e2 portal → backend"}
for path in ("direct", "portals"):
    p50, p99, rps, rcpu, cps, ccpu = med[path]
    print(f"| {names[path]} | {p50:.3f} | {p99:.3f} | {rps:.0f} | {rcpu:.0f} | {cps:.0f} | {ccpu:.0f} |")
d, p = med["direct"], med["portals"]
print()
print(f"p50 portal/direct: {p[0] / d[0]:.2f}× (target ≤ 2×), added {p[0] - d[0]:.3f} ms")
print(f"throughput portal/direct: {p[2] / d[2]:.2f} (target ≥ 0.7); {p[3] - d[3]:.0f} µs of CPU added per request")
print(f"new connections/s portal/direct: {p[4] / d[4]:.2f} (target ≥ 0.5); {p[5] - d[5]:.0f} µs of CPU added per connection")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
