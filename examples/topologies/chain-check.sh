#!/usr/bin/env bash
# The chain.yaml walk-through at the default heartbeat (5 s), timed: what docs/tree.md promises, checked on real
# processes. Each step prints how long it took; a step that misses its bound prints TOO SLOW and the script exits 1.
#
#   examples/topologies/chain-check.sh            # uses `fornax` from PATH, or FORNAX="dotnet path/to/fornax.dll"
#
# Needs curl and python3; uses ports 7100-7115 and a temporary folder (its own client config, so yours is untouched).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fornax=${FORNAX:-fornax}
work=$(mktemp -d)
export FORNAX_CONFIG=$work/config
heartbeat=5
failed=0
trap '$fornax down >/dev/null 2>&1; rm -rf "$work"' EXIT

api() { curl -sf "http://127.0.0.1:$1/apis/fornax.io/v1/namespaces/default/$2"; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)" 2>/dev/null; }
states() { api 7100 missions/shops | field '" ".join(f"{k}={v}" for k,v in sorted(d.get("status",{}).get("state",{}).items()))'; }
version() { api "$1" configmaps/shop-config | field 'd["data"]["version"]'; }
elapsed() { python3 -c "print(f'{$(date +%s.%N) - $t0:.1f}')"; }
# step DESCRIPTION BOUND_SECONDS CONDITION: waits (at most 60 s) for CONDITION and prints the time since $t0, which the
# caller sets just before the action the step waits on.
step() {
  until eval "$3" >/dev/null 2>&1 || python3 -c "import sys; sys.exit(0 if $(elapsed) > 60 else 1)"; do sleep 0.2; done
  local took; took=$(elapsed)
  if eval "$3" >/dev/null 2>&1 && python3 -c "import sys; sys.exit(0 if $took <= $2 else 1)"; then
    printf '  %-62s %5s s (bound %s s)\n' "$1" "$took" "$2"
  else
    printf '  %-62s %5s s (bound %s s)  TOO SLOW\n' "$1" "$took" "$2"; failed=1
  fi
}
active="a=not match a/b=not match a/b/c=Active a/b/c/d=Active"

echo "fornax up (heartbeat ${heartbeat}s)"
$fornax up -f "$here/chain.yaml" --data-dir "$work/data" >"$work/up.log" 2>&1 || { cat "$work/up.log"; exit 1; }
t0=$(date +%s.%N); $fornax apply -f "$here/../missions/tree/shops.yaml" >/dev/null
step "apply at a: c, d Active, a, b not match" $((2 * heartbeat)) '[ "$(states)" = "$active" ]'

t0=$(date +%s.%N); $fornax link cut b c >/dev/null
step "link cut b c: a shows a/b/c cluster offline" $((4 * heartbeat)) '[ "$(states)" = "a=not match a/b=not match a/b/c=cluster offline" ]'
echo "    c, asked directly: a/b/c $(api 7108 missions/shops | field 'd["status"]["state"]["a/b/c"]')"
sed 's/version: "1"/version: "2"/' "$here/../missions/tree/shops.yaml" | $fornax apply -f - >/dev/null
sleep "$heartbeat"
echo "    update applied at a during the cut; c still has version $(version 7108)"
t0=$(date +%s.%N); $fornax link heal b c >/dev/null
step "link heal b c: the update reaches c and d" $((2 * heartbeat)) '[ "$(version 7108)" = 2 ] && [ "$(version 7112)" = 2 ]'

t0=$(date +%s.%N); code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE http://127.0.0.1:7112/apis/fornax.io/v1/namespaces/default/configmaps/shop-config)
step "delete the delivered object at d: refused (409), content kept" 1 '[ "$code" = 409 ] && [ "$(version 7112)" = 2 ]'

for site in b d a; do
  t0=$(date +%s.%N); kill -9 "$(cat "$work/data/$site/node.pid")"
  $fornax up -f "$here/chain.yaml" --data-dir "$work/data" >"$work/up-$site.log" 2>&1 || { cat "$work/up-$site.log"; exit 1; }
  step "kill -9 $site, fornax up again: all states and versions back" 30 '[ "$(states)" = "$active" ] && [ "$(version 7108)" = 2 ] && [ "$(version 7112)" = 2 ]'
done

$fornax down >/dev/null && echo "fornax down: $(pgrep -fc "node run --data-dir $work" || true) site processes left"
exit $failed
