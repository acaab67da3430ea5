#!/usr/bin/env bash
# bench/release/aot-smoke.sh FORNAX [WORK_DIR]
# Runs a build of `fornax` (meant for the Native AOT one, where reflection-based JSON fails only at run time) through
# the features by hand: a site from a YAML config file, a mission with a Wasm function applied with the same binary and
# called, `fornax get` in every output format, kubectl, RESP SET/GET with redis-cli, a second site joining over mutual
# TLS with a token file, the function through the portal at /svc/, the dashboard at /ui/. Stops at the first failure.
# Needs curl; kubectl and redis-cli steps are skipped when those are not installed. Ports are chosen by the OS.
set -euo pipefail
fx=$(realpath "$1")
work=${2:-$(mktemp -d /tmp/fornax-aot-smoke.XXXXXX)}
repo=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$work"
export FORNAX_CONFIG=$work/client-config
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
step() { echo "== $*"; }
fail() { echo "FAILED: $*" >&2; for f in "$work"/*.log; do echo "--- $f" >&2; tail -20 "$f" >&2; done; exit 1; }
field() { sed -n "s/.*\"$2\": *\"\([^\"]*\)\".*/\1/p" "$1/endpoints.json"; }
until_ok() { # until_ok WHAT SECONDS COMMAND...: polls the command until it succeeds or the deadline passes
  local what=$1 deadline=$((SECONDS + $2)); shift 2
  until "$@" >/dev/null 2>&1; do [ $SECONDS -lt $deadline ] || fail "$what"; sleep 0.2; done
}
start_site() { # start_site NAME ARGS...: starts `node run` on $work/NAME, waits for /healthz
  local name=$1; shift
  mkdir -p "$work/$name"; rm -f "$work/$name/endpoints.json"
  "$fx" node run --data-dir "$work/$name" --api-port 0 --ingress-port 0 --resp-port 0 "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  until_ok "$name to answer /healthz" 60 sh -c "[ -s '$work/$name/endpoints.json' ] && curl -sf \"\$(sed -n 's/.*\"api\": *\"\([^\"]*\)\".*/\1/p' '$work/$name/endpoints.json')/healthz\""
}

step "fornax --version: $("$fx" --version)"
printf 'name: root\ntier: cloud\nheartbeatInterval: 1s\n' >"$work/root.yaml"
start_site root --config "$work/root.yaml"
api=$(field "$work/root" api); ingress=$(field "$work/root" ingress); resp=$(field "$work/root" resp)
step "site root from a YAML config file, healthy at $api"
curl -sf "$api/api/site" | grep -q '"name":"root"' || fail "GET /api/site names the site"

"$fx" apply -f "$repo/examples/missions/hello-function.yaml" --site "$api"
until_ok "the mission to be Active" 60 sh -c "'$fx' get missions --site '$api' -o json | grep -q Active"
until_ok "the Wasm function to answer at /fn/hello" 60 curl -sf "$ingress/fn/hello"
step "mission applied, Wasm function answers: $(curl -sf "$ingress/fn/hello")"

for format in json yaml wide table name; do
  "$fx" get missions --site "$api" -o "$format" >"$work/get.$format" || fail "fornax get missions -o $format"
  grep -q hello-function "$work/get.$format" || fail "fornax get -o $format lists the mission"
done
"$fx" get sites --site "$api" -o wide >/dev/null || fail "fornax get sites -o wide"
"$fx" describe mission hello-function --site "$api" >/dev/null || fail "fornax describe mission"
step "fornax get -o json/yaml/wide/table/name, describe"

if command -v kubectl >/dev/null; then
  "$fx" config set-site root --url "$api" >/dev/null
  "$fx" kubeconfig --out "$work/kubeconfig" >/dev/null
  KUBECONFIG=$work/kubeconfig kubectl get missions | grep -q hello-function || fail "kubectl get missions"
  KUBECONFIG=$work/kubeconfig kubectl get missions -o yaml | grep -q 'kind: Mission' || fail "kubectl get missions -o yaml"
  KUBECONFIG=$work/kubeconfig kubectl explain mission.spec >/dev/null || fail "kubectl explain (OpenAPI)"
  step "kubectl get missions (table, yaml), kubectl explain"
fi

if command -v redis-cli >/dev/null; then
  port=${resp##*:}
  [ "$(redis-cli -p "$port" SET aot yes)" = OK ] || fail "RESP SET"
  [ "$(redis-cli -p "$port" GET aot)" = yes ] || fail "RESP GET"
  step "redis-cli SET/GET"
fi

"$fx" token create --site "$api" >"$work/token" 2>"$work/token.err" || fail "fornax token create"
chmod 600 "$work/token"
start_site edge --name edge --tier edge --heartbeat 1s --join "$api" --token-file "$work/token"
edge_api=$(field "$work/edge" api); edge_ingress=$(field "$work/edge" ingress)
until_ok "edge to be healthy at root" 60 sh -c "'$fx' get sites --site '$api' -o json | grep -q '\"edge\"' && '$fx' get sites --site '$api' | grep edge | grep -q healthy"
step "edge joined root over mutual TLS (token file), healthy"

until_ok "the function at edge through its portal /svc/default/hello/" 90 curl -sf "$edge_ingress/svc/default/hello/"
step "portal: $(curl -sf "$edge_ingress/svc/default/hello/")"
curl -sf "$api/api/services" >/dev/null || fail "GET /api/services"

curl -sf "$api/ui/" | grep -qi '<html' || fail "the dashboard page /ui/"
curl -sf -o /dev/null "$api/api/dashboard/state" 2>/dev/null || true
step "dashboard /ui/ loads"
echo "ALL STEPS PASSED ($work)"
